// What the chat formats (SPA-RL JSON, ShareGPT, verl JSONL) cannot say about a trajectory rides
// along under a "stepwise" key: the candidates, π_old, V, flags and keys of every step. With it,
// exporting and importing again gives back the same trajectory; without it (a file from the
// released SPA-RL code or another tool), import fills in what the conversation implies.

import * as v from 'valibot';
import type { StepRecord, Trajectory } from '../../rl/trajectory';

const int = v.pipe(v.number(), v.integer());
const finite = v.pipe(v.number(), v.finite());

export const STEP_EXT = v.strictObject({
  admissible: v.pipe(v.array(v.string()), v.minLength(1)),
  action: v.pipe(int, v.minValue(0)),
  logp_old: finite,
  probs: v.array(finite),
  value: finite,
  valid: v.boolean(),
  reward: finite,
  done: v.boolean(),
  won: v.boolean(),
  state_key: v.string(),
  /** ĉ_t, when annotated (also in turn_values where the format has them, which take precedence). */
  progress: v.optional(finite),
});

export const TRAJ_EXT = v.strictObject({
  traj_id: v.pipe(v.string(), v.minLength(1)),
  env: v.string(),
  env_version: v.optional(v.string()),
  task_id: v.string(),
  seed: int,
  iteration: v.pipe(int, v.minValue(0)),
  goal: v.string(),
  won: v.boolean(),
  final_reward: finite,
  bootstrap_value: v.optional(finite),
  checkpoint: v.optional(v.string()),
  steps: v.pipe(v.array(STEP_EXT), v.minLength(1)),
});

export type TrajExt = v.InferOutput<typeof TRAJ_EXT>;

export function toExt(t: Trajectory): TrajExt {
  const ext: TrajExt = {
    traj_id: t.id, env: t.env, task_id: t.taskId, seed: t.seed, iteration: t.iteration, goal: t.goal, won: t.won, final_reward: t.finalReward,
    steps: t.steps.map((s) => {
      const e: TrajExt['steps'][number] = {
        admissible: s.admissible, action: s.action, logp_old: s.logpOld, probs: s.probs, value: s.value,
        valid: s.valid, reward: s.reward, done: s.done, won: s.won, state_key: s.stateKey,
      };
      if (s.progress !== undefined) e.progress = s.progress;
      return e;
    }),
  };
  if (t.envVersion !== undefined) ext.env_version = t.envVersion;
  if (t.bootstrapValue !== undefined) ext.bootstrap_value = t.bootstrapValue;
  if (t.checkpoint !== undefined) ext.checkpoint = t.checkpoint;
  return ext;
}

/** Rebuilds a trajectory from the extension plus what only the conversation holds; `progress` (turn values) overrides the extension's ĉ_t. */
export function fromExt(ext: TrajExt, observations: string[], finalReward: number, progress: number[] | undefined): Trajectory {
  const steps: StepRecord[] = ext.steps.map((s, i) => {
    const rec: StepRecord = {
      observation: observations[i], admissible: s.admissible, action: s.action, logpOld: s.logp_old, probs: s.probs,
      value: s.value, valid: s.valid, reward: s.reward, done: s.done, won: s.won, stateKey: s.state_key,
    };
    const c = progress ? progress[i] : s.progress;
    if (c !== undefined) rec.progress = c;
    return rec;
  });
  const t: Trajectory = {
    id: ext.traj_id, env: ext.env, taskId: ext.task_id, seed: ext.seed, iteration: ext.iteration, goal: ext.goal,
    steps, finalReward, won: ext.won,
  };
  if (ext.env_version !== undefined) t.envVersion = ext.env_version;
  if (ext.bootstrap_value !== undefined) t.bootstrapValue = ext.bootstrap_value;
  if (ext.checkpoint !== undefined) t.checkpoint = ext.checkpoint;
  return t;
}

/** Every step carries ĉ_t, so it can be exported as turn values. */
export function progressOf(t: Trajectory): number[] | undefined {
  return t.steps.every((s) => s.progress !== undefined) ? t.steps.map((s) => s.progress!) : undefined;
}
