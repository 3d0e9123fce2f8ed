// The caller's side of the LLM worker: one call in flight at a time, a feature cache in front,
// and a fresh worker for every model (terminating a worker is the only reliable way to give the
// WASM heap and the GPU device back; dispose() does not).

import type {
  CandidateScore,
  GenerateRequest,
  GenerateResult,
  ItemScore,
  LoadProgress,
  LoadRequest,
  ModelInfo,
  ScoreItem,
  ScoreOptions,
  ScoreResult,
  WorkerRequest,
  WorkerResponse,
} from './backbone-types';
import { ByteLruCache, textKey } from './feature-cache';
import { ModelError, deserializeModelError } from './model-errors';

/** A worker as the client sees it (a browser Worker or a Node worker thread). */
export interface Endpoint {
  post(message: WorkerRequest): void;
  onMessage(handler: (message: WorkerResponse) => void): void;
  /** The worker died (uncaught error, wasm abort, killed for memory). */
  onCrash(handler: (reason: string) => void): void;
  terminate(): void;
}

interface Pending {
  resolve: (message: WorkerResponse) => void;
  reject: (error: Error) => void;
  onProgress?: (p: LoadProgress) => void;
}

type CachedCandidate = Omit<CandidateScore, 'tokenLogprobs'>;
type CachedContext = { phi: Float32Array | null; contextTokens: number };
type CacheValue = CachedCandidate | CachedContext;

export interface ScoreResultWithCache extends ScoreResult {
  /** Candidates answered from the feature cache without running the model. */
  cacheHits: number;
}

export const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;

export class BackboneClient {
  private endpoint: Endpoint | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private chain: Promise<unknown> = Promise.resolve();
  private currentInfo: ModelInfo | null = null;
  readonly cache: ByteLruCache<CacheValue>;

  constructor(
    private readonly spawn: () => Endpoint,
    options: { cacheBytes?: number } = {},
  ) {
    this.cache = new ByteLruCache<CacheValue>(options.cacheBytes ?? DEFAULT_CACHE_BYTES, (v) =>
      'contextTokens' in v ? (v.phi?.byteLength ?? 0) + 16 : (v.psi?.byteLength ?? 0) + 32,
    );
  }

  get info(): ModelInfo | null {
    return this.currentInfo;
  }

  /** Queues `task` behind every earlier call, so the worker never sees two at once. */
  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.chain.then(task, task);
    this.chain = run.catch(() => {});
    return run;
  }

  private request(message: WorkerRequest, onProgress?: (p: LoadProgress) => void): Promise<WorkerResponse> {
    const endpoint = this.endpoint;
    if (!endpoint) return Promise.reject(new ModelError('bad-input', '', 'No model is loaded; call load() first.'));
    return new Promise((resolve, reject) => {
      this.pending.set(message.id, { resolve, reject, onProgress });
      endpoint.post(message);
    });
  }

  private attach(endpoint: Endpoint): void {
    endpoint.onMessage((msg) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      if (msg.type === 'progress') {
        p.onProgress?.(msg.progress);
        return;
      }
      this.pending.delete(msg.id);
      if (msg.type === 'error') p.reject(deserializeModelError(msg.error));
      else p.resolve(msg);
    });
    endpoint.onCrash((reason) => {
      if (this.endpoint !== endpoint) return;
      const modelId = this.currentInfo?.modelId ?? '';
      this.endpoint = null;
      this.currentInfo = null;
      const error = new ModelError(
        'worker-crashed',
        modelId,
        `The model worker stopped unexpectedly${/memory|oom|alloc/i.test(reason) ? ' (it ran out of memory)' : ''}. Load the model again; if it keeps happening pick a smaller model or batch.`,
        reason,
      );
      for (const [, p] of this.pending) p.reject(error);
      this.pending.clear();
    });
  }

  /** Loads a model in a fresh worker; the previous worker (and all its memory) is terminated first. */
  load(request: LoadRequest, onProgress?: (p: LoadProgress) => void): Promise<ModelInfo> {
    return this.serial(async () => {
      this.terminateWorker();
      this.cache.clear();
      const endpoint = this.spawn();
      this.endpoint = endpoint;
      this.attach(endpoint);
      try {
        const msg = await this.request({ id: this.nextId++, type: 'load', request }, onProgress);
        if (msg.type !== 'loaded') throw new Error(`unexpected reply ${msg.type} to load`);
        this.currentInfo = msg.info;
        return msg.info;
      } catch (e) {
        this.terminateWorker();
        throw e;
      }
    });
  }

  score(items: ScoreItem[], options: ScoreOptions = {}): Promise<ScoreResultWithCache> {
    return this.serial(() => this.scoreNow(items, options));
  }

  private async scoreNow(items: ScoreItem[], options: ScoreOptions): Promise<ScoreResultWithCache> {
    const wantFeatures = Boolean(options.features);
    const useCache = !options.tokenLogprobs;
    // Hashed once (and only with the cache on): the same keys are looked up now and written after the model answers.
    const ctxKeys = useCache ? items.map((it) => textKey(JSON.stringify(it.context))) : [];
    const candKeys = ctxKeys.map((key, i) => items[i].candidates.map((a) => `c:${textKey(key, a)}`));
    const out: ItemScore[] = items.map((it) => ({ contextTokens: 0, candidates: new Array(it.candidates.length) }));
    // What still has to run: per item, the indices of candidates not answered by the cache.
    const todo: Array<{ item: number; candidates: number[] }> = [];
    let hits = 0;
    items.forEach((it, i) => {
      const cachedCtx = useCache ? (this.cache.get(`ctx:${ctxKeys[i]}`) as CachedContext | undefined) : undefined;
      const ctx = cachedCtx && (!wantFeatures || cachedCtx.phi) ? cachedCtx : undefined;
      if (ctx) {
        out[i].contextTokens = ctx.contextTokens;
        if (wantFeatures && ctx.phi) out[i].phi = ctx.phi;
      }
      const missing: number[] = [];
      it.candidates.forEach((_, j) => {
        const hit = useCache ? (this.cache.get(candKeys[i][j]) as CachedCandidate | undefined) : undefined;
        // A hit needs its context entry too (token count, and φ when features are wanted).
        if (hit && (!wantFeatures || hit.psi) && ctx) {
          out[i].candidates[j] = hit;
          hits++;
        } else missing.push(j);
      });
      if (missing.length) todo.push({ item: i, candidates: missing });
    });

    if (!todo.length) {
      return { items: out, strategy: 'prefix', prepareMs: 0, forwardMs: 0, totalMs: 0, tokensProcessed: 0, candidates: 0, cacheHits: hits };
    }
    const batch: ScoreItem[] = todo.map((t) => ({ context: items[t.item].context, candidates: t.candidates.map((j) => items[t.item].candidates[j]) }));
    const msg = await this.request({ id: this.nextId++, type: 'score', items: batch, options });
    if (msg.type !== 'scored') throw new Error(`unexpected reply ${msg.type} to score`);
    const res = msg.result;
    todo.forEach((t, k) => {
      const got = res.items[k];
      const i = t.item;
      out[i].contextTokens = got.contextTokens;
      if (got.phi) out[i].phi = got.phi;
      if (useCache) this.cache.set(`ctx:${ctxKeys[i]}`, { phi: got.phi ?? null, contextTokens: got.contextTokens });
      t.candidates.forEach((j, n) => {
        const c = got.candidates[n];
        out[i].candidates[j] = c;
        if (useCache) {
          const { tokenLogprobs: _omit, ...rest } = c;
          this.cache.set(candKeys[i][j], rest);
        }
      });
    });
    return { ...res, items: out, cacheHits: hits };
  }

  generate(request: GenerateRequest): Promise<GenerateResult> {
    return this.serial(async () => {
      const msg = await this.request({ id: this.nextId++, type: 'generate', request });
      if (msg.type !== 'generated') throw new Error(`unexpected reply ${msg.type} to generate`);
      return msg.result;
    });
  }

  /** Terminates the worker (releasing the model's memory). The client can load again afterwards. */
  close(): Promise<void> {
    return this.serial(async () => this.terminateWorker());
  }

  private terminateWorker(): void {
    const endpoint = this.endpoint;
    this.endpoint = null;
    this.currentInfo = null;
    if (!endpoint) return;
    endpoint.terminate();
    const error = new ModelError('worker-crashed', '', 'The model worker was closed.');
    for (const [, p] of this.pending) p.reject(error);
    this.pending.clear();
  }
}
