// Stage 6: greedy evaluation on a split (seen-test, unseen-test, …). One episode per task, the
// action with the highest log π each step, the env's reset seed fixed, so the same policy gives
// the same numbers. Reports success, score, grounding accuracy and mean length in the field names
// the CLI prints (issue 9 and 10's Result sections).

import type { EnvSpec, SplitName } from '../envs/env';
import type { RolloutEngine } from './rollout';
import type { Trajectory } from './trajectory';

export interface EvalResult {
  tasks: number;
  solved: number;
  success_rate: number;
  /** Share of valid actions over all steps. */
  grounding: number;
  /** Mean final reward R. */
  score: number;
  /** Mean episode length in steps. */
  mean_length: number;
}

export interface EvalOptions {
  env: EnvSpec;
  split: SplitName;
  /** First `count` tasks of the split (0: all). */
  count: number;
  /** The env's reset seed. */
  seed: number;
  maxSteps?: number;
  /** Invalid distractors per decision (default: the engine's); grounding is only informative with some. */
  invalid?: number;
}

/** Ids of tasks start … start+count−1 of a split (count 0: to the end). */
export function taskIdsOf(env: EnvSpec, split: SplitName, start: number, count: number): string[] {
  const size = env.splits[split];
  if (size === undefined) throw new RangeError(`${env.name} has no ${split} split`);
  const n = count > 0 ? Math.min(count, size - start) : size - start;
  return Array.from({ length: Math.max(0, n) }, (_, i) => env.task(split, start + i).id);
}

export function summarize(trajs: readonly Trajectory[]): EvalResult {
  let solved = 0, valid = 0, steps = 0, score = 0;
  for (const t of trajs) {
    if (t.won) solved++;
    score += t.finalReward;
    steps += t.steps.length;
    for (const s of t.steps) if (s.valid) valid++;
  }
  const n = trajs.length;
  return { tasks: n, solved, success_rate: n ? solved / n : 0, grounding: steps ? valid / steps : 0, score: n ? score / n : 0, mean_length: n ? steps / n : 0 };
}

export async function evaluate(engine: RolloutEngine, o: EvalOptions): Promise<{ result: EvalResult; trajectories: Trajectory[] }> {
  const ids = taskIdsOf(o.env, o.split, 0, o.count);
  const { trajectories } = await engine.collect({
    env: o.env.name, iteration: 0, mode: { kind: 'greedy' }, seed: o.seed, maxSteps: o.maxSteps,
    ...(o.invalid !== undefined ? { invalid: o.invalid } : {}),
    episodes: ids.map((taskId) => ({ id: `eval/${o.split}/${taskId}`, taskId, seed: o.seed })),
  });
  return { result: summarize(trajectories), trajectories };
}
