// Stage 6: greedy evaluation on a split (seen-test, unseen-test, …). One episode per task, the
// action with the highest log π each step, the env's reset seed fixed, so the same policy gives
// the same numbers. Reports success, score, grounding accuracy and mean length in the field names
// the CLI prints (issue 9 and 10's Result sections).

import type { EnvSpec, SplitName } from '../envs/env';
import { playEpisodes, type ActingPolicy, type Episode } from './episode-loop';
import type { FeatureSource } from './features';

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
  /** First `count` tasks of the split (0 or absent: all). */
  count?: number;
  seed: number;
  features: FeatureSource;
  policy: ActingPolicy;
  maxSteps?: number;
  parallel?: number;
  checkpoint?: () => Promise<void>;
  onRound?: (decisions: number) => void;
}

export function taskIdsOf(env: EnvSpec, split: SplitName, start: number, count: number): string[] {
  const size = env.splits[split];
  if (size === undefined) throw new RangeError(`${env.name} has no ${split} split`);
  const n = count > 0 ? Math.min(count, size - start) : size - start;
  return Array.from({ length: Math.max(0, n) }, (_, i) => env.task(split, start + i).id);
}

export function summarize(episodes: readonly Episode[]): EvalResult {
  let solved = 0, valid = 0, steps = 0, score = 0;
  for (const { trajectory: t } of episodes) {
    if (t.won) solved++;
    score += t.finalReward;
    steps += t.steps.length;
    for (const s of t.steps) if (s.valid) valid++;
  }
  const n = episodes.length;
  return { tasks: n, solved, success_rate: n ? solved / n : 0, grounding: steps ? valid / steps : 0, score: n ? score / n : 0, mean_length: n ? steps / n : 0 };
}

export async function evaluate(o: EvalOptions): Promise<{ result: EvalResult; episodes: Episode[] }> {
  const ids = taskIdsOf(o.env, o.split, 0, o.count ?? 0);
  const episodes = await playEpisodes({
    env: o.env, features: o.features, policy: o.policy, sampling: { kind: 'greedy' }, maxSteps: o.maxSteps, parallel: o.parallel,
    checkpoint: o.checkpoint, onRound: o.onRound,
    episodes: ids.map((taskId) => ({ id: `eval/${o.split}/${taskId}`, taskId, seed: o.seed, iteration: -1 })),
  });
  return { result: summarize(episodes), episodes };
}
