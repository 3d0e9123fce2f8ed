import { describe, expect, it } from 'vitest';
import { assignRewards, discountedReturns, gigpoAdvantages, leaveOneOut, needsEstimator, REWARD_VARIANTS, type RewardParams } from './rewards';
import { trajectory } from './test-trajectories';

const P: RewardParams = { alpha: 1, beta: 0.5, gamma: 0.5, stepWeight: 1, groupNorm: 'mean-std' };
const arr = (a: Float64Array) => Array.from(a);

// Three steps with ĉ = 0.2, −0.1, 0.9 and g = 1, 0, 1.
const annotated = trajectory('a', 't1', 1, [
  { progress: 0.2, valid: true },
  { progress: -0.1, valid: false },
  { progress: 0.9, valid: true },
]);

describe('spa and its ablations', () => {
  it('spa: r_t = α·ĉ_t + β·(g_t − 1)', () => {
    const a = assignRewards('spa', [annotated], P);
    expect(a.kind).toBe('rewards');
    if (a.kind !== 'rewards') return;
    const r = arr(a.rewards[0]);
    [0.2, -0.6, 0.9].forEach((x, i) => expect(r[i]).toBeCloseTo(x, 12));
  });

  it('spa with α = 2, β = 0.25', () => {
    const a = assignRewards('spa', [annotated], { ...P, alpha: 2, beta: 0.25 });
    if (a.kind !== 'rewards') throw new Error(a.kind);
    [0.4, -0.45, 1.8].forEach((x, i) => expect(a.rewards[0][i]).toBeCloseTo(x, 12));
  });

  it('progress-only drops the grounding term whatever β is', () => {
    const a = assignRewards('progress-only', [annotated], P);
    if (a.kind !== 'rewards') throw new Error(a.kind);
    [0.2, -0.1, 0.9].forEach((x, i) => expect(a.rewards[0][i]).toBeCloseTo(x, 12));
  });

  it('grounding-only is β·(g_t − 1) and needs no estimator annotations', () => {
    const bare = trajectory('b', 't1', 0, [{ valid: true }, { valid: false }, { valid: true }, { valid: true }]);
    const a = assignRewards('grounding-only', [bare], P);
    if (a.kind !== 'rewards') throw new Error(a.kind);
    expect(arr(a.rewards[0])).toEqual([0, -0.5, 0, 0]);
  });

  it('spa pays nothing for length: more valid steps earn no more than fewer', () => {
    // With β·g_t a failure that runs on (5 valid steps, Σĉ = 0) out-earned a short success
    // (2 steps, Σĉ = 1): 2.5 against 2. The grounding term only ever subtracts.
    const fail = trajectory('f', 't1', 0, Array.from({ length: 5 }, () => ({ progress: 0, valid: true })));
    const win = trajectory('w', 't1', 1, [{ progress: 0.5, valid: true }, { progress: 0.5, valid: true }]);
    const a = assignRewards('spa', [fail, win], P);
    if (a.kind !== 'rewards') throw new Error(a.kind);
    const sum = (r: Float64Array) => r.reduce((x, y) => x + y, 0);
    expect(sum(a.rewards[0])).toBeCloseTo(0, 12);
    expect(sum(a.rewards[1])).toBeCloseTo(1, 12);
  });

  it('spa on a trajectory without ĉ names the trajectory and step', () => {
    const half = trajectory('half', 't1', 1, [{ progress: 0.5 }, {}]);
    expect(() => assignRewards('spa', [half], P)).toThrow(/spa needs the estimator's ĉ_t: trajectory half step 1/);
  });
});

describe('outcome', () => {
  it('puts R on the last step only', () => {
    const a = assignRewards('outcome', [trajectory('o', 't', 0.8, [{}, {}, {}]), trajectory('p', 't', 0, [{}])], P);
    if (a.kind !== 'rewards') throw new Error(a.kind);
    expect(arr(a.rewards[0])).toEqual([0, 0, 0.8]);
    expect(arr(a.rewards[1])).toEqual([0]);
  });
});

describe('rloo (the released code)', () => {
  // Task A has three rollouts with R = 1, 0, 0.5; task B one rollout with R = 0.3.
  const batch = [
    trajectory('a1', 'A', 1, [{ valid: true }, { valid: false }]),
    trajectory('b1', 'B', 0.3, [{ valid: false }]),
    trajectory('a2', 'A', 0, [{ valid: true }]),
    trajectory('a3', 'A', 0.5, [{ valid: false }, { valid: true }, { valid: true }]),
  ];

  it('leave-one-out: R_i minus the mean of the task\'s other rollouts; R alone for a lone rollout', () => {
    const v = arr(leaveOneOut(batch));
    [1 - 0.25, 0.3, 0 - 0.75, 0.5 - 0.5].forEach((x, i) => expect(v[i]).toBeCloseTo(x, 12));
  });

  it('r_t = v_i + 0.5·g_t on every step', () => {
    const a = assignRewards('rloo', batch, P);
    if (a.kind !== 'rewards') throw new Error(a.kind);
    expect(arr(a.rewards[0])).toEqual([1.25, 0.75]);
    expect(arr(a.rewards[1])).toEqual([0.3]);
    expect(arr(a.rewards[2])).toEqual([-0.25]);
    expect(arr(a.rewards[3])).toEqual([0, 0.5, 0.5]);
  });

  it('ignores α and β (the 0.5 is the code\'s constant)', () => {
    const a = assignRewards('rloo', batch, { ...P, alpha: 3, beta: 0 });
    if (a.kind !== 'rewards') throw new Error(a.kind);
    expect(arr(a.rewards[0])).toEqual([1.25, 0.75]);
  });
});

describe('gigpo', () => {
  // Task T: rollout x wins through states s0 → s1 → s2; rollout y fails through s0 → s3.
  // Rollout z of another task U is alone in its group.
  const batch = [
    trajectory('x', 'T', 1, [{ key: 's0' }, { key: 's1' }, { key: 's2' }]),
    trajectory('y', 'T', 0, [{ key: 's0' }, { key: 's3' }]),
    trajectory('z', 'U', 1, [{ key: 's0' }]),
  ];

  it('discounted step returns G_t = Σ γ^{k−t} r_k', () => {
    expect(arr(discountedReturns(batch[0], 0.5))).toEqual([0.25, 0.5, 1]);
    expect(arr(discountedReturns(trajectory('w', 'T', 0, [{ reward: 1 }, { reward: 0 }, { reward: 2 }]), 0.5))).toEqual([1.5, 1, 2]);
  });

  it('mean-std: A = A^E + ω·A^S with step groups from identical stateKeys', () => {
    // Episode group {1, 0}: mean 0.5, unbiased std √0.5 → A^E = ±1/√2.
    // Step group s0 within T: G = {0.25, 0}: mean 0.125, std 0.125·√2 → ±1/√2; s1, s2, s3 are alone → 0.
    // s0 of task U is another task's state: not in T's step group.
    const a = assignRewards('gigpo', batch, P);
    if (a.kind !== 'advantages') throw new Error(a.kind);
    const h = Math.SQRT1_2;
    [2 * h, h, h].forEach((x, i) => expect(a.advantages[0][i]).toBeCloseTo(x, 5));
    [-2 * h, -h].forEach((x, i) => expect(a.advantages[1][i]).toBeCloseTo(x, 5));
    expect(arr(a.advantages[2])).toEqual([0]);
    expect(arr(a.returns[0])).toEqual([0.25, 0.5, 1]);
  });

  it('mean mode and ω = 0.5', () => {
    const { advantages } = gigpoAdvantages(batch, { gamma: 0.5, stepWeight: 0.5, groupNorm: 'mean' });
    // A^E = ±0.5; A^S(s0) = ±0.125.
    expect(arr(advantages[0])).toEqual([0.5 + 0.0625, 0.5, 0.5]);
    expect(arr(advantages[1])).toEqual([-0.5 - 0.0625, -0.5]);
  });

  it('a state revisited within one episode joins its own step group', () => {
    // x: s0 → s1 → s0 (loop) → win; γ = 1, so G = 1, 1, 1, … for x and 0 for y.
    const loop = [
      trajectory('x', 'T', 1, [{ key: 's0' }, { key: 's1' }, { key: 's0' }]),
      trajectory('y', 'T', 0, [{ key: 's0' }]),
    ];
    const { advantages } = gigpoAdvantages(loop, { gamma: 1, stepWeight: 1, groupNorm: 'mean' });
    // s0 group: G = {1, 1, 0}, mean 2/3 → +1/3, +1/3, −2/3; A^E = ±0.5.
    [0.5 + 1 / 3, 0.5, 0.5 + 1 / 3].forEach((x, i) => expect(advantages[0][i]).toBeCloseTo(x, 12));
    expect(advantages[1][0]).toBeCloseTo(-0.5 - 2 / 3, 12);
  });

  it('equal rewards in a group give zero advantage, not a division by zero', () => {
    const same = [trajectory('p', 'T', 1, [{ key: 'a' }]), trajectory('q', 'T', 1, [{ key: 'a' }])];
    const { advantages } = gigpoAdvantages(same, P);
    expect(arr(advantages[0])).toEqual([0]);
    expect(arr(advantages[1])).toEqual([0]);
  });
});

describe('bc and the variant table', () => {
  it('bc assigns nothing', () => {
    expect(assignRewards('bc', [annotated], P)).toEqual({ kind: 'none' });
  });

  it('only spa and progress-only need the estimator', () => {
    expect(REWARD_VARIANTS.filter(needsEstimator)).toEqual(['spa', 'progress-only']);
  });
});
