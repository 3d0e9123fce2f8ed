// Types shared by the backbone engine, its worker and the clients. No runtime imports here, so
// the main thread can speak the protocol without pulling in transformers.js.

import type { ChatMessage } from './prompts';

/** Where a model's files come from: the bundled folder or the Hugging Face hub. */
export type ModelSource = 'local' | 'hub';
/** Where transformers.js runs the model. */
export type BackboneDevice = 'wasm' | 'webgpu' | 'cpu';

export interface LoadRequest {
  modelId: string;
  source: ModelSource;
  device: BackboneDevice;
  /** transformers.js dtype ('fp32', 'q4', 'q4f16', 'q8', ...). */
  dtype: string;
  revision?: string;
  /** Folder (Node) or URL path (browser) holding `<modelId>/config.json` etc. Required for local models. */
  localModelPath?: string;
  /** Hub host, default https://huggingface.co/. Tests point it at a local server. */
  remoteHost?: string;
  /** Cache downloaded hub files in the browser's Cache API (default true for hub models). */
  useBrowserCache?: boolean;
  /** Browser only: where ORT's wasm binary and its loader live (our own build's copies). */
  wasmPaths?: { mjs?: string; wasm: string };
  /** Browser only: ORT wasm threads (needs cross-origin isolation). */
  wasmThreads?: number;
  /** Dimension of logit-sketch features when the graph has no hidden-state output. */
  sketchDim?: number;
  /**
   * A model that exists only as bytes (a run's SFT export): its folder, relative path → file
   * (config.json, onnx/model.onnx, tokenizer.json, ...). transformers.js then reads these, never
   * localModelPath or the hub; `source` must be 'local'. Build it with memory-model.ts'
   * filesLoadRequest; over the worker protocol the buffers are transferred, not copied.
   */
  files?: Record<string, ArrayBuffer>;
}

/** transformers.js progress events, narrowed to what the UI shows. */
export interface LoadProgress {
  status: 'initiate' | 'download' | 'progress' | 'done' | 'ready' | 'warmup';
  file?: string;
  loaded?: number;
  total?: number;
  /** 0..100 for the file. */
  progress?: number;
}

export interface ModelInfo {
  modelId: string;
  source: ModelSource;
  device: BackboneDevice;
  dtype: string;
  modelType: string;
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numKvHeads: number;
  headDim: number;
  featureSource: 'hidden-state' | 'logit-sketch';
  featureDim: number;
  hasChatTemplate: boolean;
  /** What the chat template writes after an assistant reply ('' without a template). */
  endOfTurn: string;
  eosTokenIds: number[];
  padTokenId: number;
  supportsLogitsToKeep: boolean;
  /**
   * The graph scores several candidates in one row (range attention and a token_logprobs output,
   * as onnx-decoder-writer.ts writes them); episode scoring then runs one trie row per context.
   */
  supportsRangeAttention?: boolean;
  /**
   * The graph has tree_logprobs (log p of each trie node given its parent) and new_key_values.*
   * (the call's own KV) outputs: trie passes then fetch one float per position instead of the
   * logits, and the new positions' KV instead of the whole present.
   */
  supportsTreeLogprobs?: boolean;
  loadMs: number;
  warmupMs: number;
}

/**
 * A context is either finished text (the candidate is appended after `candidatePrefix`, then
 * closed by `candidateSuffix`) or chat messages, which the backbone renders with the model's
 * chat template (or a plain transcript when it has none) and frames itself.
 */
export type ScoreContext =
  | { text: string; candidatePrefix?: string; candidateSuffix?: string }
  | { messages: ChatMessage[] };

export interface ScoreItem {
  context: ScoreContext;
  candidates: string[];
}

export type ScoreStrategy = 'auto' | 'full' | 'prefix';

export interface ScoreOptions {
  /** Return φ(s) per item and ψ(a) per candidate. */
  features?: boolean;
  /** 'prefix' reuses each context's KV cache for its candidates; 'full' runs context+candidate rows. */
  strategy?: ScoreStrategy;
  /** Also return every scored token's log-probability (for checks and the trajectory viewer). */
  tokenLogprobs?: boolean;
  /**
   * 'prefix' only: bytes the CPU-side arrays of one step may take (context caches, per-candidate
   * cache copies, pass outputs); larger batches run in chunks. Default 128 MiB.
   */
  memoryBudgetBytes?: number;
}

/** How the prefix strategy split a batch to stay within its memory budget. */
export interface PrefixMemory {
  budgetBytes: number;
  /** Most bytes held at once, summed from the tensors actually built and returned. */
  peakBytes: number;
  contextPasses: number;
  candidatePasses: number;
}

export interface CandidateScore {
  /** Σ log p(token) over the candidate's scored tokens (prefix + action + suffix). */
  logprobSum: number;
  /** logprobSum / tokens: the length-normalised ℓ(a|s). */
  logprobMean: number;
  tokens: number;
  tokenLogprobs?: Float32Array;
  psi?: Float32Array;
}

export interface ItemScore {
  contextTokens: number;
  phi?: Float32Array;
  candidates: CandidateScore[];
}

export interface ScoreResult {
  items: ItemScore[];
  strategy: 'full' | 'prefix';
  /** Wall time of tokenisation and chat-template rendering. */
  prepareMs: number;
  /** Wall time inside the ONNX runs. */
  forwardMs: number;
  totalMs: number;
  /** Token positions the model processed (padding included). */
  tokensProcessed: number;
  candidates: number;
  /** Set by the 'prefix' strategy. */
  memory?: PrefixMemory;
}

export interface GenerateRequest {
  context: ScoreContext;
  maxNewTokens?: number;
  /** 0 = greedy. */
  temperature?: number;
  topK?: number;
  topP?: number;
  /** Seeds transformers.js' sampler so a run can be replayed. */
  seed?: number;
  /** Generation stops once the text contains one of these; the stop string is not returned. Default: newline. */
  stop?: string[];
}

export interface GenerateResult {
  text: string;
  tokens: number;
  finishReason: 'stop' | 'eos' | 'length';
  ms: number;
}

// ---- worker protocol

/**
 * The LLM worker's methods, over the core worker transport. Failures travel as
 * SerializedModelError and are rebuilt as ModelError on the caller's side.
 */
export interface BackboneProtocol {
  load: { request: LoadRequest; response: ModelInfo; progress: LoadProgress };
  score: { request: { items: ScoreItem[]; options: ScoreOptions }; response: ScoreResult };
  generate: { request: GenerateRequest; response: GenerateResult };
  /**
   * Scores live episodes' decisions, reusing each episode's KV cache inside the worker
   * (Backbone.scoreEpisodes): only prompts and candidates go in, only scores and φ/ψ come out.
   */
  scoreEpisodes: { request: { items: EpisodeItem[]; options: EpisodeScoreOptions }; response: EpisodeScoreResult };
  /** Releases finished episodes' caches in the worker. */
  endEpisodes: { request: { episodes: string[] }; response: null };
  dispose: { request: null; response: null };
}

// The episode scorer's types live here, beside the other scoring types, so that this module imports
// no implementation (episode-scoring.ts re-exports them for its callers).

/** One live episode's decision: its current prompt and the actions to score. */
export interface EpisodeItem {
  /** The episode's id; its cache is kept under it until `end`. */
  episode: string;
  context: ScoreContext;
  candidates: string[];
}

export interface EpisodeScoreOptions {
  /** Return φ(s) per item and ψ(a) per candidate. */
  features?: boolean;
  tokenLogprobs?: boolean;
  /** Bytes the CPU-side arrays of one pass may take; larger batches run in chunks. Default 128 MiB. */
  memoryBudgetBytes?: number;
  /**
   * 'exact' (default): ℓ over the framed candidate with its end-of-turn suffix and ψ(a) in the
   * context, one row per candidate; equals Backbone.score on the same prompt.
   * 'shared-prefix': ℓ over the action's tokens only, candidates that differ in their last token
   * read from one row, ψ(a) from the action alone (cached per action text). Fewer and shorter
   * rows; the features then mean something else, so train and roll out with the same choice.
   */
  scoring?: 'exact' | 'shared-prefix';
  /**
   * How passes lay out their rows: 'trie' (default where the graph has range attention) runs
   * each context's appended tokens and all its candidates, as a trie, in one row; 'rows' extends
   * the contexts in one pass and gives each candidate its own row on a copy of its context's
   * cache in another (the only layout for other graphs). Both give the same scores up to float
   * rounding.
   */
  layout?: 'trie' | 'rows';
}

/** Where one call's time went (ms). */
export interface EpisodeScoreProfile {
  /** Framing contexts (chat template rendering). */
  renderMs: number;
  /** Tokenising appended text and candidates (candidates mostly from the token cache). */
  tokenizeMs: number;
  /** ONNX runs of the extension passes. */
  extendMs: number;
  /** ONNX runs of the candidate passes (trie passes, which also extend the contexts, count here). */
  candidateMs: number;
  /** Building padded past tensors and compacting the present caches. */
  kvCopyMs: number;
  /** Log-probabilities and features from the logits and hidden states. */
  readoutMs: number;
}

export interface EpisodeScoreResult {
  items: ItemScore[];
  totalMs: number;
  profile: EpisodeScoreProfile;
  /** Context tokens read from cached KV instead of being recomputed. */
  reusedTokens: number;
  /** Context tokens run in this call. */
  contextTokensRun: number;
  /** Distinct contexts extended, and distinct candidate rows run (after sharing). */
  contextRows: number;
  candidateRows: number;
  /** Items whose prompt was not an extension of their episode's cache (fresh or re-anchored). */
  restarts: number;
  /** Token positions the model processed, padding included. */
  tokensProcessed: number;
  extensionPasses: number;
  candidatePasses: number;
}
