import { describe, expect, it } from 'vitest';
import { CALIBRATION_POINTS, diagnose, ENTROPY_FLOOR, partialSums, pearson, rolloutStats } from './diagnostics';
import { trajectory } from './test-trajectories';

describe('diagnostics', () => {
  const win = trajectory('a', 't1', 1, [{ progress: 0.25 }, { progress: 0.25 }, { progress: 0.5 }]);
  const lose = trajectory('b', 't1', 0, [{ progress: 0.5, valid: false }, { progress: -0.5 }]);

  it('reads the partial sums Σ_{k≤t} ĉ_k at points of normalised time', () => {
    // f = 0 → step 0, f = 0.5 → ⌈1.5⌉ − 1 = step 1, f = 1 → the last step.
    const S = partialSums(win)!;
    expect(S).toHaveLength(CALIBRATION_POINTS.length);
    expect(S[0]).toBeCloseTo(0.25);
    expect(S[5]).toBeCloseTo(0.5);
    expect(S[10]).toBeCloseTo(1);
    expect(partialSums(trajectory('c', 't', 0, [{}]))).toBeNull();
  });

  it('separates successes from failures and correlates ĉ with g', () => {
    const d = diagnose([win, lose], null);
    expect(d['estimator/calib_success']![10]).toBeCloseTo(1);
    expect(d['estimator/calib_failed']![10]).toBeCloseTo(0);
    expect(d['estimator/calib_gap']).toBeCloseTo(1);
    // ĉ = [.25, .25, .5, .5, −.5], g = [1, 1, 1, 0, 1]
    expect(d['estimator/corr_c_g']).toBeCloseTo(pearson([0.25, 0.25, 0.5, 0.5, -0.5], [1, 1, 1, 0, 1])!, 12);
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1);
    expect(pearson([1, 1], [0, 1])).toBeNull();
    // R ∈ {1, 0} in one task: std 0.5.
    expect(d['diag/reward_std_in_group']).toBeCloseTo(0.5);
  });

  it('warns when the entropy collapses against its first value or under the floor', () => {
    const peaked = (p: number) => {
      const t = trajectory('p', 't', 0, [{}, {}]);
      for (const s of t.steps) s.probs = [p, (1 - p) / 2, (1 - p) / 2];
      return t;
    };
    const start = diagnose([peaked(1 / 3)], null);
    expect(start['diag/entropy_normalized']).toBeCloseTo(1);
    expect(start['diag/entropy_collapse']).toBe(false);
    const later = diagnose([peaked(0.95)], start['diag/entropy_normalized']);
    expect(later['diag/entropy_normalized']).toBeLessThan(0.25);
    expect(later['diag/entropy_collapse']).toBe(true);
    expect(later['diag/warning']).toMatch(/echo trap/);
    const floor = diagnose([peaked(0.999)], null);
    expect(floor['diag/entropy_normalized']).toBeLessThan(ENTROPY_FLOOR);
    expect(floor['diag/entropy_collapse']).toBe(true);
  });

  it('summarises rollouts', () => {
    const s = rolloutStats([win, lose]);
    expect(s).toMatchObject({ success_rate: 0.5, score: 0.5, episode_length: 2.5, 'env/steps': 5 });
    expect(s.grounding_acc).toBeCloseTo(4 / 5);
  });
});
