// What the guided tour trains and shows, apart from its view so that it is testable under Node:
// the two tiny runs (SPA and outcome-only on the same seed), the pick of the trajectory to
// explain, and that trajectory's credit two ways, sparse and stepwise.
//
// Sizes: the tour must reach its result in under two minutes on a 2-core machine with WebGPU on
// SwiftShader, for both runs together. WebShop, because its reward is graded (a purchase that
// half matches the instruction earns about 0.5), so even a barely trained agent's attempts end
// with a reward to share out, where household attempts of a two-minute agent all end at 0. Its
// expert needs 4–5 steps, so an 8-step cap leaves room to wander; K = 2 rollouts of 2 tasks give
// the estimator 4 trajectories; one PPO iteration on one task and one greedy evaluation episode on
// the training split keep the rest short. e2e/tour.spec.ts measures the whole tour against its
// two minutes (about 40–95 s on the loaded 2-core machine, depending on the other work on it).

import { parseRunConfig, type RunConfig } from '../../run/config';
import type { MetricRow } from '../../run/persistence/store';
import { METRICS } from '../../run/protocol';
import { actionText, type Trajectory } from '../../rl/trajectory';

/** One seed for both runs, so they start from the same BC policy and see the same tasks. */
export const TOUR_SEED = 7;

/** Labels the tour gives its runs; a finished pair is offered again when the tour reopens. */
export const TOUR_LABELS = { spa: `Tour · SPA · seed ${TOUR_SEED}`, outcome: `Tour · outcome only · seed ${TOUR_SEED}` } as const;
export type TourMethod = keyof typeof TOUR_LABELS;

/** The environment both runs train in. */
export const TOUR_ENV = 'webshop';

/** The tour's run config for a method: everything small, the same seed and tasks for both. */
export function tourConfig(method: TourMethod): RunConfig {
  return parseRunConfig({
    env: TOUR_ENV,
    seed: TOUR_SEED,
    reward: method,
    tasks: { start: 0, count: 2 },
    // The decision cap lives in the config (not a run option), so the tour's runs show it in
    // their settings and a branch or re-evaluation of them keeps it.
    episode: { maxSteps: 8 },
    bc: { epochs: 5 },
    explore: { k: 2 },
    estimator: { hidden: 16, epochs: 10, heldOut: 0.25, refitEvery: 0 },
    ppo: { iterations: 1, tasksPerIteration: 1, epochs: 1, minibatch: 16 },
    eval: { splits: ['train'], tasks: 1 },
  });
}

/** One step of the trajectory the tour explains, credited both ways. */
export interface CreditRow {
  step: number;
  action: string;
  valid: boolean;
  /** Outcome-only credit: 0 before the last step, R on it. */
  sparse: number;
  /** SPA's ĉ_t from the run's estimator. */
  stepwise: number;
  /** Σ of ĉ up to and including this step. */
  running: number;
}

export interface CreditTwoWays {
  rows: CreditRow[];
  finalReward: number;
  /** Σ_t ĉ_t over the whole trajectory (the estimator is trained so that this matches R). */
  total: number;
  /** Index of the step with the largest ĉ_t. */
  best: number;
}

/** Whether every step of the trajectory carries ĉ_t. */
export function isCredited(t: Trajectory): boolean {
  return t.steps.length > 0 && t.steps.every((s) => typeof s.progress === 'number' && Number.isFinite(s.progress));
}

/**
 * The trajectory to explain: credited ones only; a win first, else the highest reward (its credit
 * has something to share out), then the one with at least 3 steps whose ĉ is most uneven (the stepwise view then differs
 * most from the sparse one), then the latest. Null when none is credited.
 */
export function pickTrajectory(trajs: readonly Trajectory[]): Trajectory | null {
  const credited = trajs.filter(isCredited);
  if (!credited.length) return null;
  const spread = (t: Trajectory) => {
    const c = t.steps.map((s) => s.progress as number);
    return Math.max(...c) - Math.min(...c);
  };
  const key = (t: Trajectory) => [t.won ? 1 : 0, t.finalReward, t.steps.length >= 3 ? 1 : 0, spread(t), t.iteration];
  return credited.reduce((best, t) => {
    const a = key(t), b = key(best);
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] > b[i] ? t : best;
    return best;
  });
}

/** The trajectory's credit two ways: all of R on the last step, and ĉ_t on every step. */
export function creditTwoWays(t: Trajectory): CreditTwoWays {
  if (!isCredited(t)) throw new RangeError(`trajectory ${t.id} has no ĉ_t on every step`);
  const last = t.steps.length - 1;
  let running = 0;
  const rows = t.steps.map((s, i): CreditRow => {
    const c = s.progress as number;
    running += c;
    return { step: i + 1, action: actionText(s), valid: s.valid, sparse: i === last ? t.finalReward : 0, stepwise: c, running };
  });
  const best = rows.reduce((b, r, i) => (r.stepwise > rows[b].stepwise ? i : b), 0);
  return { rows, finalReward: t.finalReward, total: running, best };
}

/** What a finished tour run achieved, from its stored metric rows. */
export interface RunSummary {
  /** Success rate of the last PPO iteration's rollouts (sampled), null when it has none. */
  rolloutSuccess: number | null;
  /** Success rate of the greedy evaluation, null when it has none. */
  evalSuccess: number | null;
  /** Share of valid actions in the last PPO iteration's rollouts. */
  grounding: number | null;
  /** Held-out MSE of the estimator (SPA only). */
  estimatorMse: number | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function summarise(rows: readonly MetricRow[]): RunSummary {
  const last = (stage: string) => [...rows].reverse().find((r) => r.stage === stage);
  const ppo = last('ppo');
  const evalRow = last('eval');
  const est = last('estimator');
  return {
    rolloutSuccess: num(ppo?.[METRICS.success]),
    evalSuccess: num(evalRow?.[METRICS.success]),
    grounding: num(ppo?.[METRICS.grounding]),
    estimatorMse: num(est?.[METRICS.estMseHeldOut]) ?? num(est?.[METRICS.estMseTrain]),
  };
}

/** "+0.31", "−0.05", "0" for the credit columns. */
export function signed(x: number, digits = 2): string {
  const r = x.toFixed(digits);
  if (Number(r) === 0) return '0';
  return x > 0 ? `+${r}` : `−${r.slice(1)}`;
}
