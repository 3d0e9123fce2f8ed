// `stepwise eval --policy prior` prompts a model as it was trained: the options its config.json
// declares under stepwise.prompt reach the decider, and the decider's prompt for every step of an
// episode is exactly buildMessages(state, options), before and after the history outgrows the window.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EpisodeItem, EpisodeScoreResult } from '../policy/episode-scoring';
import type { ScoreItem, ScoreResult } from '../policy/backbone-types';
import { type PromptOptions, type PromptState, buildMessages } from '../policy/prompts';
import { PriorHeads } from '../rl/policy-model';
import { deciderFor, modelPromptOptions } from './eval';

const DIM = 2;
const root = mkdtempSync(join(tmpdir(), 'stepwise-eval-prompt-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function folderWith(config: unknown): string {
  const dir = mkdtempSync(join(root, 'model-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}

/** Records the contexts it is asked to score; every candidate gets the same score. */
function recordingBackbone() {
  const contexts: unknown[] = [];
  const features = (candidates: string[]) => ({ phi: new Float32Array(DIM), candidates: candidates.map(() => ({ logprobMean: -1, psi: new Float32Array(DIM) })) });
  return {
    contexts,
    async scoreEpisodes(items: EpisodeItem[]): Promise<EpisodeScoreResult> {
      for (const it of items) contexts.push(it.context);
      return { items: items.map((it) => features(it.candidates)), profile: { renderMs: 0, tokenizeMs: 0, extendMs: 0, candidateMs: 0, kvCopyMs: 0, readoutMs: 0 }, reusedTokens: 0, contextTokensRun: 0 } as unknown as EpisodeScoreResult;
    },
    endEpisodes() {},
    async score(items: ScoreItem[]): Promise<ScoreResult> {
      for (const it of items) contexts.push(it.context);
      return { items: items.map((it) => features(it.candidates)) } as unknown as ScoreResult;
    },
  };
}

function stateAfter(steps: number): PromptState {
  return {
    env: 'household', goal: 'put a mug in the sink', initialObservation: 'You are in a kitchen.',
    history: Array.from({ length: steps }, (_, i) => ({ action: `go to shelf ${i + 1}`, observation: `On shelf ${i + 1} you see nothing.` })),
  };
}

async function promptsOverEpisode(prompt: PromptOptions, steps: number): Promise<unknown[]> {
  const backbone = recordingBackbone();
  const decider = deciderFor(backbone, new PriorHeads(DIM, DIM), prompt);
  for (let t = 0; t < steps; t++) await decider.decide([{ episode: 'e', prompt: stateAfter(t), candidates: ['look', 'inventory'] }]);
  return backbone.contexts;
}

describe('eval --policy prior prompts the model with its own prompt options', () => {
  it('reads stepwise.prompt from config.json, null when absent, and refuses a malformed one', () => {
    expect(modelPromptOptions(folderWith({ stepwise: { prompt: { historyLength: 40, showAdmissible: false } } }))).toEqual({ historyLength: 40, showAdmissible: false });
    expect(modelPromptOptions(folderWith({ model_type: 'llama' }))).toBeNull();
    expect(modelPromptOptions(null)).toBeNull();
    expect(() => modelPromptOptions(folderWith({ stepwise: { prompt: { historyLength: '40', showAdmissible: false } } }))).toThrow(/stepwise.prompt/);
  });

  it('without the admissible list, every step is prompted as buildMessages(state, options), past the history length too', async () => {
    const prompt: PromptOptions = { historyLength: 3, showAdmissible: false };
    const seen = await promptsOverEpisode(prompt, 9);
    expect(seen).toHaveLength(9);
    seen.forEach((context, t) => expect(context).toEqual({ messages: buildMessages(stateAfter(t), prompt) }));
    // The window did move: the last prompt shows the last 3 of its 8 past actions.
    expect(JSON.stringify(seen[8])).not.toContain('go to shelf 5');
    expect(JSON.stringify(seen[8])).toContain('go to shelf 6');
  });

  it('with the admissible list, every step is prompted whole with the candidates listed', async () => {
    const prompt: PromptOptions = { historyLength: 2, showAdmissible: true, maxAdmissible: 10 };
    const seen = await promptsOverEpisode(prompt, 4);
    seen.forEach((context, t) => expect(context).toEqual({ messages: buildMessages({ ...stateAfter(t), admissible: ['look', 'inventory'] }, prompt) }));
  });
});
