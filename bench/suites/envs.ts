// Environment throughput: steps per second for every registered environment, in this thread
// and through the worker pool, under a random policy (which asks for the admissible actions
// every step, as an agent choosing among them must) and under the expert. Episodes cycle
// through the train split, so resets and new-task generation are part of the cost.

import type { Env, EnvSpec, SplitName } from '../../src/envs/env';
import { EnvPool, type SlotOp, type SlotTask } from '../../src/envs/pool/index';
import { nodeSpawner } from '../../src/envs/pool/spawn-node';
import { ENV_REGISTRY } from '../../src/envs/registry';
import { xorshift32 } from '../../src/core/random';
import type { BenchContext, BenchSuite } from '../suite-types';

const BENCH = 'env-steps';
// Overridable for experiments: STEPWISE_BENCH_POOL_WORKERS / STEPWISE_BENCH_POOL_SLOTS.
const POOL_WORKERS = Number(process.env.STEPWISE_BENCH_POOL_WORKERS ?? 2);
const POOL_SLOTS = Number(process.env.STEPWISE_BENCH_POOL_SLOTS ?? 64);

function pickRandom(adm: string[], rand: () => number): string {
  return adm.length ? adm[Math.floor(rand() * adm.length)] : 'look';
}

function trainSplit(spec: EnvSpec): { split: SplitName; size: number } {
  const split: SplitName = spec.splits.train ? 'train' : (Object.keys(spec.splits)[0] as SplitName);
  return { split, size: spec.splits[split] ?? 1 };
}

/** Steps per second in this thread, with the policy picking from admissible actions or the expert. */
function singleThread(spec: EnvSpec, policy: 'random' | 'expert', ms: number): { perS: number; steps: number; episodes: number } {
  const env: Env = spec.create();
  const { split, size } = trainSplit(spec);
  const rand = xorshift32(42);
  let task = 0;
  let episodes = 0;
  const next = (): void => {
    env.reset(spec.task(split, task % size).id, task);
    task++;
    episodes++;
  };
  next();
  let steps = 0;
  // Untimed warm-up (JIT, first tasks), then the timed run.
  const warm = performance.now();
  while (performance.now() - warm < Math.min(300, ms / 2)) {
    for (let i = 0; i < 64; i++) {
      const action = policy === 'random' ? pickRandom(env.admissibleActions(), rand) : env.expert() ?? 'look';
      if (env.step(action).done) next();
    }
  }
  episodes = 0;
  const t0 = performance.now();
  let now = t0;
  while (now - t0 < ms) {
    // Check the clock every 256 steps so timing does not dominate.
    for (let i = 0; i < 256; i++) {
      const action = policy === 'random' ? pickRandom(env.admissibleActions(), rand) : env.expert() ?? 'look';
      const r = env.step(action);
      steps++;
      if (r.done) next();
    }
    now = performance.now();
  }
  return { perS: (steps * 1000) / (now - t0), steps, episodes: Math.max(1, episodes) };
}

/** Warm-up before a pooled measurement: at least this many batches per group and this long. */
const POOL_WARM_BATCHES = 3;
const POOL_WARM_MS = 300;

/**
 * Steps per second through the worker pool. The slots are split into `inFlight` groups that
 * take turns: while one group's batch is out with the workers, the caller picks actions for the
 * next (as a rollout loop overlaps env stepping with policy work). A slot whose episode ended is
 * reset inside its group's next batch, which then carries no step for it. Every slot starts
 * with a reset, so one pool serves several measurements in turn.
 */
async function pooled(pool: EnvPool, spec: EnvSpec, policy: 'random' | 'expert', ms: number, inFlight: number): Promise<{ perS: number; steps: number }> {
  const want = policy === 'random' ? { admissible: true } : { expert: true };
  const { split, size } = trainSplit(spec);
  const rand = xorshift32(7);
  let task = 0;
  const nextTask = (): SlotTask => {
    const t = { env: spec.name, taskId: spec.task(split, task % size).id, seed: task };
    task++;
    return t;
  };
  // Per slot: what to do next (pick from these admissible actions, play this expert action, or reset).
  const next: (string[] | string | 'reset')[] = new Array(POOL_SLOTS).fill('reset');
  const groupOf = (slot: number): number => slot % inFlight;
  const runGroup = async (g: number): Promise<number> => {
    const items: SlotOp[] = next.map((n, slot) => {
      if (groupOf(slot) !== g) return null;
      if (n === 'reset') return { reset: nextTask() };
      const action = typeof n === 'string' ? n : n[Math.floor(rand() * n.length)];
      return { step: action };
    });
    const out = await pool.batch(items, want);
    let steps = 0;
    out.forEach((o, slot) => {
      if (!o) return;
      if (o.kind === 'step') {
        steps++;
        if (o.done) {
          next[slot] = 'reset';
          return;
        }
      }
      next[slot] = policy === 'random' ? o.admissible ?? ['look'] : o.expert ?? 'look';
    });
    return steps;
  };
  const loop = async (g: number, until: number, minBatches = 0): Promise<number> => {
    let steps = 0;
    for (let b = 0; b < minBatches || performance.now() < until; b++) steps += await runGroup(g);
    return steps;
  };
  // Warm up by work done, not only by time: on a slow machine a worker may still be building
  // its world when a fixed warm-up ends, and that would land in the timed window.
  await Promise.all(Array.from({ length: inFlight }, (_, g) => loop(g, performance.now() + POOL_WARM_MS, POOL_WARM_BATCHES)));
  const t0 = performance.now();
  const counts = await Promise.all(Array.from({ length: inFlight }, (_, g) => loop(g, t0 + ms)));
  const steps = counts.reduce((a, b) => a + b, 0);
  return { perS: (steps * 1000) / (performance.now() - t0), steps };
}

export const suite: BenchSuite = {
  name: 'envs',
  where: 'node',
  async run(ctx: BenchContext) {
    // Each figure is a fixed time window, so the suite's length hardly depends on the machine:
    // 3 envs × 6 windows of `ms` plus warm-ups and starting one pool per environment.
    const ms = ctx.quick ? 250 : 750;
    ctx.describe(BENCH, {
      title: 'Environment steps per second',
      baseline: 'expert · 1 thread',
      about:
        'Steps/s of each environment. "random" picks uniformly among the admissible actions, so it pays for ' +
        'computing them every step; "expert" asks the hand-coded expert for each action. "1 thread" runs in the ' +
        `benchmark's thread; "pool" steps ${POOL_SLOTS} environments through the worker pool on ${POOL_WORKERS} ` +
        'worker_threads, one message per worker per batch (the whole figure, not per worker). Episodes cycle ' +
        'through the train split, so resets and first-time task generation are included. Goal for household: ' +
        '≥100k random steps/s per core. Through the pool every step pays a structured clone of its result ' +
        '(with the admissible list) and a thread hand-off; for environments that step in about a microsecond ' +
        'that is most of the cost, and on a 2-core machine the caller and two workers also share the cores. ' +
        'The pool is there to keep environments off the trainer and UI threads and to survive worker crashes.',
    });
    for (const spec of ENV_REGISTRY.values()) {
      for (const policy of ['random', 'expert'] as const) {
        const r = singleThread(spec, policy, ms);
        ctx.record({
          bench: BENCH,
          impl: `${policy} · 1 thread`,
          shape: spec.name,
          per_s: r.perS,
          unit: 'steps',
          note: `${spec.name}: mean episode ${(r.steps / r.episodes).toFixed(1)} steps`,
        });
        ctx.log(`${spec.name} ${policy} 1 thread: ${Math.round(r.perS).toLocaleString('en-US')} steps/s`);
      }
      // One pool per environment: its workers load the environment once for all four figures.
      const pool = new EnvPool({ slots: POOL_SLOTS, workers: POOL_WORKERS, spawn: nodeSpawner });
      try {
        for (const policy of ['random', 'expert'] as const) {
          for (const inFlight of [1, 2]) {
            const r = await pooled(pool, spec, policy, ms, inFlight);
            ctx.record({
              bench: BENCH,
              impl: `${policy} · pool ${POOL_WORKERS} workers${inFlight > 1 ? `, ${inFlight} batches in flight` : ''}`,
              shape: spec.name,
              per_s: r.perS,
              unit: 'steps',
            });
            ctx.log(`${spec.name} ${policy} pool x${inFlight}: ${Math.round(r.perS).toLocaleString('en-US')} steps/s`);
          }
        }
      } finally {
        pool.close();
      }
    }
  },
};
