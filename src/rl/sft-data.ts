// SFT data: expert episodes rendered exactly as the policy's prompts are, tokenised, with a loss
// mask on the action tokens and their end-of-turn marker only.
//
// For step t the policy reads context_t = render(buildMessages(state_t, prompt), true) and scores
// candidate_t = action_t + endOfTurn (policy/prompts chatFrame). When context_{t+1} begins with
// context_t + candidate_t (the prompt is append-only: no admissible list, history long enough),
// step t+1 continues the same sequence, so one causal pass trains every step of an episode;
// otherwise it starts a new sequence. Either way each action is predicted from exactly the
// tokens the policy will see, because the pieces are encoded where the policy's own encoding
// splits: after the context (a pre-token boundary, which prompts.ts guarantees) and after the
// end-of-turn special token.

import type { EnvSpec, SplitName } from '../envs/env';
import { renderChatML } from '../policy/chatml';
import { type ChatRenderer, type PromptOptions, type PromptState, buildMessages, endOfTurnMarker } from '../policy/prompts';

export interface SftTokenizer {
  encode(text: string): number[];
}

/** One training sequence: tokens, and 1 where the token carries the loss (it is predicted from the tokens before it). */
export interface SftSequence {
  env: string;
  split: SplitName;
  /** Task index within the split. */
  task: number;
  /** The episode steps whose actions this sequence trains. */
  firstStep: number;
  steps: number;
  tokens: Uint32Array;
  lossMask: Uint8Array;
  lossTokens: number;
}

/** Thrown for a sequence with no loss-carrying token: it would train nothing while looking like a zero loss. */
export class EmptySftMaskError extends Error {
  override readonly name = 'EmptySftMaskError';
}

export interface SftRenderOptions {
  prompt: PromptOptions;
  /** The chat template; ChatML (what the bundled model's tokenizer carries) by default. */
  render?: ChatRenderer;
}

export interface ExpertStep {
  context: string;
  action: string;
}

/** Plays the expert on one task and returns, per step, the policy's context and the expert's action. */
export function expertSteps(spec: EnvSpec, split: SplitName, index: number, seed: number, options: SftRenderOptions): { steps: ExpertStep[]; won: boolean } {
  const render = options.render ?? renderChatML;
  const env = spec.create();
  const first = env.reset(spec.task(split, index).id, seed);
  const state: PromptState = { env: spec.name, goal: first.goal, initialObservation: first.text, history: [] };
  const steps: ExpertStep[] = [];
  let won = false;
  for (let t = 0; t < spec.maxSteps; t++) {
    state.admissible = env.admissibleActions();
    const action = env.expert();
    if (action === null) break;
    steps.push({ context: render(buildMessages(state, options.prompt), true), action });
    const result = env.step(action);
    state.history.push({ action, observation: result.observation.text });
    if (result.done) {
      won = result.won;
      break;
    }
  }
  return { steps, won };
}

/**
 * The sequences of one episode. Pieces are encoded separately at the boundaries where the
 * policy's own tokenisation splits (see the header), so the tokens equal the policy's.
 */
export function episodeSequences(
  meta: { env: string; split: SplitName; task: number },
  steps: readonly ExpertStep[],
  tokenizer: SftTokenizer,
  endOfTurn: string,
): SftSequence[] {
  const out: SftSequence[] = [];
  let text = '';
  let tokens: number[] = [];
  let mask: number[] = [];
  let firstStep = 0;
  const flush = (end: number) => {
    if (!tokens.length) return;
    const lossTokens = mask.reduce((a, b) => a + b, 0);
    if (!lossTokens) throw new EmptySftMaskError(`${meta.env} ${meta.split} task ${meta.task}, steps ${firstStep}-${end - 1}: no token carries the loss`);
    out.push({ ...meta, firstStep, steps: end - firstStep, tokens: Uint32Array.from(tokens), lossMask: Uint8Array.from(mask), lossTokens });
  };
  steps.forEach((step, t) => {
    const candidate = step.action + endOfTurn;
    if (tokens.length && step.context.startsWith(text)) {
      const extra = tokenizer.encode(step.context.slice(text.length));
      tokens.push(...extra);
      mask.push(...extra.map(() => 0));
    } else {
      flush(t);
      firstStep = t;
      tokens = tokenizer.encode(step.context);
      mask = tokens.map(() => 0);
    }
    const ids = tokenizer.encode(candidate);
    if (!ids.length) throw new EmptySftMaskError(`${meta.env} ${meta.split} task ${meta.task} step ${t}: the action "${step.action}" encodes to no tokens`);
    tokens.push(...ids);
    mask.push(...ids.map(() => 1));
    text = step.context + candidate;
  });
  flush(steps.length);
  return out;
}

export interface SftDataOptions extends SftRenderOptions {
  split: SplitName;
  /** Expert episodes per environment, from the start of the split (task order is frozen). Default: the whole split. */
  episodes?: number;
  seed?: number;
  /** Sequences longer than this are left out (and counted), never cut: a cut prompt is not what the policy reads. */
  maxLength: number;
}

export interface SftDataStats {
  env: string;
  split: SplitName;
  episodes: number;
  /** Episodes the expert did not win: left out, an expert that fails is no teacher. */
  unsolved: number;
  sequences: number;
  tooLong: number;
  tokens: number;
  lossTokens: number;
}

export interface SftData {
  sequences: SftSequence[];
  stats: SftDataStats[];
}

/** Expert sequences of one split of each environment. Deterministic in (specs, options). */
export function buildSftData(specs: readonly EnvSpec[], tokenizer: SftTokenizer, options: SftDataOptions): SftData {
  const endOfTurn = endOfTurnMarker(options.render ?? renderChatML);
  if (!endOfTurn) throw new Error('the chat template writes no end-of-turn marker after a reply; SFT needs one to close each action');
  const sequences: SftSequence[] = [];
  const stats: SftDataStats[] = [];
  for (const spec of specs) {
    const available = spec.splits[options.split] ?? 0;
    const n = Math.min(options.episodes ?? available, available);
    const s: SftDataStats = { env: spec.name, split: options.split, episodes: n, unsolved: 0, sequences: 0, tooLong: 0, tokens: 0, lossTokens: 0 };
    for (let i = 0; i < n; i++) {
      const { steps, won } = expertSteps(spec, options.split, i, options.seed ?? 0, options);
      if (!won) {
        s.unsolved++;
        continue;
      }
      for (const seq of episodeSequences({ env: spec.name, split: options.split, task: i }, steps, tokenizer, endOfTurn)) {
        if (seq.tokens.length > options.maxLength) {
          s.tooLong++;
          continue;
        }
        sequences.push(seq);
        s.sequences++;
        s.tokens += seq.tokens.length;
        s.lossTokens += seq.lossTokens;
      }
    }
    stats.push(s);
  }
  return { sequences, stats };
}

/** Packed sequences in the layout the transformer's step takes (nn/transformer.ref TransformerBatch). */
export interface SftBatch {
  tokens: Uint32Array;
  lengths: number[];
  lossMask: Uint8Array;
  lossTokens: number;
}

/**
 * Packs sequences, in the given order, into batches of at most `maxTokens` rows each (a sequence
 * never straddles two batches; attention stays inside each sequence).
 */
export function packSequences(sequences: readonly SftSequence[], maxTokens: number): SftBatch[] {
  const batches: SftBatch[] = [];
  let group: SftSequence[] = [];
  let rows = 0;
  const emit = () => {
    if (!group.length) return;
    const tokens = new Uint32Array(rows);
    const lossMask = new Uint8Array(rows);
    let at = 0;
    for (const s of group) {
      tokens.set(s.tokens, at);
      lossMask.set(s.lossMask, at);
      at += s.tokens.length;
    }
    batches.push({ tokens, lossMask, lengths: group.map((s) => s.tokens.length), lossTokens: group.reduce((n, s) => n + s.lossTokens, 0) });
    group = [];
    rows = 0;
  };
  for (const s of sequences) {
    if (s.tokens.length > maxTokens) throw new RangeError(`a sequence of ${s.tokens.length} tokens does not fit a batch of ${maxTokens}`);
    if (rows + s.tokens.length > maxTokens) emit();
    group.push(s);
    rows += s.tokens.length;
  }
  emit();
  return batches;
}
