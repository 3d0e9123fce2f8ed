// The trajectory record every stage after the rollout engine reads: reward assignment, GAE, the
// estimator, persistence, export and the trajectory viewer. One record per episode, one step
// record per decision. Plain JSON data (no typed arrays), so it structured-clones to workers,
// stores in IndexedDB and serialises to JSONL unchanged.

/** One decision of the policy and what the environment answered. */
export interface StepRecord {
  /** What the agent read before deciding, exactly as the environment printed it. */
  observation: string;
  /**
   * The candidates the policy scored, in order: the env's admissible actions at this state, plus
   * any invalid distractors the engine mixed in (rl/candidates.ts). The name predates the
   * distractors and is kept because every export format reads it.
   */
  admissible: string[];
  /** Index of the chosen action in `admissible` (the chosen string is what env.step received). */
  action: number;
  /** log π_old(a_t | s_t) of the chosen action under the policy that collected the step. */
  logpOld: number;
  /** π_old over every candidate (same length and order as `admissible`; sums to 1). */
  probs: number[];
  /** V(s_t) from the value head at collection time. */
  value: number;
  /** g_t: the environment executed the action (false for "Nothing happens." and equivalents). */
  valid: boolean;
  /** The environment's reward for this step (R on the last step of our envs, 0 before). */
  reward: number;
  done: boolean;
  won: boolean;
  /** The env's key of the state the decision was taken in: identical states, identical keys (GiGPO). */
  stateKey: string;
  /** ĉ_t from the progress estimator, once the trajectory is annotated. */
  progress?: number;
}

/** One episode. `seed` is the environment's reset seed: rollouts of one task share it. */
export interface Trajectory {
  /** Unique within a run, e.g. "it3/household:train:12/k5". */
  id: string;
  env: string;
  /** The env's content version when the episode was played. */
  envVersion?: string;
  taskId: string;
  seed: number;
  /** PPO iteration that collected it (0 for exploration before the first update). */
  iteration: number;
  /** The task sentence, as the environment states it at reset. */
  goal: string;
  steps: StepRecord[];
  /** R ∈ [0, 1], the episode's final reward. */
  finalReward: number;
  won: boolean;
  /**
   * V of the state after the last step when the episode was cut off by the step cap rather than
   * ended by the env; 0 (or absent) when it ended. GAE bootstraps from it.
   */
  bootstrapValue?: number;
  /** Id of the policy checkpoint that played it. */
  checkpoint?: string;
}

/** The chosen action's text. */
export function actionText(s: StepRecord): string {
  return s.admissible[s.action];
}

/** g_t as a number: 1 for a valid action, 0 otherwise. */
export function grounding(s: StepRecord): number {
  return s.valid ? 1 : 0;
}

/** Total number of steps over a batch of trajectories. */
export function totalSteps(trajs: readonly Trajectory[]): number {
  let n = 0;
  for (const t of trajs) n += t.steps.length;
  return n;
}

/**
 * Trajectories grouped by task, in first-seen order. Rollouts of one task share their reset seed,
 * so a group is the K rollouts from one initial state: RLOO's leave-one-out baseline and GiGPO's
 * episode group both read this.
 */
export function groupByTask(trajs: readonly Trajectory[]): number[][] {
  const groups = new Map<string, number[]>();
  trajs.forEach((t, i) => {
    const g = groups.get(t.taskId);
    if (g) g.push(i);
    else groups.set(t.taskId, [i]);
  });
  return [...groups.values()];
}

/**
 * Throws a RangeError naming the trajectory and step when a record is inconsistent: no steps, an
 * action index outside the candidates, probabilities of the wrong length, non-finite numbers.
 */
export function checkTrajectory(t: Trajectory): void {
  const where = (i?: number) => `trajectory ${t.id}${i === undefined ? '' : ` step ${i}`}`;
  if (t.steps.length === 0) throw new RangeError(`${where()}: has no steps`);
  if (!Number.isFinite(t.finalReward)) throw new RangeError(`${where()}: finalReward is ${t.finalReward}`);
  t.steps.forEach((s, i) => {
    if (s.admissible.length === 0) throw new RangeError(`${where(i)}: no admissible actions`);
    if (!Number.isInteger(s.action) || s.action < 0 || s.action >= s.admissible.length) {
      throw new RangeError(`${where(i)}: action ${s.action} is outside 0…${s.admissible.length - 1}`);
    }
    if (s.probs.length !== s.admissible.length) {
      throw new RangeError(`${where(i)}: ${s.probs.length} probabilities for ${s.admissible.length} actions`);
    }
    for (const [k, v] of [['logpOld', s.logpOld], ['value', s.value], ['reward', s.reward]] as const) {
      if (!Number.isFinite(v)) throw new RangeError(`${where(i)}: ${k} is ${v}`);
    }
  });
}
