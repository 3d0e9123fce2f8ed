// The one module that speaks transformers.js. Everything that depends on its globals (env), on
// patching its fetch, or on casting into fields its types do not publish (sessions, ort_tensor,
// chat_template, generation_config) lives here, so an upgrade of the library is checked in one
// file. Model loading and the scoring strategies use only the functions below.

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
import type { LoadProgress, LoadRequest } from './backbone-types';
import { ModelError } from './model-errors';

export { Tensor };
export type { PreTrainedModel, PreTrainedTokenizer };

/** The subset of a transformers.js inference session we read. */
export interface SessionLike {
  inputNames: string[];
  outputNames: string[];
}

/** Model outputs: logits, present.* and whatever else the graph exports. */
export type Outputs = Record<string, Tensor>;

/** A KV-cache block read to the CPU: float32, or float16 kept as raw 16-bit words. */
export type KvData = Float32Array | Uint16Array;
export type KvType = 'float32' | 'float16';

// ---- global environment ------------------------------------------------------------------------

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
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    // An in-memory model's optional files that it does not have: no server holds that path.
    if (url.includes(MEMORY_MODEL_ROOT)) return new Response(null, { status: 404, statusText: 'Not Found (not among the in-memory model\'s files)' });
    const res = await base(input as string, init);
    if (res.ok && /text\/html/i.test(res.headers.get('content-type') ?? '') && !/\.html?(?:[?#]|$)/i.test(url)) {
      return new Response(null, { status: 404, statusText: 'Not Found (the server answered with an HTML page)' });
    }
    return res;
  }) as typeof env.fetch;
}

// ---- models given as bytes ---------------------------------------------------------------------

/**
 * The local path in-memory models appear under. No server or folder holds it: the custom cache
 * answers its files, and a file the model lacks is a 404 without a request (see the fetch guard).
 */
export const MEMORY_MODEL_ROOT = '/stepwise-memory-models/';

/** The in-memory model being loaded (one model per worker; dropped once loaded, ORT has its copy). */
let memoryModel: { modelId: string; files: Map<string, Uint8Array> } | null = null;

/**
 * The file a cache key names, if it is one of the in-memory model's. transformers.js asks with
 * the local path (<root><modelId>/<file>) first and, in Node's return-path branch, again with the
 * hub URL (<host><modelId>/resolve/<revision>/<file>), so both forms are answered.
 */
function memoryFile(key: string): Uint8Array | undefined {
  if (!memoryModel) return undefined;
  const marker = `${memoryModel.modelId}/`;
  const at = key.indexOf(marker);
  if (at < 0 || (at > 0 && key[at - 1] !== '/')) return undefined;
  const rest = key.slice(at + marker.length).replace(/^resolve\/[^/]+\//, '');
  return memoryModel.files.get(rest);
}

/** transformers.js' CacheInterface (utils/cache.js): match and put, Web Cache API style. */
const memoryCache = {
  async match(key: string): Promise<Response | undefined> {
    const bytes = memoryFile(key);
    // A copy: transformers.js may hand the buffer on (ORT takes ownership of model bytes).
    return bytes ? new Response(bytes.slice(), { status: 200, headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.byteLength) } }) : undefined;
  },
  async put(): Promise<void> {
    // Nothing is stored: every file of the in-memory model is already here.
  },
};

/** Drops the in-memory model's bytes (after its load, whether it worked or not). */
export function releaseMemoryModel(): void {
  memoryModel = null;
  env.useCustomCache = false;
  env.customCache = null;
}

/** Applies load options to transformers.js' global env. One model per worker, so global is fine. */
export function configureEnv(req: LoadRequest): void {
  const isBrowser = typeof window !== 'undefined' || typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined';
  if (isBrowser) guardFetchAgainstSpaFallback();
  memoryModel = null;
  env.useCustomCache = false;
  env.customCache = null;
  if (req.files) {
    if (req.source !== 'local') throw new ModelError('bad-input', req.modelId, 'A model given as files must have source "local".');
    memoryModel = { modelId: req.modelId, files: new Map(Object.entries(req.files).map(([name, buf]) => [name, new Uint8Array(buf)])) };
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    env.localModelPath = MEMORY_MODEL_ROOT;
    env.useBrowserCache = false;
    env.useCustomCache = true;
    env.customCache = memoryCache;
  } else if (req.source === 'local') {
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

// ---- loading -----------------------------------------------------------------------------------

export interface PretrainedOptions {
  revision: string;
  local_files_only: boolean;
  progress_callback: (p: Record<string, unknown>) => void;
}

/** transformers.js progress events, narrowed to the statuses the UI shows. */
export function progressCallback(onProgress: (p: LoadProgress) => void): (p: Record<string, unknown>) => void {
  return (p) => {
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
}

export async function loadConfig(modelId: string, options: PretrainedOptions): Promise<Record<string, unknown>> {
  return (await AutoConfig.from_pretrained(modelId, options)) as unknown as Record<string, unknown>;
}

export function supportsCausalLm(modelType: string): boolean {
  return AutoModelForCausalLM.supports(modelType);
}

export function loadTokenizer(modelId: string, options: PretrainedOptions): Promise<PreTrainedTokenizer> {
  return AutoTokenizer.from_pretrained(modelId, options);
}

export function loadCausalLm(modelId: string, options: PretrainedOptions, device: string, dtype: string): Promise<PreTrainedModel> {
  // transformers.js types dtype and device as literal unions; the catalogue's strings are among them.
  return AutoModelForCausalLM.from_pretrained(modelId, { ...options, device: device as 'cpu', dtype: dtype as 'fp32' });
}

// ---- inspection (fields the public types do not declare) ---------------------------------------

/** The decoder's inference session: 'model' for single-graph exports, else the merged decoder. */
export function decoderSession(model: PreTrainedModel): SessionLike | undefined {
  const sessions = (model as unknown as { sessions: Record<string, SessionLike> }).sessions;
  return sessions.model ?? sessions.decoder_model_merged;
}

export function hasChatTemplate(tokenizer: PreTrainedTokenizer): boolean {
  return Boolean((tokenizer as unknown as { chat_template?: unknown }).chat_template);
}

/** The generation config's end-of-sequence ids, when the model folder has one. */
export function generationEos(model: PreTrainedModel): number | number[] | undefined {
  return (model as unknown as { generation_config?: { eos_token_id?: number | number[] } }).generation_config?.eos_token_id;
}

// ---- tensors -----------------------------------------------------------------------------------

export function int64(rows: number[][], width: number, fill: (r: number, t: number) => number): Tensor {
  return int64Rows(rows.length, width, fill);
}

/**
 * An int64 [rows, width] tensor. Values that fit 32 bits (token ids, positions, mask values: all
 * of them in practice) are written through a 32-bit view of the buffer (little-endian, as ONNX
 * raw data and every target is): a BigInt per element cost a trie pass more than building the
 * rest of its inputs. Anything wider still goes through BigInt.
 */
export function int64Rows(rows: number, width: number, fill: (r: number, t: number) => number): Tensor {
  const data = new BigInt64Array(rows * width);
  const words = new Int32Array(data.buffer);
  for (let r = 0; r < rows; r++) {
    for (let t = 0; t < width; t++) {
      const v = fill(r, t);
      const k = r * width + t;
      if (v === (v | 0)) {
        words[2 * k] = v;
        words[2 * k + 1] = v < 0 ? -1 : 0;
      } else data[k] = BigInt(v);
    }
  }
  return new Tensor('int64', data, [rows, width]);
}

export function kvTensor(type: KvType, data: KvData, dims: number[]): Tensor {
  return new Tensor(type, data, dims);
}

/** The num_logits_to_keep input, when the graph has one (0 keeps every position). */
export function logitsToKeep(supported: boolean, k: number): Record<string, Tensor> {
  return supported ? { num_logits_to_keep: new Tensor('int64', BigInt64Array.from([BigInt(k)]), []) } : {};
}

/** ORT-web keeps WebGPU outputs on the GPU: getData(true) downloads and releases the buffer. */
async function download<T>(t: Tensor): Promise<T> {
  if (t.location === 'gpu-buffer') {
    const ort = (t as unknown as { ort_tensor: { getData(release?: boolean): Promise<T> } }).ort_tensor;
    return ort.getData(true);
  }
  return t.data as T;
}

export function readFloats(t: Tensor): Promise<Float32Array> {
  return download<Float32Array>(t);
}

/** A present.* block: its element type decides the bytes the prefix strategy budgets for. */
export async function readKv(t: Tensor): Promise<{ type: KvType; data: KvData }> {
  const type: KvType = t.type === 'float16' ? 'float16' : 'float32';
  return { type, data: await download<KvData>(t) };
}

const ELEMENT_BYTES: Record<string, number> = { float32: 4, float16: 2, int64: 8, int32: 4, uint8: 1, int8: 1, bool: 1 };

/** Bytes a tensor occupies, from its shape and type (valid for CPU and GPU-resident tensors alike). */
export function tensorBytes(t: Tensor): number {
  return t.dims.reduce((n, d) => n * d, 1) * (ELEMENT_BYTES[t.type] ?? 4);
}

export function disposeGpuOutputs(outputs: Outputs, keep: Set<string> = new Set()): void {
  for (const [name, t] of Object.entries(outputs)) {
    if (!keep.has(name) && t?.location === 'gpu-buffer') t.dispose();
  }
}

export async function runModel(model: PreTrainedModel, inputs: Record<string, unknown>): Promise<Outputs> {
  return (await model(inputs)) as Outputs;
}

/** The ORT session's run with a fetch list (onnxruntime-common's signature, narrowed). */
interface FetchingSession extends SessionLike {
  run(feeds: Record<string, unknown>, fetches: string[]): Promise<Record<string, unknown>>;
}

/**
 * Runs the decoder session directly and fetches only `outputs`: ORT then copies nothing else
 * out (a candidate pass's present.* caches are as large as its past and are never read). The
 * inputs are flat (past_key_values.{i}.{key,value} as their own entries) and must name every
 * session input; otherwise, or for graphs with a use_cache_branch, it falls back to the
 * model's own forward, which returns every output.
 */
export async function runModelFetching(model: PreTrainedModel, inputs: Record<string, Tensor>, outputs: string[]): Promise<Outputs> {
  const session = decoderSession(model) as FetchingSession | undefined;
  const names = session?.inputNames ?? [];
  if (!session || names.some((n) => !(n in inputs))) {
    const nested: Record<string, unknown> = { past_key_values: {} };
    for (const [k, v] of Object.entries(inputs)) {
      if (k.startsWith('past_key_values.')) (nested.past_key_values as Record<string, Tensor>)[k] = v;
      else nested[k] = v;
    }
    return runModel(model, nested);
  }
  const feeds: Record<string, unknown> = {};
  // transformers.js' Tensor wraps the ORT tensor the session takes.
  for (const n of names) feeds[n] = (inputs[n] as unknown as { ort_tensor: unknown }).ort_tensor;
  const fetched = await session.run(feeds, outputs.filter((o) => session.outputNames.includes(o)));
  const out: Outputs = {};
  // Tensor's one-argument form wraps an ORT tensor; its declared overloads only admit it as a tuple.
  const wrap = Tensor as unknown as new (ort: unknown) => Tensor;
  for (const [k, v] of Object.entries(fetched)) out[k] = new wrap(v);
  return out;
}

// ---- generation --------------------------------------------------------------------------------

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

export interface SamplingSettings {
  maxNewTokens: number;
  temperature: number;
  topK: number;
  topP: number;
  padTokenId: number;
  stops: string[];
  seed?: number;
}

/** transformers.js' own incremental KV loop; returns prompt + new token ids. */
export async function generateIds(model: PreTrainedModel, tokenizer: PreTrainedTokenizer, ids: number[], s: SamplingSettings): Promise<number[]> {
  if (s.seed !== undefined) random.seed(s.seed);
  const sequences = (await model.generate({
    input_ids: int64([ids], ids.length, (_, t) => ids[t]),
    attention_mask: int64([ids], ids.length, () => 1),
    max_new_tokens: s.maxNewTokens,
    do_sample: s.temperature > 0,
    temperature: s.temperature > 0 ? s.temperature : 1,
    top_k: s.topK,
    top_p: s.topP,
    pad_token_id: s.padTokenId,
    stopping_criteria: s.stops.length ? [new StopOnStrings(tokenizer, ids.length, s.stops)] : undefined,
  } as Record<string, unknown>)) as Tensor;
  return Array.from(sequences.data as BigInt64Array, Number);
}
