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

/** Every split a model is evaluated on: text from these never reaches the tokenizer's fit or SFT. */
export const HELD_OUT_SPLITS: readonly SplitName[] = ['seen-test', 'unseen-test', 'test'];

/** Thrown when text from a held-out split is asked for where only training text may go. */
export class HeldOutLeakError extends Error {
  override readonly name = 'HeldOutLeakError';
}

/**
 * The tokenizer's fitting corpus: the train split of every environment and nothing else, so the
 * coverage measured on the held-out splits is the coverage of text the tokenizer never saw.
 */
export function fittingCorpus(specs: EnvSpec[], episodesPerEnv: number, seed = 0): EnvCorpus[] {
  return specs.map((spec) => {
    if (!spec.splits.train) throw new HeldOutLeakError(`${spec.name} has no train split to fit a tokenizer on`);
    return episodeTexts(spec, 'train', episodesPerEnv, seed);
  });
}

/** Expert text of every held-out split each environment has (seen-test, unseen-test, test). */
export function heldOutCorpus(specs: EnvSpec[], episodesPerSplit: number, seed = 0): EnvCorpus[] {
  return specs.flatMap((spec) => HELD_OUT_SPLITS.filter((s) => spec.splits[s]).map((split) => episodeTexts(spec, split, episodesPerSplit, seed)));
}

/**
 * The texts to fit on; throws when any corpus is not a train split (a guard for callers that
 * assemble corpora by hand).
 */
export function fittingTexts(corpora: readonly EnvCorpus[]): string[] {
  const leak = corpora.find((c) => c.split !== 'train');
  if (leak) throw new HeldOutLeakError(`${leak.env} ${leak.split} text may not be used to fit the tokenizer (train splits only)`);
  return [...scaffoldingTexts(), ...corpora.flatMap((c) => c.texts)];
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
