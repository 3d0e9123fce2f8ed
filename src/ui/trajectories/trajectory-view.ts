// What the trajectory viewer shows, computed without a DOM: the split a trajectory came from,
// filters, the running Σĉ, and each step's training values. r_t and the advantage are recomputed
// from the stored batch with the run's reward variant and GAE settings (rl/rewards, rl/advantages:
// the same code the trainer runs), so they match training when the batch is the iteration's whole
// batch. The ratio and clip status depend on the updated policy and exist only where the trainer
// or an imported per-step JSONL recorded them.

import type { SplitName } from '../../envs/env';
import { PPO_BATCH_COL, PPO_BATCH_STRIDE } from '../../kernels/ppo';
import { stepAdvantagesCpu } from '../../rl/advantages';
import { assignRewards, type RewardVariant } from '../../rl/rewards';
import type { Trajectory } from '../../rl/trajectory';
import type { RunConfig } from '../../run/config';
import type { StepAnnotation } from '../../run/formats/steps-jsonl';
import { outcomeOf, type Outcome } from '../lab/outcome';

const SPLITS: readonly SplitName[] = ['train', 'seen-test', 'unseen-test', 'test'];

/**
 * The split a trajectory belongs to: named in its id or task id as "<env>:<split>:<n>" or
 * "/<split>/" when the rollout engine wrote one, else the run's training split.
 */
export function splitOf(t: Trajectory, runSplit: SplitName | undefined): SplitName | 'unknown' {
  for (const s of SPLITS) {
    const re = new RegExp(`(^|[:/])${s}([:/]|$)`);
    if (re.test(t.taskId) || re.test(t.id)) return s;
  }
  return runSplit ?? 'unknown';
}

export interface TrajectoryFilter {
  iteration: number;
  split: SplitName | 'all';
  success: 'all' | Outcome;
}

export function filterTrajectories(trajs: readonly Trajectory[], f: TrajectoryFilter, runSplit?: SplitName): Trajectory[] {
  return trajs.filter((t) =>
    (f.iteration < 0 || t.iteration === f.iteration) &&
    (f.split === 'all' || splitOf(t, runSplit) === f.split) &&
    (f.success === 'all' || outcomeOf(t) === f.success));
}

/** Σ_{k≤t} ĉ_k per step; null from the first step without an estimate. */
export function cumulativeProgress(t: Trajectory): (number | null)[] {
  let sum = 0;
  let known = true;
  return t.steps.map((s) => {
    if (s.progress === undefined || !Number.isFinite(s.progress)) known = false;
    if (!known) return null;
    sum += s.progress!;
    return sum;
  });
}

export interface StepCredit {
  /** r_t by the run's reward variant; null where the variant cannot assign one. */
  reward: number | null;
  /** The advantage PPO used (whitened over the batch for GAE variants); null likewise. */
  advantage: number | null;
  ratio: number | null;
  clipped: boolean | null;
}

export interface CreditResult {
  /** Per trajectory id, one entry per step. */
  credit: Map<string, StepCredit[]>;
  /** Why r_t and the advantage are missing, when they are (no estimate yet, bc). */
  note: string | null;
}

type CreditConfig = Pick<RunConfig, 'reward' | 'alpha' | 'beta'> & { ppo: Pick<RunConfig['ppo'], 'gamma' | 'lambda'>; gigpo: Pick<RunConfig['gigpo'], 'stepWeight' | 'groupNorm'> };

/**
 * r_t, A_t (and, where recorded, ratio and clip) for every step of one iteration's batch. Recorded
 * values (an import's reward_total and advantage) win over recomputed ones.
 */
export function creditOf(batch: readonly Trajectory[], config: CreditConfig, recorded?: ReadonlyMap<string, readonly (StepAnnotation | undefined)[]>): CreditResult {
  const credit = new Map<string, StepCredit[]>();
  let note: string | null = null;
  let rewards: ArrayLike<number>[] | null = null;
  let advantages: Float32Array | null = null;
  try {
    const variant = config.reward as RewardVariant;
    const a = assignRewards(variant, batch, { alpha: config.alpha, beta: config.beta, gamma: config.ppo.gamma, stepWeight: config.gigpo.stepWeight, groupNorm: config.gigpo.groupNorm });
    if (a.kind === 'none') note = `${variant} assigns no step reward (no RL update)`;
    else {
      rewards = a.kind === 'rewards' ? a.rewards : null;
      const adv = stepAdvantagesCpu(batch, a, { gamma: config.ppo.gamma, lambda: config.ppo.lambda });
      advantages = adv.batch;
    }
  } catch (e) {
    note = (e as Error).message;
  }
  let row = 0;
  batch.forEach((t, i) => {
    const rec = recorded?.get(t.id);
    credit.set(t.id, t.steps.map((_, k) => {
      const r = rec?.[k];
      const c: StepCredit = {
        reward: r?.reward_total ?? (rewards ? rewards[i][k] : null),
        // The PPO batch holds PPO_BATCH_STRIDE floats per step, the advantage in its column.
        advantage: r?.advantage ?? (advantages ? advantages[(row + k) * PPO_BATCH_STRIDE + PPO_BATCH_COL.advantage] : null),
        ratio: r?.ratio ?? null,
        clipped: r?.clipped ?? null,
      };
      return c;
    }));
    row += t.steps.length;
  });
  return { credit, note };
}

/**
 * The training values a per-step JSONL carries (reward_total, advantage, ratio, clipped), which the
 * trajectory record itself does not hold; read from the same text the import validated.
 */
export function recordedAnnotations(jsonl: string): Map<string, (StepAnnotation | undefined)[]> {
  const out = new Map<string, (StepAnnotation | undefined)[]>();
  for (const line of jsonl.split('\n')) {
    if (!line.trim()) continue;
    let x: unknown;
    try { x = JSON.parse(line); } catch { continue; }
    const r = x as { type?: unknown; traj_id?: unknown; step?: unknown; reward_total?: unknown; advantage?: unknown; ratio?: unknown; clipped?: unknown };
    if (r.type !== 'step' || typeof r.traj_id !== 'string' || typeof r.step !== 'number') continue;
    const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
    const a: StepAnnotation = { reward_total: n(r.reward_total), advantage: n(r.advantage), ratio: n(r.ratio), clipped: typeof r.clipped === 'boolean' ? r.clipped : undefined };
    if (Object.values(a).every((v) => v === undefined)) continue;
    const list = out.get(r.traj_id) ?? [];
    list[r.step] = a;
    out.set(r.traj_id, list);
  }
  return out;
}
