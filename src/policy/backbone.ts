// The frozen backbone: a causal LM run by transformers.js (onnxruntime-node in Node, ORT-web in
// the browser). It scores candidate actions by teacher forcing, extracts features and generates
// free text. This module is environment-neutral; the worker wraps it with a message protocol.
// Loading lives in model-loading.ts, the scoring passes in scoring-strategies.ts, and every
// transformers.js detail in transformers-adapter.ts.

import type { GenerateRequest, GenerateResult, LoadProgress, LoadRequest, ModelInfo, ScoreContext, ScoreItem, ScoreOptions, ScoreResult } from './backbone-types';
import { type EpisodeItem, type EpisodeScoreOptions, type EpisodeScoreResult, EpisodeScorer } from './episode-scoring';
import { ModelError, classifyModelError } from './model-errors';
import { loadModel, renderChat } from './model-loading';
import { type ChatMessage, type PromptFrame, chatFrame, plainFrame } from './prompts';
import { type PreparedBatch, scoreFull, scorePrefix } from './scoring-strategies';
import { type Outputs, type PreTrainedModel, type PreTrainedTokenizer, type Tensor, disposeGpuOutputs, generateIds, int64, logitsToKeep, readFloats, runModel, runModelFetching } from './transformers-adapter';

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

function isMessages(c: ScoreContext): c is { messages: ChatMessage[] } {
  return 'messages' in c;
}

export class Backbone {
  readonly info: ModelInfo;
  private readonly model: PreTrainedModel;
  private readonly tokenizer: PreTrainedTokenizer;
  private disposed = false;
  private episodeScorer: EpisodeScorer | null = null;

  private constructor(info: ModelInfo, model: PreTrainedModel, tokenizer: PreTrainedTokenizer) {
    this.info = info;
    this.model = model;
    this.tokenizer = tokenizer;
  }

  static async load(req: LoadRequest, onProgress: (p: LoadProgress) => void = () => {}): Promise<Backbone> {
    const { info, model, tokenizer } = await loadModel(req, onProgress);
    return new Backbone(info, model, tokenizer);
  }

  renderChat(messages: ChatMessage[], addGenerationPrompt: boolean): string {
    return renderChat(this.tokenizer, messages, addGenerationPrompt);
  }

  frameFor(context: ScoreContext): PromptFrame {
    if (!isMessages(context)) {
      return { context: context.text, candidatePrefix: context.candidatePrefix ?? '', candidateSuffix: context.candidateSuffix ?? '' };
    }
    return this.info.hasChatTemplate
      ? chatFrame(context.messages, (m, g) => this.renderChat(m, g), this.info.endOfTurn)
      : plainFrame(context.messages);
  }

  encode(text: string, addSpecialTokens: boolean): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: addSpecialTokens });
  }

  decode(ids: number[]): string {
    return this.tokenizer.decode(ids, { skip_special_tokens: true });
  }

  private prepare(items: ScoreItem[]): PreparedBatch {
    if (!items.length) throw new ModelError('bad-input', this.info.modelId, 'Nothing to score: the batch is empty.');
    const frames = items.map((it) => this.frameFor(it.context));
    // Chat templates write any BOS themselves; plain text gets the tokenizer's own special tokens.
    const contextIds = items.map((it, i) => this.encode(frames[i].context, !(isMessages(it.context) && this.info.hasChatTemplate)));
    const candidateIds = items.map((it, i) => {
      if (!it.candidates.length) throw new ModelError('bad-input', this.info.modelId, `Item ${i} has no candidate actions to score.`);
      return it.candidates.map((a, j) => {
        const ids = this.encode(frames[i].candidatePrefix + a + frames[i].candidateSuffix, false);
        if (!ids.length) throw new ModelError('bad-input', this.info.modelId, `Candidate ${j} of item ${i} is empty, so it has no tokens to score.`);
        return ids;
      });
    });
    contextIds.forEach((ids, i) => {
      if (!ids.length) throw new ModelError('bad-input', this.info.modelId, `The context of item ${i} is empty; the first token needs something to condition on.`);
    });
    return { contextIds, candidateIds };
  }

  private readonly forward = async (inputs: Record<string, unknown>): Promise<Outputs> => {
    if (this.disposed) throw new ModelError('bad-input', this.info.modelId, 'This backbone was disposed; load the model again.');
    try {
      return await runModel(this.model, inputs);
    } catch (e) {
      throw classifyModelError(e, this.info.modelId, 'run');
    }
  };

  private async run(inputs: Record<string, Tensor>, outputs: string[]): Promise<Outputs> {
    if (this.disposed) throw new ModelError('bad-input', this.info.modelId, 'This backbone was disposed; load the model again.');
    try {
      return await runModelFetching(this.model, inputs, outputs);
    } catch (e) {
      throw classifyModelError(e, this.info.modelId, 'run');
    }
  }

  /**
   * ℓ(a|s) for every candidate of every item, by teacher forcing, plus φ(s)/ψ(a) on request.
   * 'prefix' runs all contexts once (left-padded, keeping only the last logit), then the
   * candidates on top of their context's KV cache, chunked under options.memoryBudgetBytes;
   * 'full' runs every context+candidate row in one batch. 'auto' picks prefix whenever some
   * context has more than one candidate, since the shared context is then computed once instead
   * of per candidate.
   */
  async score(items: ScoreItem[], options: ScoreOptions = {}): Promise<ScoreResult> {
    const t0 = now();
    const prep = this.prepare(items);
    const prepareMs = now() - t0;
    const candidates = prep.candidateIds.reduce((n, c) => n + c.length, 0);
    const wanted = options.strategy ?? 'auto';
    const strategy = wanted === 'auto' ? (candidates > items.length ? 'prefix' : 'full') : wanted;
    const result = strategy === 'prefix' ? await scorePrefix(this.forward, this.info, prep, options) : await scoreFull(this.forward, this.info, prep, options);
    return { ...result, strategy, prepareMs, totalMs: now() - t0, candidates };
  }

  /**
   * Scores a batch of episodes' decisions, keeping each episode's KV cache until endEpisodes():
   * an episode whose prompt only grew since its last call runs just the appended tokens (see
   * episode-scoring.ts). Scores equal score() on the same prompts up to float rounding.
   */
  async scoreEpisodes(items: EpisodeItem[], options: EpisodeScoreOptions = {}): Promise<EpisodeScoreResult> {
    if (this.disposed) throw new ModelError('bad-input', this.info.modelId, 'This backbone was disposed; load the model again.');
    this.episodeScorer ??= new EpisodeScorer({
      info: this.info,
      run: (inputs, outputs) => this.run(inputs, outputs),
      frameFor: (c) => this.frameFor(c),
      encode: (text, special) => this.encode(text, special),
      addsSpecialTokens: (c) => !(isMessages(c) && this.info.hasChatTemplate),
    });
    return this.episodeScorer.score(items, options);
  }

  /** Releases the KV caches of finished episodes. */
  endEpisodes(episodes: Iterable<string>): void {
    this.episodeScorer?.end(episodes);
  }

  /** Episode caches held (for tests and the bench). */
  get episodeCache(): { episodes: number; contexts: number; bytes: number } {
    const s = this.episodeScorer;
    return { episodes: s?.liveEpisodes ?? 0, contexts: s?.cachedContexts ?? 0, bytes: s?.cachedBytes ?? 0 };
  }

  /** Raw logits of one unpadded sequence (tests compare them with references). */
  async forwardLogits(ids: number[]): Promise<{ logits: Float32Array; dims: number[] }> {
    const out = await this.forward({
      input_ids: int64([ids], ids.length, (_, t) => ids[t]),
      attention_mask: int64([ids], ids.length, () => 1),
      ...logitsToKeep(this.info.supportsLogitsToKeep, 0),
    });
    const logits = await readFloats(out.logits);
    const dims = [...out.logits.dims];
    disposeGpuOutputs(out);
    return { logits, dims };
  }

  async generate(req: GenerateRequest): Promise<GenerateResult> {
    const t0 = now();
    if (this.disposed) throw new ModelError('bad-input', this.info.modelId, 'This backbone was disposed; load the model again.');
    const frame = this.frameFor(req.context);
    const ids = this.encode(frame.context, !(isMessages(req.context) && this.info.hasChatTemplate));
    if (!ids.length) throw new ModelError('bad-input', this.info.modelId, 'Cannot generate from an empty context.');
    const stops = req.stop ?? ['\n'];
    const maxNewTokens = Math.max(1, Math.min(req.maxNewTokens ?? 32, 1024));
    let all: number[];
    try {
      all = await generateIds(this.model, this.tokenizer, ids, {
        maxNewTokens,
        temperature: req.temperature ?? 1,
        topK: req.topK ?? 0,
        topP: req.topP ?? 1,
        padTokenId: this.info.padTokenId,
        stops,
        seed: req.seed,
      });
    } catch (e) {
      throw classifyModelError(e, this.info.modelId, 'run');
    }
    const fresh = all.slice(ids.length);
    const endsWithEos = fresh.length > 0 && this.info.eosTokenIds.includes(fresh[fresh.length - 1]);
    let text = this.decode(fresh);
    let finishReason: GenerateResult['finishReason'] = endsWithEos ? 'eos' : fresh.length >= maxNewTokens ? 'length' : 'stop';
    let cut = text.length;
    for (const s of stops) {
      const at = text.indexOf(s);
      if (at >= 0 && at < cut) cut = at;
    }
    if (cut < text.length) {
      text = text.slice(0, cut);
      finishReason = 'stop';
    }
    // The plain frame's candidate starts after a space; the action itself does not.
    if (frame.candidatePrefix && text.startsWith(frame.candidatePrefix)) text = text.slice(frame.candidatePrefix.length);
    return { text: text.trim(), tokens: fresh.length, finishReason, ms: now() - t0 };
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.episodeScorer?.clear();
    await this.model.dispose();
  }
}
