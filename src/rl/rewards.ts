// Reward variants: how each method turns a batch of trajectories into a learning signal. Every
// formula lives here and only here (DESIGN.md §1). Notation for trajectory i with steps t = 0…T−1:
// R = its final reward, g_t ∈ {0, 1} the env's valid flag, ĉ_t the estimator's contribution.
//
//   spa             r_t = α·ĉ_t + β·(g_t − 1)                            → step-level GAE with the critic
//   progress-only   r_t = α·ĉ_t            (spa with β = 0)              → GAE
//   grounding-only  r_t = β·(g_t − 1)      (spa with α = 0)              → GAE
//   outcome         r_t = R if t = T−1, else 0                           → GAE
//   rloo            r_t = (R − mean of R over the task's other rollouts) + 0.5·g_t, on every step
//                   (the released SPA-RL code's prm/rl_data_org.py; R alone when the task has one
//                   rollout)                                              → GAE
//   gigpo           A_t = A^E + ω·A^S (critic-free, see gigpoAdvantages)  → used as the advantage
//   bc              no RL signal: the run stops after behaviour cloning
//
// Deliberate differences from the released SPA-RL code, which the research notes describe:
// - g_t is the env's own valid flag on every step, the last one included. The code matched the
//   string "Nothing happens" in the next observation and set the last step's g to 0.5 by fiat.
// - The grounding term is β·(g_t − 1), not DESIGN.md's β·g_t: a penalty β for an invalid action and
//   0 for a valid one. The two differ by the constant β on every step, and a per-step constant is
//   not neutral in an episodic task: success ends the episode, so β·g_t pays a failing episode
//   that runs to the step cap more than a short successful one (10 valid steps earn 5 at β = 0.5,
//   more than a 4-step success's 2 + R), and PPO with it learnt not to finish (RESULTS.md). The
//   difference between a valid and an invalid action, the grounding signal, is β either way.
// - There is no (T−1−t) multiplier on step rewards (the StepTool trainer's quirk that gives the
//   final action zero task reward); GAE over steps does the temporal credit instead.

import { grounding, groupByTask, type Trajectory } from './trajectory';

export const REWARD_VARIANTS = ['spa', 'outcome', 'rloo', 'gigpo', 'bc', 'progress-only', 'grounding-only'] as const;
export type RewardVariant = (typeof REWARD_VARIANTS)[number];

/** The grounding weight hard-coded in the released code's rloo reward (independent of β). */
export const RLOO_GROUNDING_WEIGHT = 0.5;
/** Added to a group's standard deviation before dividing, as verl's GRPO/GiGPO do. */
export const GROUP_STD_EPS = 1e-6;

export type GroupNorm = 'mean-std' | 'mean';

export interface RewardParams {
  /** Weight of the estimator's contribution ĉ_t. */
  alpha: number;
  /** Weight of the grounding flag g_t. */
  beta: number;
  /** Discount for GiGPO's step returns (the PPO γ). */
  gamma: number;
  /** GiGPO: ω, the weight of the step-group advantage. */
  stepWeight: number;
  /** GiGPO: subtract the group mean and divide by its std ('mean-std'), or only subtract ('mean'). */
  groupNorm: GroupNorm;
}

/**
 * What a variant hands to the PPO update:
 * - `rewards`: per-step rewards; advantages come from step-level GAE with the critic.
 * - `advantages`: the advantages themselves (critic-free); `returns` are discounted env returns,
 *   a Monte-Carlo target should the value head still be trained.
 * - `none`: no RL update (bc).
 */
export type RewardAssignment =
  | { kind: 'rewards'; rewards: Float64Array[] }
  | { kind: 'advantages'; advantages: Float64Array[]; returns: Float64Array[] }
  | { kind: 'none' };

/** ĉ_t of every step; throws naming the first step that has no annotation. */
function progressOf(t: Trajectory, variant: string): number[] {
  return t.steps.map((s, i) => {
    if (s.progress === undefined || !Number.isFinite(s.progress)) {
      throw new Error(`${variant} needs the estimator's ĉ_t: trajectory ${t.id} step ${i} has ${s.progress === undefined ? 'none' : s.progress}`);
    }
    return s.progress;
  });
}

/** r_t = α·ĉ_t + β·(g_t − 1) (see the top of the file). With α = 0 the estimator's annotations are not needed. */
export function spaRewards(trajs: readonly Trajectory[], alpha: number, beta: number, variant = 'spa'): Float64Array[] {
  return trajs.map((t) => {
    const c = alpha === 0 ? null : progressOf(t, variant);
    return Float64Array.from(t.steps, (s, i) => (c ? alpha * c[i] : 0) + beta * (grounding(s) - 1));
  });
}

/** R on the last step, 0 elsewhere. */
export function outcomeRewards(trajs: readonly Trajectory[]): Float64Array[] {
  return trajs.map((t) => {
    const r = new Float64Array(t.steps.length);
    r[r.length - 1] = t.finalReward;
    return r;
  });
}

/** v_i = R_i − mean_{j≠i} R_j over the task's rollouts (R_i alone when there are none). */
export function leaveOneOut(trajs: readonly Trajectory[]): Float64Array {
  const v = new Float64Array(trajs.length);
  for (const group of groupByTask(trajs)) {
    let sum = 0;
    for (const i of group) sum += trajs[i].finalReward;
    for (const i of group) {
      const R = trajs[i].finalReward;
      v[i] = group.length > 1 ? R - (sum - R) / (group.length - 1) : R;
    }
  }
  return v;
}

/** r_t = v_i + 0.5·g_t on every step (the released code's reward). */
export function rlooRewards(trajs: readonly Trajectory[]): Float64Array[] {
  const v = leaveOneOut(trajs);
  return trajs.map((t, i) => Float64Array.from(t.steps, (s) => v[i] + RLOO_GROUNDING_WEIGHT * grounding(s)));
}

/** G_t = Σ_{k≥t} γ^{k−t}·r_k over the env's own step rewards. */
export function discountedReturns(t: Trajectory, gamma: number): Float64Array {
  const G = new Float64Array(t.steps.length);
  let next = 0;
  for (let k = t.steps.length - 1; k >= 0; k--) G[k] = next = t.steps[k].reward + gamma * next;
  return G;
}

/**
 * Normalises `xs` in place within its group: x − mean, then ÷ (std + ε) in 'mean-std' mode, with
 * the unbiased std (torch.std, as verl computes it). A group of one has nothing to compare with,
 * so its member gets 0 (verl instead leaves the raw score there, which adds an unbaselined term).
 */
function normaliseGroup(xs: number[], norm: GroupNorm): number[] {
  const n = xs.length;
  if (n < 2) return xs.map(() => 0);
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const centred = xs.map((x) => x - mean);
  if (norm === 'mean') return centred;
  const std = Math.sqrt(centred.reduce((a, d) => a + d * d, 0) / (n - 1));
  return centred.map((d) => d / (std + GROUP_STD_EPS));
}

/**
 * GiGPO (Feng et al., arXiv 2505.10978; verl-agent gigpo/core_gigpo.py), critic-free:
 * - episode advantage A^E_i: the final rewards R normalised within the task's group of rollouts;
 * - step advantage A^S_{i,t}: the steps of the task's group taken from the same anchor state
 *   (identical `stateKey`, including a state revisited within one episode) form a step group; each
 *   step's discounted env return G_t (γ) is normalised within its step group;
 * - A_{i,t} = A^E_i + ω·A^S_{i,t}.
 * Groups of one contribute 0 (see normaliseGroup). Step groups use exact key equality, not
 * verl-agent's optional similarity threshold.
 */
export function gigpoAdvantages(trajs: readonly Trajectory[], p: Pick<RewardParams, 'gamma' | 'stepWeight' | 'groupNorm'>): { advantages: Float64Array[]; returns: Float64Array[] } {
  const returns = trajs.map((t) => discountedReturns(t, p.gamma));
  const advantages = trajs.map((t) => new Float64Array(t.steps.length));
  for (const group of groupByTask(trajs)) {
    const episode = normaliseGroup(group.map((i) => trajs[i].finalReward), p.groupNorm);
    const stepGroups = new Map<string, [number, number][]>();
    for (const i of group) {
      trajs[i].steps.forEach((s, t) => {
        const members = stepGroups.get(s.stateKey);
        if (members) members.push([i, t]);
        else stepGroups.set(s.stateKey, [[i, t]]);
      });
    }
    group.forEach((i, gi) => advantages[i].fill(episode[gi]));
    for (const members of stepGroups.values()) {
      const step = normaliseGroup(members.map(([i, t]) => returns[i][t]), p.groupNorm);
      members.forEach(([i, t], k) => { advantages[i][t] += p.stepWeight * step[k]; });
    }
  }
  return { advantages, returns };
}

/** The learning signal of `variant` for a batch of trajectories (see the table at the top). */
export function assignRewards(variant: RewardVariant, trajs: readonly Trajectory[], p: RewardParams): RewardAssignment {
  switch (variant) {
    case 'spa': return { kind: 'rewards', rewards: spaRewards(trajs, p.alpha, p.beta) };
    case 'progress-only': return { kind: 'rewards', rewards: spaRewards(trajs, p.alpha, 0, variant) };
    case 'grounding-only': return { kind: 'rewards', rewards: spaRewards(trajs, 0, p.beta, variant) };
    case 'outcome': return { kind: 'rewards', rewards: outcomeRewards(trajs) };
    case 'rloo': return { kind: 'rewards', rewards: rlooRewards(trajs) };
    case 'gigpo': return { kind: 'advantages', ...gigpoAdvantages(trajs, p) };
    case 'bc': return { kind: 'none' };
  }
}

/** Whether a variant reads the estimator's ĉ_t (so the run must train and refit one). */
export function needsEstimator(variant: RewardVariant): boolean {
  return variant === 'spa' || variant === 'progress-only';
}
