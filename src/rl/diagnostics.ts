// Per-iteration diagnostics stored with the metrics (issue 10 §5):
//
// - Rollout statistics: success rate, mean score, grounding accuracy (share of valid actions) and
//   episode length, under the names the trainer protocol's METRICS table gives them.
// - Estimator calibration: the partial sums S_t = Σ_{k≤t} ĉ_k along each trajectory, averaged
//   separately over successful and failed trajectories. A calibrated estimator climbs towards 1 on
//   successes and stays near 0 on failures. Trajectories differ in length, so each curve is read
//   at CALIBRATION_POINTS fractions of the way through a trajectory (S at step ⌈f·T⌉ − 1).
// - corr(ĉ_t, g_t): Pearson correlation over all steps of the batch; SPA's claim is that progress
//   rewards and grounding are complementary, so a correlation near 1 means α·ĉ adds little to β·g.
// - Entropy collapse, RAGEN's "echo trap": the policy's mean entropy at collection time, as a share
//   of the uniform entropy log|A| (normalised, comparable across candidate-set sizes), and the
//   mean within-task standard deviation of R. RAGEN sees the reward's variance within a group and
//   the entropy fall together before training collapses; the warning fires when the normalised
//   entropy drops below ENTROPY_COLLAPSE_SHARE of its first recorded value, or under
//   ENTROPY_FLOOR outright.

import { grounding, groupByTask, type Trajectory } from './trajectory';

export const CALIBRATION_POINTS: readonly number[] = Array.from({ length: 11 }, (_, k) => k / 10);
export const ENTROPY_COLLAPSE_SHARE = 0.25;
export const ENTROPY_FLOOR = 0.05;

export interface RolloutStats {
  success_rate: number;
  score: number;
  grounding_acc: number;
  episode_length: number;
  'env/trajectories': number;
  'env/steps': number;
}

export function rolloutStats(trajs: readonly Trajectory[]): RolloutStats {
  let won = 0, score = 0, valid = 0, steps = 0;
  for (const t of trajs) {
    if (t.won) won++;
    score += t.finalReward;
    for (const s of t.steps) valid += grounding(s);
    steps += t.steps.length;
  }
  const n = Math.max(1, trajs.length);
  return {
    success_rate: won / n, score: score / n, grounding_acc: steps ? valid / steps : 0,
    episode_length: steps / n, 'env/trajectories': trajs.length, 'env/steps': steps,
  };
}

/** S at the calibration points of one trajectory (null when a step has no ĉ). */
export function partialSums(t: Trajectory): number[] | null {
  const S: number[] = [];
  let acc = 0;
  for (const s of t.steps) {
    if (s.progress === undefined) return null;
    acc += s.progress;
    S.push(acc);
  }
  return CALIBRATION_POINTS.map((f) => S[Math.max(0, Math.ceil(f * S.length) - 1)]);
}

/** Pearson correlation; null when either side has no variance or there are fewer than 2 points. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number | null {
  const n = x.length;
  if (n < 2 || y.length !== n) return null;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) { mx += x[i]; my += y[i]; }
  mx /= n; my /= n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx, dy = y[i] - my;
    sxy += dx * dy; sxx += dx * dx; syy += dy * dy;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : null;
}

export interface Diagnostics {
  /** Mean S_t at CALIBRATION_POINTS over successful trajectories (null when none, or no ĉ). */
  'estimator/calib_success': number[] | null;
  'estimator/calib_failed': number[] | null;
  /** Mean Σ_t ĉ_t on successes minus on failures: how well the final sums separate them. */
  'estimator/calib_gap': number | null;
  'estimator/corr_c_g': number | null;
  /** Mean over steps of H(π_old)/log|A| (steps with one candidate excluded). */
  'diag/entropy_normalized': number;
  /** Mean over tasks of the std of R among the task's rollouts. */
  'diag/reward_std_in_group': number;
  'diag/entropy_collapse': boolean;
  /** A sentence for the dashboard when something looks wrong, else null. */
  'diag/warning': string | null;
}

function meanCurve(curves: number[][]): number[] | null {
  if (!curves.length) return null;
  return CALIBRATION_POINTS.map((_, k) => curves.reduce((a, c) => a + c[k], 0) / curves.length);
}

export function normalizedEntropy(trajs: readonly Trajectory[]): number {
  let sum = 0, n = 0;
  for (const t of trajs) {
    for (const s of t.steps) {
      if (s.probs.length < 2) continue;
      let h = 0;
      for (const p of s.probs) if (p > 0) h -= p * Math.log(p);
      sum += h / Math.log(s.probs.length);
      n++;
    }
  }
  return n ? sum / n : 0;
}

/**
 * The diagnostics of one iteration's trajectories. `firstEntropy` is the normalised entropy of
 * the first iteration diagnosed in this run (the collapse reference); pass null on the first.
 */
export function diagnose(trajs: readonly Trajectory[], firstEntropy: number | null): Diagnostics {
  const success: number[][] = [], failure: number[][] = [];
  const c: number[] = [], g: number[] = [];
  for (const t of trajs) {
    const S = partialSums(t);
    if (S) (t.won ? success : failure).push(S);
    for (const s of t.steps) {
      if (s.progress === undefined) continue;
      c.push(s.progress);
      g.push(grounding(s));
    }
  }
  const cs = meanCurve(success), cf = meanCurve(failure);
  const last = CALIBRATION_POINTS.length - 1;
  const entropy = normalizedEntropy(trajs);
  const groups = groupByTask(trajs);
  const stds = groups.map((grp) => {
    const R = grp.map((i) => trajs[i].finalReward);
    const m = R.reduce((a, b) => a + b, 0) / R.length;
    return Math.sqrt(R.reduce((a, r) => a + (r - m) ** 2, 0) / R.length);
  });
  const ref = firstEntropy ?? entropy;
  const collapse = entropy < ENTROPY_FLOOR || (ref > 0 && entropy < ENTROPY_COLLAPSE_SHARE * ref);
  const rewardStd = stds.length ? stds.reduce((a, b) => a + b, 0) / stds.length : 0;
  return {
    'estimator/calib_success': cs,
    'estimator/calib_failed': cf,
    'estimator/calib_gap': cs && cf ? cs[last] - cf[last] : null,
    'estimator/corr_c_g': pearson(c, g),
    'diag/entropy_normalized': entropy,
    'diag/reward_std_in_group': rewardStd,
    'diag/entropy_collapse': collapse,
    'diag/warning': collapse
      ? `entropy collapse (echo trap): the policy's normalised entropy is ${entropy.toFixed(3)}${firstEntropy !== null ? `, down from ${ref.toFixed(3)}` : ''}, and R varies by ${rewardStd.toFixed(3)} within a task's rollouts; raise the entropy coefficient or lower the learning rate`
      : null,
  };
}
