import { afterEach, describe, expect, it } from 'vitest';
import type { Env } from '../env';
import type { HouseholdEnv } from '../household/household-env';
import { getEnvSpec } from '../registry';
import { Mulberry32 } from '../../core/random';
import type { RequestEnvelope } from '../../core/worker/protocol';
import { EnvPool, PoolError } from './pool';
import type { Batch } from './protocol';
import { createNodeSpawner, nodeSpawner } from './spawn-node';

const household = getEnvSpec('household');
const SLOTS = 6;

function tasks(offset: number): { env: string; taskId: string; seed: number }[] {
  return Array.from({ length: SLOTS }, (_, i) => ({
    env: 'household',
    taskId: household.task('train', offset + i).id,
    seed: offset + i,
  }));
}

/**
 * Roll out every slot with a seeded random policy over admissible actions, and the same
 * rollout in-process; `beforeStep` may sabotage the pool (kill workers) at chosen steps.
 */
async function rollout(pool: EnvPool, steps: number, beforeStep?: (t: number) => void): Promise<{ pooled: string[][]; local: string[][] }> {
  const ts = tasks(10);
  const local: Env[] = ts.map(() => household.create());
  const pooled: string[][] = ts.map(() => []);
  const mine: string[][] = ts.map(() => []);
  const first = await pool.reset(ts, { admissible: true });
  let adm = first.map((r) => r!.admissible!);
  ts.forEach((t, i) => {
    pooled[i].push(first[i]!.observation.text);
    mine[i].push(local[i].reset(t.taskId, t.seed).text);
  });
  const rngs = ts.map((_, i) => new Mulberry32(100 + i));
  const done = ts.map(() => false);
  for (let t = 0; t < steps; t++) {
    const actions = adm.map((a, i) => (done[i] ? null : rngs[i].pick(a)));
    beforeStep?.(t);
    const res = await pool.step(actions, { admissible: true, stateKey: true });
    res.forEach((r, i) => {
      if (!r) return;
      const l = local[i].step(actions[i]!);
      pooled[i].push(`${actions[i]} => ${r.observation.text} ${r.valid} ${r.reward} ${r.done} ${r.stateKey}`);
      mine[i].push(`${actions[i]} => ${l.observation.text} ${l.valid} ${l.reward} ${l.done} ${local[i].stateKey()}`);
      adm[i] = r.admissible!;
      expect(r.admissible).toEqual(local[i].admissibleActions());
      if (r.done) done[i] = true;
    });
  }
  return { pooled, local: mine };
}

describe('env worker pool (worker_threads)', () => {
  let pool: EnvPool | null = null;
  afterEach(() => {
    pool?.close();
    pool = null;
  });

  it('steps N environments in one message per worker per batch, matching in-process envs', async () => {
    pool = new EnvPool({ slots: SLOTS, workers: 2, spawn: nodeSpawner });
    const { pooled, local } = await rollout(pool, 25);
    expect(pooled).toEqual(local);
    // 1 reset batch + 25 step batches, each one message to each of the 2 workers.
    expect(pool.messages).toBe(2 * 26);
    expect(pool.restarts).toBe(0);
  });

  it('a worker killed in the middle of a rollout is restarted and replayed; no trajectory is lost', async () => {
    pool = new EnvPool({ slots: SLOTS, workers: 2, spawn: nodeSpawner });
    const p = pool;
    const { pooled, local } = await rollout(p, 30, (t) => {
      // terminate() between batches, and a kill racing a batch that is already in flight.
      if (t === 5) p.killWorker(0);
      if (t === 12) queueMicrotask(() => p.killWorker(1));
      if (t === 20) setTimeout(() => p.killWorker(0), 0);
    });
    expect(pooled).toEqual(local);
    expect(p.restarts).toBe(3);
    // The logs hold the whole trajectory for every slot.
    for (let s = 0; s < SLOTS; s++) {
      expect(p.actionLog(s).actions.length).toBe(pooled[s].length - 1);
    }
  });

  it('a worker killed right after a batch was posted to it (batch in flight) loses nothing', async () => {
    // Wrap the real spawner: the ports of worker 0 (the 1st spawn and every respawn after the
    // 2nd) kill themselves right after forwarding chosen step batches.
    const killAtStepBatch = new Set([3, 8, 9, 15]);
    let stepBatches = 0;
    let spawned = 0;
    const spawn = () => {
      const port = nodeSpawner();
      spawned++;
      const isWorker0 = spawned === 1 || spawned > 2;
      return {
        ...port,
        post: (msg: unknown, transfer?: readonly Transferable[]) => {
          port.post(msg, transfer);
          const { payload } = msg as RequestEnvelope & { payload: Batch };
          if (isWorker0 && payload.ops[0]?.op === 'step' && killAtStepBatch.has(++stepBatches)) port.terminate();
        },
      };
    };
    pool = new EnvPool({ slots: SLOTS, workers: 2, spawn });
    const { pooled, local } = await rollout(pool, 20);
    expect(pooled).toEqual(local);
    // Four kills; batch 8's answer may beat its kill, and then kill 9 can land on the same dying
    // worker, so three or four deaths, each restarted once.
    expect(pool.restarts).toBeGreaterThanOrEqual(3);
    expect(pool.restarts).toBeLessThanOrEqual(4);
    expect(spawned).toBe(2 + pool.restarts);
  });

  it('recovers from a worker that dies of an uncaught error inside it', async () => {
    pool = new EnvPool({ slots: 4, workers: 2, spawn: nodeSpawner, want: { admissible: true } });
    const ts = tasks(0).slice(0, 4);
    const first = await pool.reset(ts);
    const actions = first.map((r) => r!.admissible!.find((a) => a.startsWith('go to'))!);
    pool.crashWorker(1);
    const res = await pool.step(actions);
    for (let i = 0; i < 4; i++) {
      const env = household.create();
      env.reset(ts[i].taskId, ts[i].seed);
      expect(res[i]!.observation.text).toBe(env.step(actions[i]).observation.text);
    }
    // The crash op answers before the worker dies, so give the death a moment to land.
    await new Promise((r) => setTimeout(r, 200));
    await pool.step(actions.map(() => 'look'));
    expect(pool.restarts).toBe(1);
  });

  it('mixes resets and steps in one message, and runs batches on disjoint slots concurrently through kills', async () => {
    pool = new EnvPool({ slots: 4, workers: 2, spawn: nodeSpawner, want: { admissible: true } });
    const ts = tasks(20).slice(0, 4);
    const local = ts.map((t) => {
      const e = household.create() as HouseholdEnv;
      e.reset(t.taskId, t.seed);
      return e;
    });
    await pool.batch(ts.map((t) => ({ reset: t })));
    const before = pool.messages;
    // Slot 0 starts over while the others step: still one message per worker.
    const mixed = await pool.batch([{ reset: ts[0] }, { step: 'look' }, { step: 'inventory' }, null]);
    expect(pool.messages - before).toBe(2);
    expect(mixed[0]).toMatchObject({ kind: 'reset' });
    expect(mixed[1]).toMatchObject({ kind: 'step', valid: true });
    expect(mixed[3]).toBeNull();
    local[1].step('look');
    local[2].step('inventory');
    // Two halves in flight at once, a kill in the middle; per-slot order is kept.
    const rng = new Mulberry32(5);
    for (let t = 0; t < 12; t++) {
      const acts = local.map((e) => rng.pick(e.admissibleActions()));
      const a = pool.step([acts[0], acts[1], null, null]);
      const b = pool.step([null, null, acts[2], acts[3]]);
      if (t === 6) pool.killWorker(1);
      const [ra, rb] = await Promise.all([a, b]);
      const got = [ra[0], ra[1], rb[2], rb[3]];
      got.forEach((r, i) => {
        if (local[i].isDone) return;
        const want = local[i].step(acts[i]);
        expect(r!.observation.text).toBe(want.observation.text);
        expect(r!.done).toBe(want.done);
      });
      if (local.some((e) => e.isDone)) break;
    }
    expect(pool.restarts).toBe(1);
    // Overlapping calls on one slot run in call order.
    const r1 = pool.step(['look', null, null, null]);
    const r2 = pool.step(['inventory', null, null, null]);
    await Promise.all([r1, r2]);
    expect(pool.actionLog(0).actions.slice(-2)).toEqual(['look', 'inventory']);
  });

  it('also runs workers started through tsx (the fallback when esbuild is missing)', async () => {
    pool = new EnvPool({ slots: 2, workers: 1, spawn: createNodeSpawner({ bundle: false }), want: { admissible: true } });
    const [r] = await pool.reset([{ env: 'household', taskId: 'train:0', seed: 0 }, null]);
    const [s] = await pool.step([r!.admissible![0], null]);
    expect(s!.valid).toBe(true);
  });

  it('gives clear errors for bad input and stays usable', async () => {
    pool = new EnvPool({ slots: 2, workers: 1, spawn: nodeSpawner });
    await expect(pool.step(['look', null])).rejects.toThrow(/slot 0 has no episode; reset it first/);
    await expect(pool.reset([{ env: 'household', taskId: 'nope', seed: 0 }, null])).rejects.toThrow(/bad task id/);
    await expect(pool.reset([{ env: 'chess', taskId: 'x', seed: 0 }, null])).rejects.toThrow(/unknown environment "chess"/);
    await expect(pool.reset([null])).rejects.toThrow(PoolError);
    const ok = await pool.reset([{ env: 'household', taskId: 'train:0', seed: 0 }, null]);
    expect(ok[0]!.observation.text).toMatch(/^You are in the middle of a room/);
    expect(ok[1]).toBeNull();
    const r = await pool.step(['xyzzy', null]);
    expect(r[0]).toMatchObject({ valid: false, observation: { text: 'Nothing happens.' } });
    expect(() => new EnvPool({ slots: 0, spawn: nodeSpawner })).toThrow(/slots must be a positive integer/);
  });
});
