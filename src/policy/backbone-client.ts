// The caller's side of the LLM worker: one call in flight at a time, a feature cache in front,
// and a fresh worker for every model (terminating a worker is the only reliable way to give the
// WASM heap and the GPU device back; dispose() does not). The core transport's crash rule
// terminates a worker that threw, so a crashed model never keeps its memory either.

import { WorkerClient } from '../core/worker/client';
import type { Spawner } from '../core/worker/port';
import { WorkerClosedError, WorkerCrashedError, type Method, type ProgressOf, type RequestOf, type ResponseOf } from '../core/worker/protocol';
import type {
  BackboneProtocol,
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
} from './backbone-types';
import type { EpisodeItem, EpisodeScoreOptions, EpisodeScoreResult } from './episode-scoring';
import { ByteLruCache, textKey } from './feature-cache';
import { loadTransfers } from './memory-model';
import { ModelError, deserializeModelError, type SerializedModelError } from './model-errors';

type ModelWorker = WorkerClient<BackboneProtocol>;

type CachedCandidate = Omit<CandidateScore, 'tokenLogprobs'>;
type CachedContext = { phi: Float32Array | null; contextTokens: number };
type CacheValue = CachedCandidate | CachedContext;

export interface ScoreResultWithCache extends ScoreResult {
  /** Candidates answered from the feature cache without running the model. */
  cacheHits: number;
}

export const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;

export class BackboneClient {
  private worker: ModelWorker | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private currentInfo: ModelInfo | null = null;
  readonly cache: ByteLruCache<CacheValue>;

  constructor(
    private readonly spawn: Spawner,
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

  /** One request to the current worker; transport failures come back as ModelError('worker-crashed'). */
  private async request<M extends Method<BackboneProtocol>>(
    method: M,
    payload: RequestOf<BackboneProtocol, M>,
    modelId: string,
    onProgress?: (p: ProgressOf<BackboneProtocol, M>) => void,
    transfer: readonly Transferable[] = [],
  ): Promise<ResponseOf<BackboneProtocol, M>> {
    const worker = this.worker;
    if (!worker) throw new ModelError('bad-input', '', 'No model is loaded; call load() first.');
    try {
      return await worker.request(method, payload, { onProgress, transfer });
    } catch (e) {
      if (e instanceof WorkerCrashedError) {
        throw new ModelError(
          'worker-crashed',
          modelId,
          `The model worker stopped unexpectedly${/memory|oom|alloc/i.test(e.reason) ? ' (it ran out of memory)' : ''}. Load the model again; if it keeps happening pick a smaller model or batch.`,
          e.reason,
        );
      }
      if (e instanceof WorkerClosedError) throw new ModelError('worker-crashed', modelId, 'The model worker was closed.');
      throw e;
    }
  }

  /** Loads a model in a fresh worker; the previous worker (and all its memory) is terminated first. */
  load(request: LoadRequest, onProgress?: (p: LoadProgress) => void): Promise<ModelInfo> {
    return this.serial(async () => {
      this.terminateWorker();
      this.cache.clear();
      const worker: ModelWorker = new WorkerClient<BackboneProtocol>(this.spawn(), {
        name: 'model worker',
        decodeError: (raw) => deserializeModelError(raw as SerializedModelError),
      });
      this.worker = worker;
      // The transport has already terminated the worker (and with it the wasm heap and the GPU device).
      worker.onCrash(() => {
        if (this.worker !== worker) return;
        this.worker = null;
        this.currentInfo = null;
      });
      try {
        // An in-memory model's files move to the worker (filesLoadRequest made them the request's own).
        const info = await this.request('load', request, request.modelId, onProgress, loadTransfers(request));
        this.currentInfo = info;
        return info;
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
    const res = await this.request('score', { items: batch, options }, this.currentInfo?.modelId ?? '');
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

  /**
   * Backbone.scoreEpisodes in the worker: each episode's KV cache stays there, so a decision
   * round sends its prompts and candidates and gets back ℓ, φ and ψ. The feature cache is not
   * used (the worker's episode scorer shares contexts itself). This makes the client an
   * EpisodeBackbone for the rollout engine.
   */
  scoreEpisodes(items: EpisodeItem[], options: EpisodeScoreOptions = {}): Promise<EpisodeScoreResult> {
    return this.serial(() => this.request('scoreEpisodes', { items, options }, this.currentInfo?.modelId ?? ''));
  }

  /**
   * Releases finished episodes' caches in the worker. Queued behind earlier calls and not awaited
   * (the rollout engine calls it synchronously); a worker that is gone has no caches to release.
   */
  endEpisodes(episodes: Iterable<string>): void {
    const list = [...episodes];
    if (!list.length) return;
    void this.serial(async () => {
      if (this.worker) await this.request('endEpisodes', { episodes: list }, this.currentInfo?.modelId ?? '');
      return null;
    }).catch(() => {});
  }

  generate(request: GenerateRequest): Promise<GenerateResult> {
    return this.serial(async () => {
      return this.request('generate', request, this.currentInfo?.modelId ?? '');
    });
  }

  /** Terminates the worker (releasing the model's memory). The client can load again afterwards. */
  close(): Promise<void> {
    return this.serial(async () => this.terminateWorker());
  }

  /** Closes the worker; calls still waiting on it fail with ModelError('worker-crashed'). */
  private terminateWorker(): void {
    const worker = this.worker;
    this.worker = null;
    this.currentInfo = null;
    worker?.close();
  }
}
