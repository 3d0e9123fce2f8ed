import { describe, expect, it } from 'vitest';
import { Mulberry32 } from '../core/random';
import { testGpu } from '../gpu/testing';
import { expectClose } from '../kernels/expect-close';
import { WHITEN_STATS } from '../kernels/gae';
import { PPO_BATCH_COL as C, PPO_BATCH_STRIDE as S } from '../kernels/ppo';
import { gaeInputs, stepAdvantagesCpu, stepAdvantagesGpu } from './advantages';
import { assignRewards, type RewardParams } from './rewards';
import { trajectory } from './test-trajectories';
import type { Trajectory } from './trajectory';

const P: RewardParams = { alpha: 1, beta: 0.5, gamma: 0.9, stepWeight: 1, groupNorm: 'mean-std' };
const col = (batch: Float32Array, c: number) => Array.from({ length: batch.length / S }, (_, j) => batch[j * S + c]);

// Outcome reward 1 on the last of three steps, V = 0.1, 0.2, 0.5, γ = 0.9, λ = 0.5, episode ended:
//   t=2: δ = 1 − 0.5 = 0.5                 A = 0.5                      G = 1
//   t=1: δ = 0.9·0.5 − 0.2 = 0.25          A = 0.25 + 0.45·0.5 = 0.475  G = 0.675
//   t=0: δ = 0.9·0.2 − 0.1 = 0.08          A = 0.08 + 0.45·0.475        G = 0.39375
const won = trajectory('w', 'T', 1, [{ value: 0.1 }, { value: 0.2 }, { value: 0.5 }]);
const expectedA = [0.29375, 0.475, 0.5];
const expectedG = [0.39375, 0.675, 1];

describe('step-level GAE on the CPU path', () => {
  it('a hand-computed trajectory, unwhitened: advantages, returns, log π_old and V_old in their columns', () => {
    const a = stepAdvantagesCpu([won], assignRewards('outcome', [won], P), { gamma: 0.9, lambda: 0.5, whiten: false });
    expectClose(col(a.batch, C.advantage), expectedA, { abs: 1e-6, rel: 1e-6 }, 'A');
    expectClose(col(a.batch, C.ret), expectedG, { abs: 1e-6, rel: 1e-6 }, 'G');
    expect(col(a.batch, C.valueOld)).toEqual(Array.from(Float32Array.of(0.1, 0.2, 0.5)));
    expect(col(a.batch, C.lpOld)).toEqual(won.steps.map((s) => Math.fround(s.logpOld)));
    expect(a.whitening).toBeNull();
  });

  it('whitened over the batch: mean 0, unit std, returns left raw', () => {
    const a = stepAdvantagesCpu([won], assignRewards('outcome', [won], P), { gamma: 0.9, lambda: 0.5 });
    const mean = expectedA.reduce((x, y) => x + y) / 3;
    const std = Math.sqrt(expectedA.reduce((x, y) => x + (y - mean) ** 2, 0) / 2);
    // The kernel inputs are float32, so V carries float32 rounding.
    expect(a.whitening!.mean).toBeCloseTo(mean, 7);
    expect(a.whitening!.std).toBeCloseTo(std, 7);
    expectClose(col(a.batch, C.advantage), expectedA.map((x) => (x - mean) / std), { abs: 1e-5, rel: 1e-5 }, 'Â');
    expectClose(col(a.batch, C.ret), expectedG, { abs: 1e-6, rel: 1e-6 }, 'G');
  });

  it('a trajectory cut off by the step cap bootstraps from V after its last step; an ended one from 0', () => {
    const cut = trajectory('c', 'T', 0, [{ value: 0.25 }], { bootstrapValue: 0.5 });
    cut.steps[0].done = false;
    const ended = trajectory('e', 'T', 0, [{ value: 0.25 }], { bootstrapValue: 0.5 });
    expect(Array.from(gaeInputs([cut, ended], [[1], [1]]).bootstrap)).toEqual([0.5, 0]);
    const a = stepAdvantagesCpu([cut, ended], { kind: 'rewards', rewards: [Float64Array.of(1), Float64Array.of(1)] }, { gamma: 0.9, lambda: 0.95, whiten: false });
    expectClose(col(a.batch, C.advantage), [1 + 0.45 - 0.25, 0.75], { abs: 1e-7, rel: 1e-7 }, 'A');
  });

  it('gigpo\'s advantages pass through unwhitened, with its discounted returns', () => {
    const batch = [trajectory('x', 'T', 1, [{ key: 'a' }, { key: 'b' }]), trajectory('y', 'T', 0, [{ key: 'a' }])];
    const g = assignRewards('gigpo', batch, P);
    if (g.kind !== 'advantages') throw new Error(g.kind);
    const a = stepAdvantagesCpu(batch, g, { gamma: 0.9, lambda: 0.95 });
    expect(a.whitening).toBeNull();
    expectClose(col(a.batch, C.advantage), [...g.advantages[0], ...g.advantages[1]], { abs: 1e-6, rel: 1e-6 }, 'A');
    expectClose(col(a.batch, C.ret), [0.9, 1, 0], { abs: 1e-7, rel: 1e-7 }, 'G');
  });

  it('bc has no batch; mismatched reward lengths name the trajectory', () => {
    expect(() => stepAdvantagesCpu([won], { kind: 'none' }, { gamma: 1, lambda: 1 })).toThrow(/bc/);
    expect(() => stepAdvantagesCpu([won], { kind: 'rewards', rewards: [Float64Array.of(1)] }, { gamma: 1, lambda: 1 })).toThrow(/trajectory w has 3 steps but 1 values/);
  });
});

function randomBatch(seed: number, n: number): Trajectory[] {
  const rng = new Mulberry32(seed);
  return Array.from({ length: n }, (_, i) => {
    const R = rng.chance(0.5) ? 1 : 0;
    const specs = Array.from({ length: rng.int(1, 12) }, () => ({ value: rng.next() * 2 - 1, valid: rng.chance(0.8), progress: rng.next() - 0.3, key: `s${rng.int(0, 5)}` }));
    const t = trajectory(`t${i}`, `task${i % 4}`, R, specs, { bootstrapValue: rng.next() });
    if (rng.chance(0.3)) t.steps[t.steps.length - 1].done = false;
    return t;
  });
}

describe('GPU path against the CPU path', () => {
  it('spa rewards on 37 random trajectories: the same PPO batch and whitening statistics', async () => {
    const gpu = await testGpu();
    const trajs = randomBatch(11, 37);
    const a = assignRewards('spa', trajs, P);
    const cpu = stepAdvantagesCpu(trajs, a, { gamma: 0.95, lambda: 0.9 });
    const dev = await stepAdvantagesGpu(gpu, trajs, a, { gamma: 0.95, lambda: 0.9 });
    const [batch, stats] = await gpu.readMany([dev.batch, dev.stats!]);
    expectClose(batch, cpu.batch, { abs: 1e-4, rel: 1e-4 }, 'PPO batch');
    expectClose([stats[WHITEN_STATS.mean], stats[WHITEN_STATS.std]], [cpu.whitening!.mean, cpu.whitening!.std], { abs: 1e-5, rel: 1e-5 }, 'whitening');
    dev.release();
  });

  it('gigpo and unwhitened GAE upload the CPU batch unchanged', async () => {
    const gpu = await testGpu();
    const trajs = randomBatch(5, 9);
    for (const [a, whiten] of [[assignRewards('gigpo', trajs, P), true], [assignRewards('outcome', trajs, P), false]] as const) {
      const cpu = stepAdvantagesCpu(trajs, a, { gamma: 0.95, lambda: 0.9, whiten });
      const dev = await stepAdvantagesGpu(gpu, trajs, a, { gamma: 0.95, lambda: 0.9, whiten });
      expect(dev.stats).toBeNull();
      expectClose(await gpu.read(dev.batch), cpu.batch, { abs: 1e-6, rel: 1e-6 }, 'PPO batch');
      dev.release();
    }
  });
});
