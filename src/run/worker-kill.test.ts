// "A worker killed mid-rollout loses no trajectory" (issue 10, Tests): env pool workers are killed
// while the rollout engine is stepping episodes through them, at points inside a collection, and
// the pool's replay must make that invisible. Checked twice: one collection against the same
// collection on an unkilled pool (every step of every trajectory identical, none missing), and a
// whole tiny SPA run whose env workers die during exploration and PPO rollouts against the same
// run on in-thread envs (the same trajectories stored, the same metrics).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { EnvPool, type Extras, type SlotOp, type SlotOutcome } from '../envs/pool/index';
import { nodeSpawner } from '../envs/pool/spawn-node';
import { getEnvSpec } from '../envs/registry';
import { testGpu } from '../gpu/testing';
import { PriorHeads } from '../rl/policy-model';
import { RolloutEngine, rolloutsOf } from '../rl/rollout';
import { BatchedDecider } from '../rl/rollout-decider';
import { InlineEnvs, type EnvBatcher } from '../rl/rollout-envs';
import { HashedBackbone } from '../rl/test-backbone';
import type { Trajectory } from '../rl/trajectory';
import { parseRunConfig } from './config';
import { Orchestrator } from './orchestrator';
import { FileRunStore } from './persistence/file-store';
import type { MetricRow } from './persistence/store';

const root = mkdtempSync(join(tmpdir(), 'stepwise-worker-kill-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The pool, with workers killed (as a crash would) right after chosen batches were sent. */
class KillingPool implements EnvBatcher {
  batches = 0;
  kills = 0;
  constructor(readonly pool: EnvPool, private readonly killAt: ReadonlyMap<number, number>) {}
  get slots() {
    return this.pool.slots;
  }
  batch(items: readonly SlotOp[], want?: Extras): Promise<SlotOutcome[]> {
    const n = ++this.batches;
    const answer = this.pool.batch(items, want);
    // The batch is already on its way to the worker: the kill lands while it is in flight.
    const w = this.killAt.get(n);
    if (w !== undefined) {
      this.pool.killWorker(w);
      this.kills++;
    }
    return answer;
  }
}

const household = getEnvSpec('household');
const tasks = Array.from({ length: 4 }, (_, i) => ({ taskId: household.task('train', i).id, seed: 1 }));
/** A trajectory, every field, as text. */
const bare = (t: Trajectory) => JSON.stringify(t);
const timeless = (rows: MetricRow[]) => rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith('timing/') && !k.startsWith('perf/'))));

describe('env workers killed mid-rollout', () => {
  const pools: EnvPool[] = [];
  afterEach(() => {
    for (const p of pools.splice(0)) p.close();
  });
  const newPool = (slots: number) => {
    const p = new EnvPool({ slots, workers: 2, spawn: nodeSpawner });
    pools.push(p);
    return p;
  };

  it('a collection through a pool whose workers die gives the same trajectories as an unkilled pool', async () => {
    const backbone = new HashedBackbone();
    const collect = (envs: EnvBatcher) => new RolloutEngine(new BatchedDecider(backbone, new PriorHeads(backbone.dim, backbone.dim)), envs).collect({
      env: 'household', episodes: rolloutsOf(tasks, 3), iteration: 1, mode: { kind: 'sample', temperature: 1 }, seed: 7, maxSteps: 12,
    });
    const whole = await collect(newPool(6));
    // 12 episodes on 6 slots: kills during the first wave, at a reset of the second, and late.
    const killing = new KillingPool(newPool(6), new Map([[3, 0], [4, 1], [9, 1], [14, 0], [20, 0]]));
    const killed = await collect(killing);
    expect(killing.kills).toBe(5);
    expect(killing.pool.restarts).toBeGreaterThanOrEqual(4);
    expect(killed.trajectories.length).toBe(12);
    expect(killed.trajectories.map(bare)).toEqual(whole.trajectories.map(bare));
    // The workers' deaths did not cut any episode short: each ran to its end or the cap.
    for (const t of killed.trajectories) expect(t.steps[t.steps.length - 1].done || t.steps.length === 12).toBe(true);
  });

  it('a tiny SPA run whose env workers die during its rollouts stores the same trajectories and metrics as one on in-thread envs', async () => {
    const config = parseRunConfig({
      env: 'household', seed: 2, reward: 'spa', tasks: { count: 2 }, bc: { epochs: 2 }, explore: { k: 2 },
      estimator: { hidden: 8, epochs: 3, heldOut: 0.25 }, ppo: { iterations: 2, tasksPerIteration: 2, epochs: 2, minibatch: 8 }, eval: { tasks: 2 },
    });
    const run = async (id: string, envs: EnvBatcher) => {
      const store = await FileRunStore.open(join(root, id));
      const backbone = new HashedBackbone();
      await new Orchestrator({ runId: id, config, store, deps: { gpu: await testGpu(), backbone, featureDim: backbone.dim, envs }, options: { maxSteps: 6, headHidden: [16] } }).run();
      return { trajectories: await store.trajectories(id), metrics: await store.metrics(id) };
    };
    const inline = await run('inline', new InlineEnvs(4));
    // Batches 2–7 are exploration, later ones PPO iterations and evaluation.
    const killing = new KillingPool(newPool(4), new Map([[3, 0], [11, 1], [19, 0], [26, 1]]));
    const pooled = await run('pooled', killing);
    expect(killing.kills).toBe(4);
    expect(killing.batches).toBeGreaterThan(26);
    expect(pooled.trajectories.length).toBe(inline.trajectories.length);
    expect(pooled.trajectories.map(bare)).toEqual(inline.trajectories.map(bare));
    expect(timeless(pooled.metrics)).toEqual(timeless(inline.metrics));
  });
});
