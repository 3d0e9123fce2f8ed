// The frozen backbone: a causal LM run by transformers.js (onnxruntime-node in Node, ORT-web in
// the browser). It scores candidate actions by teacher forcing, extracts features and generates
// free text. This module is environment-neutral; the worker wraps it with a message protocol.

import {
  AutoConfig,
  AutoModelForCausalLM,
  AutoTokenizer,
  StoppingCriteria,
  Tensor,
  env,
  random,
} from '@huggingface/transformers';
import type { PreTrainedModel, PreTrainedTokenizer } from '@huggingface/transformers';
import type {
  CandidateScore,
  GenerateRequest,
  GenerateResult,
  ItemScore,
  LoadProgress,
  LoadRequest,
  ModelInfo,
  ScoreContext,
  ScoreItem,
  ScoreOptions,
  ScoreResult,
} from './backbone-types';
import { ModelError, classifyModelError } from './model-errors';
import { type ChatMessage, type PromptFrame, chatFrame, endOfTurnMarker, plainFrame } from './prompts';
import { accumulate, logProbAt, logitSketch, toFloat32 } from './score-math';

const SKETCH_SEED = 0x5eed;
const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** The subset of a transformers.js inference session we read. */
interface SessionLike {
  inputNames: string[];
  outputNames: string[];
}

/** Model outputs: logits, present.* and whatever else the graph exports. */
type Outputs = Record<string, Tensor>;

interface Prepared {
  frames: PromptFrame[];
  contextIds: number[][];
  candidateIds: number[][][];
}

function isMessages(c: ScoreContext): c is { messages: ChatMessage[] } {
  return 'messages' in c;
}

/** transformers.js' Tensor over an ORT tensor; gpu-buffer tensors must be downloaded before reading. */
async function readFloats(t: Tensor): Promise<Float32Array> {
  if (t.location === 'gpu-buffer') {
    // ORT-web: getData(true) downloads and releases the GPU buffer.
    const ort = (t as unknown as { ort_tensor: { getData(release?: boolean): Promise<Float32Array> } }).ort_tensor;
    return ort.getData(true);
  }
  return t.data as Float32Array;
}

function disposeGpuOutputs(outputs: Outputs, keep: Set<string> = new Set()): void {
  for (const [name, t] of Object.entries(outputs)) {
    if (!keep.has(name) && t?.location === 'gpu-buffer') t.dispose();
  }
}

function int64(rows: number[][], width: number, fill: (r: number, t: number) => number): Tensor {
  const data = new BigInt64Array(rows.length * width);
  for (let r = 0; r < rows.length; r++) for (let t = 0; t < width; t++) data[r * width + t] = BigInt(fill(r, t));
  return new Tensor('int64', data, [rows.length, width]);
}

class StopOnStrings extends StoppingCriteria {
  private readonly tokenizer: PreTrainedTokenizer;
  private readonly promptLength: number;
  private readonly stops: string[];
  constructor(tokenizer: PreTrainedTokenizer, promptLength: number, stops: string[]) {
    super();
    this.tokenizer = tokenizer;
    this.promptLength = promptLength;
    this.stops = stops;
  }
  override _call(inputIds: number[][]): boolean[] {
    return inputIds.map((ids) => {
      const text = this.tokenizer.decode(ids.slice(this.promptLength).map(Number), { skip_special_tokens: true });
      return this.stops.some((s) => text.includes(s));
    });
  }
}

let fetchGuarded = false;

/**
 * Static servers with an SPA fallback (Vite's dev server and `vite preview` among them) answer a
 * missing file with index.html and status 200. Model files are never HTML, so such an answer is
 * turned back into the 404 it stands for, and the user sees "missing file", not "corrupt model".
 */
function guardFetchAgainstSpaFallback(): void {
  if (fetchGuarded) return;
  fetchGuarded = true;
  const base = env.fetch;
  env.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const res = await base(input as string, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (res.ok && /text\/html/i.test(res.headers.get('content-type') ?? '') && !/\.html?(?:[?#]|$)/i.test(url)) {
      return new Response(null, { status: 404, statusText: 'Not Found (the server answered with an HTML page)' });
    }
    return res;
  }) as typeof env.fetch;
}

/** Applies load options to transformers.js' global env. One model per worker, so global is fine. */
function configureEnv(req: LoadRequest): void {
  const isBrowser = typeof window !== 'undefined' || typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined';
  if (isBrowser) guardFetchAgainstSpaFallback();
  if (req.source === 'local') {
    if (!req.localModelPath) throw new ModelError('bad-input', req.modelId, 'A local model needs localModelPath (the folder that holds the model folders).');
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    env.localModelPath = req.localModelPath.endsWith('/') ? req.localModelPath : `${req.localModelPath}/`;
    // A rebuilt bundled model keeps its URL; caching it would serve stale weights.
    env.useBrowserCache = false;
  } else {
    // No local probe: a dev server's SPA fallback would answer missing files with index.html.
    env.allowLocalModels = false;
    env.allowRemoteModels = true;
    env.remoteHost = req.remoteHost ?? 'https://huggingface.co/';
    env.useBrowserCache = isBrowser && (req.useBrowserCache ?? true);
  }
  const wasm = env.backends.onnx?.wasm as { wasmPaths?: unknown; numThreads?: number } | undefined;
  if (wasm && req.wasmPaths) wasm.wasmPaths = { ...req.wasmPaths };
  if (wasm && req.wasmThreads) wasm.numThreads = req.wasmThreads;
}

export class Backbone {
  readonly info: ModelInfo;
  private readonly model: PreTrainedModel;
  private readonly tokenizer: PreTrainedTokenizer;
  private readonly session: SessionLike;
  private disposed = false;

  private constructor(info: ModelInfo, model: PreTrainedModel, tokenizer: PreTrainedTokenizer, session: SessionLike) {
    this.info = info;
    this.model = model;
    this.tokenizer = tokenizer;
    this.session = session;
  }

  static async load(req: LoadRequest, onProgress: (p: LoadProgress) => void = () => {}): Promise<Backbone> {
    const t0 = now();
    configureEnv(req);
    const progress_callback = (p: Record<string, unknown>): void => {
      const status = String(p.status);
      if (status === 'initiate' || status === 'download' || status === 'progress' || status === 'done' || status === 'ready') {
        onProgress({
          status,
          file: typeof p.file === 'string' ? p.file : undefined,
          loaded: typeof p.loaded === 'number' ? p.loaded : undefined,
          total: typeof p.total === 'number' ? p.total : undefined,
          progress: typeof p.progress === 'number' ? p.progress : undefined,
        });
      }
    };
    const common = { revision: req.revision ?? 'main', local_files_only: req.source === 'local', progress_callback };

    let config: Record<string, unknown>;
    try {
      config = (await AutoConfig.from_pretrained(req.modelId, common)) as unknown as Record<string, unknown>;
    } catch (e) {
      throw classifyModelError(e, req.modelId, 'load', 'config.json');
    }
    const modelType = String(config.model_type ?? '');
    if (!AutoModelForCausalLM.supports(modelType)) {
      throw new ModelError(
        'unsupported-architecture',
        req.modelId,
        `Model "${req.modelId}" is a "${modelType || 'unknown'}" model, which transformers.js cannot run as a causal language model. Stepwise needs a decoder-only LM such as llama, qwen2 or mistral.`,
        `model_type=${modelType}`,
        'config.json',
      );
    }

    let tokenizer: PreTrainedTokenizer;
    let model: PreTrainedModel;
    try {
      tokenizer = await AutoTokenizer.from_pretrained(req.modelId, common);
    } catch (e) {
      throw classifyModelError(e, req.modelId, 'load');
    }
    try {
      model = await AutoModelForCausalLM.from_pretrained(req.modelId, {
        ...common,
        device: req.device,
        dtype: req.dtype as 'fp32',
      });
    } catch (e) {
      throw classifyModelError(e, req.modelId, 'load', `onnx/model${req.dtype === 'fp32' ? '' : `_${dtypeSuffix(req.dtype)}`}.onnx`);
    }

    const sessions = (model as unknown as { sessions: Record<string, SessionLike> }).sessions;
    const session = sessions.model ?? sessions.decoder_model_merged;
    if (!session) {
      throw new ModelError('unsupported-architecture', req.modelId, `Model "${req.modelId}" has no decoder session; Stepwise needs a decoder-only causal LM.`);
    }
    if (!session.inputNames.some((n) => n.startsWith('past_key_values.'))) {
      await model.dispose();
      throw new ModelError(
        'unsupported-architecture',
        req.modelId,
        `Model "${req.modelId}" was exported without a KV cache (no past_key_values inputs). Stepwise needs the cache to score candidates and to generate; re-export it "with past".`,
        `inputs: ${session.inputNames.join(', ')}`,
      );
    }
    const hasHidden = session.outputNames.includes('last_hidden_state');
    const c = config as Record<string, number | undefined>;
    const hiddenSize = Number(c.hidden_size ?? c.n_embd ?? 0);
    const numHeads = Number(c.num_attention_heads ?? c.n_head ?? 1);
    const hasChatTemplate = Boolean((tokenizer as unknown as { chat_template?: unknown }).chat_template);
    const eos = (model as unknown as { generation_config?: { eos_token_id?: number | number[] } }).generation_config?.eos_token_id ?? c.eos_token_id;
    const eosTokenIds = (Array.isArray(eos) ? eos : eos === undefined ? [] : [eos]).map(Number);
    const padTokenId = Number(c.pad_token_id ?? eosTokenIds[0] ?? 0);

    const partial: ModelInfo = {
      modelId: req.modelId,
      source: req.source,
      device: req.device,
      dtype: req.dtype,
      modelType,
      vocabSize: Number(c.vocab_size ?? 0),
      hiddenSize,
      numLayers: Number(c.num_hidden_layers ?? c.n_layer ?? 0),
      numKvHeads: Number(c.num_key_value_heads ?? numHeads),
      headDim: Number(c.head_dim ?? hiddenSize / numHeads),
      featureSource: hasHidden ? 'hidden-state' : 'logit-sketch',
      featureDim: hasHidden ? hiddenSize : (req.sketchDim ?? 256),
      hasChatTemplate,
      endOfTurn: '',
      eosTokenIds,
      padTokenId,
      supportsLogitsToKeep: session.inputNames.includes('num_logits_to_keep'),
      loadMs: now() - t0,
      warmupMs: 0,
    };
    const backbone = new Backbone(partial, model, tokenizer, session);
    if (hasChatTemplate) partial.endOfTurn = endOfTurnMarker((m, g) => backbone.renderChat(m, g));

    // Warm-up: compiles kernels (shaders on WebGPU) and surfaces out-of-memory at load time.
    onProgress({ status: 'warmup' });
    const tw = now();
    try {
      const ids = [[padTokenId, padTokenId]];
      const out = (await model({
        input_ids: int64(ids, 2, () => padTokenId),
        attention_mask: int64(ids, 2, () => 1),
      })) as Outputs;
      disposeGpuOutputs(out);
    } catch (e) {
      await model.dispose().catch(() => {});
      throw classifyModelError(e, req.modelId, 'run');
    }
    partial.warmupMs = now() - tw;
    partial.loadMs = now() - t0;
    onProgress({ status: 'ready' });
    return backbone;
  }

  renderChat(messages: ChatMessage[], addGenerationPrompt: boolean): string {
    return this.tokenizer.apply_chat_template(messages as Array<{ role: string; content: string }>, {
      tokenize: false,
      add_generation_prompt: addGenerationPrompt,
    }) as string;
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

  private prepare(items: ScoreItem[]): Prepared {
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
    return { frames, contextIds, candidateIds };
  }

  private async run(inputs: Record<string, unknown>): Promise<Outputs> {
    if (this.disposed) throw new ModelError('bad-input', this.info.modelId, 'This backbone was disposed; load the model again.');
    try {
      return (await this.model(inputs)) as Outputs;
    } catch (e) {
      throw classifyModelError(e, this.info.modelId, 'run');
    }
  }

  private keepTensor(k: number): Record<string, Tensor> {
    return this.info.supportsLogitsToKeep ? { num_logits_to_keep: new Tensor('int64', BigInt64Array.from([BigInt(k)]), []) } : {};
  }

  /**
   * ℓ(a|s) for every candidate of every item, by teacher forcing, plus φ(s)/ψ(a) on request.
   * 'prefix' runs all contexts once (left-padded, keeping only the last logit), then all
   * candidates in one batch on top of their context's KV cache; 'full' runs every
   * context+candidate row in one batch. 'auto' picks prefix whenever some context has more
   * than one candidate, since the shared context is then computed once instead of per candidate.
   */
  async score(items: ScoreItem[], options: ScoreOptions = {}): Promise<ScoreResult> {
    const t0 = now();
    const prep = this.prepare(items);
    const prepareMs = now() - t0;
    const candidates = prep.candidateIds.reduce((n, c) => n + c.length, 0);
    const wanted = options.strategy ?? 'auto';
    const strategy = wanted === 'auto' ? (candidates > items.length ? 'prefix' : 'full') : wanted;
    const result = strategy === 'prefix' ? await this.scorePrefix(prep, options) : await this.scoreFull(prep, options);
    return { ...result, strategy, prepareMs, totalMs: now() - t0, candidates };
  }

  private async scoreFull(prep: Prepared, options: ScoreOptions): Promise<Omit<ScoreResult, 'strategy' | 'totalMs' | 'candidates' | 'prepareMs'>> {
    const { vocabSize: V } = this.info;
    const rows: Array<{ item: number; cand: number; ids: number[]; m: number }> = [];
    prep.candidateIds.forEach((cands, i) => cands.forEach((c, j) => rows.push({ item: i, cand: j, ids: [...prep.contextIds[i], ...c], m: c.length })));
    const L = Math.max(...rows.map((r) => r.ids.length));
    const maxM = Math.max(...rows.map((r) => r.m));
    const pad = this.info.padTokenId;
    const ids = rows.map((r) => r.ids);
    const tf = now();
    const out = await this.run({
      input_ids: int64(ids, L, (r, t) => (t < L - ids[r].length ? pad : ids[r][t - (L - ids[r].length)])),
      attention_mask: int64(ids, L, (r, t) => (t < L - ids[r].length ? 0 : 1)),
      ...this.keepTensor(maxM + 1),
    });
    const forwardMs = now() - tf;
    const logits = await readFloats(out.logits);
    const K = out.logits.dims[1];
    const hidden = options.features && out.last_hidden_state ? await readFloats(out.last_hidden_state) : null;
    disposeGpuOutputs(out);
    const d = this.info.hiddenSize;

    const items: ItemScore[] = prep.candidateIds.map((c, i) => ({ contextTokens: prep.contextIds[i].length, candidates: new Array(c.length) }));
    rows.forEach((row, r) => {
      const rowBase = r * K;
      // Position p (0-based in the padded row) sits at index p - (L - K) of the kept logits.
      const at = (p: number): number => (rowBase + p - (L - K)) * V;
      const cand = prep.candidateIds[row.item][row.cand];
      const score = this.tokenScores(cand, (t) => at(L - row.m - 1 + t), logits, options);
      if (options.features) {
        if (hidden) {
          const psi = new Float64Array(d);
          for (let t = 0; t < row.m; t++) accumulate(psi, hidden, (r * L + L - row.m + t) * d, 1 / row.m);
          score.psi = toFloat32(psi);
          if (row.cand === 0) items[row.item].phi = hidden.slice((r * L + L - row.m - 1) * d, (r * L + L - row.m) * d);
        } else {
          score.psi = this.sketchMean(logits, Array.from({ length: row.m }, (_, t) => at(L - row.m + t)));
          if (row.cand === 0) items[row.item].phi = this.sketchMean(logits, [at(L - row.m - 1)]);
        }
      }
      items[row.item].candidates[row.cand] = score;
    });
    return { items, forwardMs, tokensProcessed: rows.length * L };
  }

  private async scorePrefix(prep: Prepared, options: ScoreOptions): Promise<Omit<ScoreResult, 'strategy' | 'totalMs' | 'candidates' | 'prepareMs'>> {
    const { vocabSize: V, hiddenSize: d, numLayers, numKvHeads: KV, headDim: hd } = this.info;
    const pad = this.info.padTokenId;
    // Identical contexts in one batch share a row.
    const ctxKey = new Map<string, number>();
    const ctxRows: number[][] = [];
    const itemCtx = prep.contextIds.map((ids) => {
      const key = ids.join(',');
      let row = ctxKey.get(key);
      if (row === undefined) {
        row = ctxRows.length;
        ctxRows.push(ids);
        ctxKey.set(key, row);
      }
      return row;
    });
    const C = ctxRows.length;
    const Lc = Math.max(...ctxRows.map((r) => r.length));
    const ctxMask = (c: number, t: number): number => (t < Lc - ctxRows[c].length ? 0 : 1);

    const tf1 = now();
    const first = await this.run({
      input_ids: int64(ctxRows, Lc, (c, t) => (ctxMask(c, t) ? ctxRows[c][t - (Lc - ctxRows[c].length)] : pad)),
      attention_mask: int64(ctxRows, Lc, ctxMask),
      ...this.keepTensor(1),
    });
    let forwardMs = now() - tf1;
    const firstLogits = await readFloats(first.logits);
    const K1 = first.logits.dims[1]; // 1, or Lc when the graph cannot trim
    const firstHidden = options.features && first.last_hidden_state ? await readFloats(first.last_hidden_state) : null;

    // Candidate rows, each with the KV cache of its context gathered into a batch.
    const rows: Array<{ item: number; cand: number; ctx: number; ids: number[] }> = [];
    prep.candidateIds.forEach((cands, i) => cands.forEach((ids, j) => rows.push({ item: i, cand: j, ctx: itemCtx[i], ids })));
    const R = rows.length;
    const M = Math.max(...rows.map((r) => r.ids.length));
    const past: Record<string, Tensor> = {};
    const per = KV * Lc * hd;
    for (let layer = 0; layer < numLayers; layer++) {
      for (const kind of ['key', 'value']) {
        const src = await readFloats(first[`present.${layer}.${kind}`]);
        const dst = new Float32Array(R * per);
        rows.forEach((row, r) => dst.set(src.subarray(row.ctx * per, (row.ctx + 1) * per), r * per));
        past[`past_key_values.${layer}.${kind}`] = new Tensor('float32', dst, [R, KV, Lc, hd]);
      }
    }
    disposeGpuOutputs(first);

    const ids = rows.map((r) => r.ids);
    const tf2 = now();
    const second = await this.run({
      input_ids: int64(ids, M, (r, t) => (t < ids[r].length ? ids[r][t] : pad)),
      attention_mask: int64(ids, Lc + M, (r, t) => (t < Lc ? ctxMask(rows[r].ctx, t) : t - Lc < ids[r].length ? 1 : 0)),
      past_key_values: past,
      ...this.keepTensor(0),
    });
    forwardMs += now() - tf2;
    const logits = await readFloats(second.logits);
    const hidden = options.features && second.last_hidden_state ? await readFloats(second.last_hidden_state) : null;
    disposeGpuOutputs(second);

    const items: ItemScore[] = prep.candidateIds.map((c, i) => ({ contextTokens: prep.contextIds[i].length, candidates: new Array(c.length) }));
    const firstAt = (ctx: number): number => (ctx * K1 + K1 - 1) * V;
    if (options.features) {
      prep.contextIds.forEach((_, i) => {
        const ctx = itemCtx[i];
        items[i].phi = firstHidden
          ? firstHidden.slice((ctx * Lc + Lc - 1) * d, (ctx * Lc + Lc) * d)
          : this.sketchMean(firstLogits, [firstAt(ctx)]);
      });
    }
    rows.forEach((row, r) => {
      const m = row.ids.length;
      // Token 0 is predicted by the context's last logit; token t by candidate position t-1.
      const score = this.tokenScores(row.ids, (t) => (t === 0 ? -1 - firstAt(row.ctx) : (r * M + t - 1) * V), logits, options, firstLogits);
      if (options.features) {
        if (hidden) {
          const psi = new Float64Array(d);
          for (let t = 0; t < m; t++) accumulate(psi, hidden, (r * M + t) * d, 1 / m);
          score.psi = toFloat32(psi);
        } else {
          score.psi = this.sketchMean(logits, Array.from({ length: m }, (_, t) => (r * M + t) * V));
        }
      }
      items[row.item].candidates[row.cand] = score;
    });
    return { items, forwardMs, tokensProcessed: C * Lc + R * M };
  }

  /**
   * Scores tokens[t] under the logit row returned by offsetOf(t). A negative offset -1-o means
   * "row o of `alt`" (the prefix strategy's first token comes from the context pass).
   */
  private tokenScores(tokens: number[], offsetOf: (t: number) => number, logits: Float32Array, options: ScoreOptions, alt?: Float32Array): CandidateScore {
    const V = this.info.vocabSize;
    let sum = 0;
    const per = options.tokenLogprobs ? new Float32Array(tokens.length) : undefined;
    tokens.forEach((tok, t) => {
      const o = offsetOf(t);
      const lp = o < 0 ? logProbAt(alt!, -1 - o, V, tok) : logProbAt(logits, o, V, tok);
      sum += lp;
      if (per) per[t] = lp;
    });
    return { logprobSum: sum, logprobMean: sum / tokens.length, tokens: tokens.length, ...(per ? { tokenLogprobs: per } : {}) };
  }

  private sketchMean(logits: Float32Array, offsets: number[]): Float32Array {
    const V = this.info.vocabSize;
    const mean = new Float64Array(V);
    for (const o of offsets) accumulate(mean, logits, o, 1 / offsets.length);
    return logitSketch(mean, this.info.featureDim, SKETCH_SEED);
  }

  /** Raw logits of one unpadded sequence (tests compare them with references). */
  async forwardLogits(ids: number[]): Promise<{ logits: Float32Array; dims: number[] }> {
    const out = await this.run({
      input_ids: int64([ids], ids.length, (_, t) => ids[t]),
      attention_mask: int64([ids], ids.length, () => 1),
      ...this.keepTensor(0),
    });
    const logits = await readFloats(out.logits);
    const dims = [...out.logits.dims];
    disposeGpuOutputs(out);
    return { logits, dims };
  }

  async generate(req: GenerateRequest): Promise<GenerateResult> {
    const t0 = now();
    const frame = this.frameFor(req.context);
    const ids = this.encode(frame.context, !(isMessages(req.context) && this.info.hasChatTemplate));
    if (!ids.length) throw new ModelError('bad-input', this.info.modelId, 'Cannot generate from an empty context.');
    const stops = req.stop ?? ['\n'];
    const maxNewTokens = Math.max(1, Math.min(req.maxNewTokens ?? 32, 1024));
    const temperature = req.temperature ?? 1;
    if (req.seed !== undefined) random.seed(req.seed);
    let sequences: Tensor;
    try {
      sequences = (await this.model.generate({
        input_ids: int64([ids], ids.length, (_, t) => ids[t]),
        attention_mask: int64([ids], ids.length, () => 1),
        max_new_tokens: maxNewTokens,
        do_sample: temperature > 0,
        temperature: temperature > 0 ? temperature : 1,
        top_k: req.topK ?? 0,
        top_p: req.topP ?? 1,
        pad_token_id: this.info.padTokenId,
        stopping_criteria: stops.length ? [new StopOnStrings(this.tokenizer, ids.length, stops)] : undefined,
      } as Record<string, unknown>)) as Tensor;
    } catch (e) {
      throw classifyModelError(e, this.info.modelId, 'run');
    }
    const all = Array.from(sequences.data as BigInt64Array, Number);
    const fresh = all.slice(ids.length);
    const endsWithEos = fresh.length > 0 && this.info.eosTokenIds.includes(fresh[fresh.length - 1]);
    let text = this.tokenizer.decode(fresh, { skip_special_tokens: true });
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
    await this.model.dispose();
  }
}

/** transformers.js' dtype → file suffix (onnx/model_<suffix>.onnx), for error messages. */
function dtypeSuffix(dtype: string): string {
  const map: Record<string, string> = { fp16: 'fp16', q8: 'quantized', int8: 'int8', uint8: 'uint8', q4: 'q4', q4f16: 'q4f16', bnb4: 'bnb4' };
  return map[dtype] ?? dtype;
}
