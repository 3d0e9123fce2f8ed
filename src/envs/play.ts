// Playing one episode of any environment and recording it as a transcript. The CLI's
// `env play` prints these; the golden-transcript tests compare them with committed files.

import type { EnvSpec, SplitName, StepResult } from './env';

export interface TranscriptStep {
  action: string;
  observation: string;
  valid: boolean;
  reward: number;
  done: boolean;
}

/** The `env play --json` shape (issue 5), plus the split and the first observation. */
export interface Transcript {
  env: string;
  task: number;
  seed: number;
  goal: string;
  steps: TranscriptStep[];
  reward: number;
  won: boolean;
  split: SplitName;
  initial_observation: string;
}

/** Where the actions come from: the expert, or a fixed list (played until it ends or the episode does). */
export type Policy = { kind: 'expert' } | { kind: 'actions'; actions: readonly string[] };

export function playEpisode(spec: EnvSpec, split: SplitName, index: number, seed: number, policy: Policy): Transcript {
  const ref = spec.task(split, index);
  const env = spec.create();
  const first = env.reset(ref.id, seed);
  const steps: TranscriptStep[] = [];
  let last: StepResult | null = null;
  let total = 0;
  for (let i = 0; ; i++) {
    if (last?.done) break;
    let action: string | null;
    if (policy.kind === 'expert') action = env.expert();
    else action = i < policy.actions.length ? policy.actions[i] : null;
    if (action === null) break;
    last = env.step(action);
    total += last.reward;
    steps.push({
      action,
      observation: last.observation.text,
      valid: last.valid,
      reward: last.reward,
      done: last.done,
    });
    if (steps.length > 10_000) throw new Error(`${spec.name}: episode did not end after 10000 steps`);
  }
  return {
    env: spec.name,
    task: index,
    seed,
    goal: first.goal,
    steps,
    reward: total,
    won: last?.won ?? false,
    split,
    initial_observation: first.text,
  };
}

/** Human-readable transcript: the first observation, then "> action" and what came back. */
export function formatTranscript(t: Transcript): string {
  const lines: string[] = [`# ${t.env} ${t.split} task ${t.task} seed ${t.seed}`, t.initial_observation, ''];
  for (const s of t.steps) {
    lines.push(`> ${s.action}`);
    lines.push(s.observation);
    const flags = [s.valid ? '' : 'invalid', s.reward ? `reward ${s.reward}` : '', s.done ? 'done' : ''].filter(Boolean);
    if (flags.length) lines.push(`  [${flags.join(', ')}]`);
    lines.push('');
  }
  lines.push(`reward: ${t.reward}  won: ${t.won}  steps: ${t.steps.length}`);
  return lines.join('\n');
}
