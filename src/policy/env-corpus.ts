// Text of the environments, for fitting the bundled model's tokenizer and measuring how well a
// tokenizer covers them. Episodes are played by each environment's own expert, so the corpus
// holds exactly what the agent reads (observations, goals, admissible actions) and writes
// (actions), plus the prompt scaffolding around them.

import type { EnvSpec, SplitName } from '../envs/env';
import { renderChatML } from './chatml';
import { type PromptState, allInstructions, buildMessages } from './prompts';

export interface CorpusOptions {
  /** Episodes per split, taken from the start of the split (task order is frozen, so this is stable). */
  episodes: Partial<Record<SplitName, number>>;
  /** Seed passed to reset(); environments are deterministic in (taskId, seed). */
  seed?: number;
}

export interface EnvCorpus {
  env: string;
  version: string;
  split: SplitName;
  episodes: number;
  steps: number;
  texts: string[];
}

/** Plays `count` expert episodes of one split and returns every text the agent would see or write. */
export function episodeTexts(spec: EnvSpec, split: SplitName, count: number, seed = 0): EnvCorpus {
  const texts: string[] = [];
  const available = spec.splits[split] ?? 0;
  const n = Math.min(count, available);
  let steps = 0;
  const env = spec.create();
  for (let i = 0; i < n; i++) {
    const task = spec.task(split, i);
    const first = env.reset(task.id, seed);
    const state: PromptState = { env: spec.name, goal: first.goal, initialObservation: first.text, history: [] };
    texts.push(first.goal, first.text);
    for (let t = 0; t < spec.maxSteps; t++) {
      const admissible = env.admissibleActions();
      texts.push(admissible.join('\n'));
      const action = env.expert();
      if (action === null) break;
      const result = env.step(action);
      steps++;
      texts.push(action, result.observation.text);
      state.history.push({ action, observation: result.observation.text });
      if (result.done) break;
    }
    // One rendered prompt per episode teaches the scaffolding ("Task:", "Observation:", the chat markers).
    state.admissible = env.admissibleActions();
    texts.push(renderChatML(buildMessages(state), true));
  }
  return { env: spec.name, version: spec.version, split, episodes: n, steps, texts };
}

export function collectCorpus(specs: EnvSpec[], options: CorpusOptions): EnvCorpus[] {
  const out: EnvCorpus[] = [];
  for (const spec of specs) {
    for (const [split, count] of Object.entries(options.episodes) as Array<[SplitName, number]>) {
      if (!count || !spec.splits[split]) continue;
      out.push(episodeTexts(spec, split, count, options.seed ?? 0));
    }
  }
  return out;
}

/** Scaffolding that appears in every prompt regardless of the environment. */
export function scaffoldingTexts(): string[] {
  return allInstructions();
}
