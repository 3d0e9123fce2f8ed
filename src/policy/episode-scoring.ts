// Scoring the decisions of episodes that run for many steps, reusing each episode's KV cache as
// its prompt grows. An episode's prompt is append-only between steps (the same messages plus the
// action taken and the new observation), so only the appended tokens are run; the candidates
// then run on top of the extended cache. Everything here is one batch over all live episodes:
//
//   extension pass:  every distinct new context, [its cached past | its appended tokens], once;
//   candidate pass:  every distinct (context, candidate) row on a copy of its context's cache.
//
// Identical contexts share one cache (the K rollouts of one task start from the same prompt and
// stay identical until their actions differ), so shared steps are computed once. A prompt that is
// not an extension of the episode's last one (a sliding window moved) is computed from scratch.
//
// The batched rows carry padding in the middle ([pad | past | pad | new]); the attention mask
// zeroes it and explicit position_ids keep every real token at its unpadded position, so each
// row computes what it would alone.

import type { CandidateScore, ItemScore, ModelInfo, ScoreContext } from './backbone-types';
import type { PromptFrame } from './prompts';
import { accumulate, toFloat32 } from './score-math';
import { DEFAULT_MEMORY_BUDGET_BYTES, kvBytesPerToken, kvElementBytes, sketchMean, tokenScores } from './scoring-strategies';
import { ByteLruCache, textKey } from './feature-cache';
import { type KvData, type KvType, type Outputs, type Tensor, disposeGpuOutputs, int64, kvTensor, logitsToKeep, readFloats, readKv } from './transformers-adapter';

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

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
}

/** Where one call's time went (ms). */
export interface EpisodeScoreProfile {
  /** Framing contexts (chat template rendering). */
  renderMs: number;
  /** Tokenising appended text and candidates (candidates mostly from the token cache). */
  tokenizeMs: number;
  /** ONNX runs of the extension passes. */
  extendMs: number;
  /** ONNX runs of the candidate passes. */
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

/** One context's cache: immutable once made, shared by every episode whose prompt it is. */
interface CachedContext {
  key: string;
  text: string;
  /** Tokens of `text`. */
  length: number;
  /** Per layer, key and value as [heads, length, head_dim]. */
  kv: Array<{ key: KvData; value: KvData }>;
  kvType: KvType;
  /** The logit row after the last context token (predicts a candidate's first token). */
  lastLogits: Float32Array;
  phi: Float32Array | null;
  /** Episodes whose current prompt this is. */
  refs: number;
}

/** The model-side pieces the episode scorer needs (the Backbone provides them). */
export interface EpisodeModel {
  info: ModelInfo;
  /** One decoder pass over flat inputs (past_key_values.{i}.{key,value} as entries), fetching only `outputs`. */
  run(inputs: Record<string, Tensor>, outputs: string[]): Promise<Outputs>;
  frameFor(context: ScoreContext): PromptFrame;
  /** Tokenises; `addSpecial` for a fresh plain-text context. */
  encode(text: string, addSpecial: boolean): number[];
  /** Whether a context from scratch gets the tokenizer's special tokens (plain text does). */
  addsSpecialTokens(context: ScoreContext): boolean;
}

interface ExtendRow {
  key: string;
  text: string;
  base: CachedContext | null;
  ids: number[];
}

interface CandidateRow {
  ctx: CachedContext;
  ids: number[];
}

/** Splits rows (already ordered) into chunks whose estimated bytes stay under the budget. */
function chunkRows<T>(rows: T[], bytesOf: (chunk: T[], next: T) => number, budget: number): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  for (const r of rows) {
    if (cur.length && bytesOf(cur, r) > budget) {
      out.push(cur);
      cur = [];
    }
    cur.push(r);
  }
  if (cur.length) out.push(cur);
  return out;
}

function sameType(src: KvData, n: number): KvData {
  return src instanceof Float32Array ? new Float32Array(n) : new Uint16Array(n);
}

/**
 * Keeps every live episode's context cache between calls and scores a batch of decisions with
 * one extension pass and candidate passes over all of them.
 */
export class EpisodeScorer {
  private readonly contexts = new Map<string, CachedContext>();
  private readonly episodes = new Map<string, CachedContext>();
  /** Token ids of framed candidate texts: actions recur across steps and episodes. */
  private readonly candidateTokens = new ByteLruCache<number[]>(8 * 2 ** 20, (ids) => ids.length * 8);

  constructor(private readonly model: EpisodeModel) {}

  /** Episodes with a cache held. */
  get liveEpisodes(): number {
    return this.episodes.size;
  }

  /** Distinct context caches held (fewer than episodes when some share a prompt). */
  get cachedContexts(): number {
    return this.contexts.size;
  }

  /** Bytes of KV held by the cached contexts. */
  get cachedBytes(): number {
    let n = 0;
    for (const c of this.contexts.values()) for (const l of c.kv) n += l.key.byteLength + l.value.byteLength;
    return n;
  }

  /** Drops the episodes' caches (their contexts go once no episode uses them). */
  end(episodes: Iterable<string>): void {
    for (const e of episodes) {
      const c = this.episodes.get(e);
      if (!c) continue;
      this.episodes.delete(e);
      this.unref(c);
    }
  }

  clear(): void {
    this.episodes.clear();
    this.contexts.clear();
  }

  private unref(c: CachedContext): void {
    c.refs--;
    if (c.refs <= 0) this.contexts.delete(c.key);
  }

  async score(items: EpisodeItem[], options: EpisodeScoreOptions = {}): Promise<EpisodeScoreResult> {
    const t0 = now();
    const { info } = this.model;
    const budget = options.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET_BYTES;
    const profile: EpisodeScoreProfile = { renderMs: 0, tokenizeMs: 0, extendMs: 0, candidateMs: 0, kvCopyMs: 0, readoutMs: 0 };
    const seen = new Set<string>();
    for (const it of items) {
      if (seen.has(it.episode)) throw new RangeError(`episode "${it.episode}" appears twice in one batch`);
      seen.add(it.episode);
      if (!it.candidates.length) throw new RangeError(`episode "${it.episode}" has no candidate actions to score`);
    }

    // ---- frame every prompt; find the distinct contexts that need computing
    let tr = now();
    const frames = items.map((it) => this.model.frameFor(it.context));
    const keys = frames.map((f) => textKey(f.context));
    profile.renderMs += now() - tr;

    tr = now();
    const toExtend = new Map<string, ExtendRow>();
    let restarts = 0;
    let reusedTokens = 0;
    items.forEach((it, i) => {
      const key = keys[i];
      if (this.contexts.has(key) || toExtend.has(key)) return;
      const text = frames[i].context;
      const prev = this.episodes.get(it.episode) ?? null;
      const base = prev && prev.text.length < text.length && text.startsWith(prev.text) ? prev : null;
      if (!base) restarts++;
      const ids = base ? this.model.encode(text.slice(base.text.length), false) : this.model.encode(text, this.model.addsSpecialTokens(it.context));
      if (!ids.length) throw new RangeError(`episode "${it.episode}": the context is empty; the first token needs something to condition on`);
      reusedTokens += base?.length ?? 0;
      toExtend.set(key, { key, text, base, ids });
    });
    profile.tokenizeMs += now() - tr;

    // ---- extension passes
    const costs = { kv: kvBytesPerToken(info, kvElementBytes(info.dtype)), logits: info.vocabSize * 4, hidden: info.featureSource === 'hidden-state' ? info.hiddenSize * 4 : 0 };
    const extendRows = [...toExtend.values()].sort((a, b) => (a.base?.length ?? 0) + a.ids.length - ((b.base?.length ?? 0) + b.ids.length));
    const extChunks = chunkRows(
      extendRows,
      (chunk, next) => {
        const all = [...chunk, next];
        const P = Math.max(...all.map((r) => r.base?.length ?? 0));
        const N = Math.max(...all.map((r) => r.ids.length));
        return all.length * (2 * (P + N) * costs.kv + N * costs.hidden + costs.logits);
      },
      budget,
    );
    let tokensProcessed = 0;
    let contextTokensRun = 0;
    for (const chunk of extChunks) {
      const made = await this.extend(chunk, profile);
      for (const c of made) this.contexts.set(c.key, c);
      // Positions run: the past is read, not recomputed.
      tokensProcessed += chunk.length * Math.max(...chunk.map((x) => x.ids.length));
      for (const r of chunk) contextTokensRun += r.ids.length;
    }

    // ---- move every episode onto its new context (a context shared by K episodes is held once)
    const ctxOf = keys.map((k) => this.contexts.get(k)!);
    items.forEach((it, i) => {
      const c = ctxOf[i];
      c.refs++;
      const prev = this.episodes.get(it.episode);
      this.episodes.set(it.episode, c);
      if (prev) this.unref(prev);
    });

    // ---- candidate rows, one per distinct (context, candidate)
    tr = now();
    const rowIndex = new Map<string, number>();
    const rows: CandidateRow[] = [];
    const itemRows = items.map((it, i) =>
      it.candidates.map((a, j) => {
        const text = frames[i].candidatePrefix + a + frames[i].candidateSuffix;
        const rk = `${keys[i]}\u0000${text}`;
        let r = rowIndex.get(rk);
        if (r === undefined) {
          let ids = this.candidateTokens.get(text);
          if (!ids) {
            ids = this.model.encode(text, false);
            this.candidateTokens.set(text, ids);
          }
          if (!ids.length) throw new RangeError(`episode "${it.episode}": candidate ${j} is empty, so it has no tokens to score`);
          r = rows.length;
          rows.push({ ctx: ctxOf[i], ids });
          rowIndex.set(rk, r);
        }
        return r;
      }),
    );
    profile.tokenizeMs += now() - tr;

    const order = rows.map((_, r) => r).sort((a, b) => rows[a].ctx.length - rows[b].ctx.length);
    const candChunks = chunkRows(
      order,
      (chunk, next) => {
        const all = [...chunk, next];
        const L = Math.max(...all.map((r) => rows[r].ctx.length));
        const M = Math.max(...all.map((r) => rows[r].ids.length));
        return all.length * ((2 * L + M) * costs.kv + M * (costs.logits + costs.hidden));
      },
      budget,
    );
    const scores: CandidateScore[] = new Array(rows.length);
    for (const chunk of candChunks) {
      const M = Math.max(...chunk.map((r) => rows[r].ids.length));
      tokensProcessed += chunk.length * M;
      const out = await this.candidates(chunk.map((r) => rows[r]), options, profile);
      chunk.forEach((r, k) => (scores[r] = out[k]));
    }

    const result: ItemScore[] = items.map((_, i) => ({
      contextTokens: ctxOf[i].length,
      ...(options.features && ctxOf[i].phi ? { phi: ctxOf[i].phi! } : {}),
      candidates: itemRows[i].map((r) => scores[r]),
    }));
    return {
      items: result,
      totalMs: now() - t0,
      profile,
      reusedTokens,
      contextTokensRun,
      contextRows: extendRows.length,
      candidateRows: rows.length,
      restarts,
      tokensProcessed,
      extensionPasses: extChunks.length,
      candidatePasses: candChunks.length,
    };
  }

  /** Runs [past | appended tokens] for a chunk of contexts and returns their new caches. */
  private async extend(chunk: ExtendRow[], profile: EpisodeScoreProfile): Promise<CachedContext[]> {
    const { info } = this.model;
    const { numLayers, numKvHeads: H, headDim: hd, vocabSize: V, hiddenSize: d } = info;
    const pad = info.padTokenId;
    const R = chunk.length;
    const P = Math.max(...chunk.map((r) => r.base?.length ?? 0));
    const N = Math.max(...chunk.map((r) => r.ids.length));
    const pastLen = chunk.map((r) => r.base?.length ?? 0);
    const newLen = chunk.map((r) => r.ids.length);

    let tc = now();
    const past: Record<string, Tensor> = {};
    const template = chunk.find((r) => r.base)?.base;
    const kvType: KvType = template?.kvType ?? (kvElementBytes(info.dtype) === 2 ? 'float16' : 'float32');
    for (let l = 0; l < numLayers; l++) {
      for (const kind of ['key', 'value'] as const) {
        const dst: KvData = template ? sameType(template.kv[l][kind], R * H * P * hd) : kvType === 'float16' ? new Uint16Array(0) : new Float32Array(0);
        if (P > 0) {
          chunk.forEach((r, i) => {
            if (!r.base) return;
            const src = r.base.kv[l][kind];
            const L = r.base.length;
            // [heads, L, hd] → row i, right-aligned at P.
            for (let h = 0; h < H; h++) dst.set(src.subarray(h * L * hd, (h + 1) * L * hd), ((i * H + h) * P + P - L) * hd);
          });
        }
        past[`past_key_values.${l}.${kind}`] = kvTensor(kvType, dst, [R, H, P, hd]);
      }
    }
    const ids = chunk.map((r) => r.ids);
    const inputs = {
      input_ids: int64(ids, N, (i, t) => (t < N - newLen[i] ? pad : ids[i][t - (N - newLen[i])])),
      attention_mask: int64(ids, P + N, (i, t) => (t < P ? (t >= P - pastLen[i] ? 1 : 0) : t - P >= N - newLen[i] ? 1 : 0)),
      position_ids: int64(ids, N, (i, t) => pastLen[i] + Math.max(0, t - (N - newLen[i]))),
      ...past,
      ...logitsToKeep(info.supportsLogitsToKeep, 1),
    };
    const fetch = ['logits', 'last_hidden_state'];
    for (let l = 0; l < numLayers; l++) fetch.push(`present.${l}.key`, `present.${l}.value`);
    profile.kvCopyMs += now() - tc;

    const tf = now();
    const out = await this.model.run(inputs, fetch);
    profile.extendMs += now() - tf;

    tc = now();
    const present: Array<{ key: KvData; value: KvData; type: KvType }> = [];
    for (let l = 0; l < numLayers; l++) {
      const k = await readKv(out[`present.${l}.key`]);
      const v = await readKv(out[`present.${l}.value`]);
      present.push({ key: k.data, value: v.data, type: k.type });
    }
    const logits = await readFloats(out.logits);
    const kept = out.logits.dims[1];
    const hidden = out.last_hidden_state ? await readFloats(out.last_hidden_state) : null;
    disposeGpuOutputs(out);
    const T = P + N;
    const made = chunk.map((r, i) => {
      const L = pastLen[i] + newLen[i];
      const kv = present.map((layer) => {
        const compact = (src: KvData): KvData => {
          const dst = sameType(src, H * L * hd);
          for (let h = 0; h < H; h++) {
            const rowStart = (i * H + h) * T;
            // past part [P - pastLen, P) and new part [T - newLen, T)
            dst.set(src.subarray((rowStart + P - pastLen[i]) * hd, (rowStart + P) * hd), h * L * hd);
            dst.set(src.subarray((rowStart + T - newLen[i]) * hd, (rowStart + T) * hd), (h * L + pastLen[i]) * hd);
          }
          return dst;
        };
        return { key: compact(layer.key), value: compact(layer.value) };
      });
      const lastRow = (i * kept + kept - 1) * V;
      const lastLogits = logits.slice(lastRow, lastRow + V);
      let phi: Float32Array | null;
      if (hidden) phi = hidden.slice((i * N + N - 1) * d, (i * N + N) * d);
      else phi = sketchMean(info, logits, [lastRow]);
      return { key: r.key, text: r.text, length: L, kv, kvType: present[0]?.type ?? kvType, lastLogits, phi, refs: 0 };
    });
    profile.kvCopyMs += now() - tc;
    return made;
  }

  /** Runs candidate rows on copies of their contexts' caches; returns their scores in order. */
  private async candidates(rows: CandidateRow[], options: EpisodeScoreOptions, profile: EpisodeScoreProfile): Promise<CandidateScore[]> {
    const { info } = this.model;
    const { numLayers, numKvHeads: H, headDim: hd, vocabSize: V, hiddenSize: d } = info;
    const pad = info.padTokenId;
    const R = rows.length;
    const L = Math.max(...rows.map((r) => r.ctx.length));
    const M = Math.max(...rows.map((r) => r.ids.length));

    let tc = now();
    const past: Record<string, Tensor> = {};
    for (let l = 0; l < numLayers; l++) {
      for (const kind of ['key', 'value'] as const) {
        const dst = sameType(rows[0].ctx.kv[l][kind], R * H * L * hd);
        rows.forEach((r, i) => {
          const src = r.ctx.kv[l][kind];
          const Lr = r.ctx.length;
          for (let h = 0; h < H; h++) dst.set(src.subarray(h * Lr * hd, (h + 1) * Lr * hd), ((i * H + h) * L + L - Lr) * hd);
        });
        past[`past_key_values.${l}.${kind}`] = kvTensor(rows[0].ctx.kvType, dst, [R, H, L, hd]);
      }
    }
    const ids = rows.map((r) => r.ids);
    const inputs = {
      input_ids: int64(ids, M, (i, t) => (t < ids[i].length ? ids[i][t] : pad)),
      attention_mask: int64(ids, L + M, (i, t) => (t < L ? (t >= L - rows[i].ctx.length ? 1 : 0) : t - L < ids[i].length ? 1 : 0)),
      position_ids: int64(ids, M, (i, t) => rows[i].ctx.length + Math.min(t, ids[i].length - 1)),
      ...past,
      ...logitsToKeep(info.supportsLogitsToKeep, 0),
    };
    // The present caches are as large as the past and never read: not fetching them saves the copy.
    const fetch = options.features ? ['logits', 'last_hidden_state'] : ['logits'];
    profile.kvCopyMs += now() - tc;

    const tf = now();
    const out = await this.model.run(inputs, fetch);
    profile.candidateMs += now() - tf;

    tc = now();
    const logits = await readFloats(out.logits);
    const hidden = options.features && out.last_hidden_state ? await readFloats(out.last_hidden_state) : null;
    disposeGpuOutputs(out);
    const scores = rows.map((r, i) => {
      const m = r.ids.length;
      // Token 0 is predicted by the context's last logit; token t by candidate position t-1.
      const score = tokenScores(r.ids, (t) => (t === 0 ? { logits: r.ctx.lastLogits, offset: 0 } : { logits, offset: (i * M + t - 1) * V }), V, options);
      if (options.features) {
        if (hidden) {
          const psi = new Float64Array(d);
          for (let t = 0; t < m; t++) accumulate(psi, hidden, (i * M + t) * d, 1 / m);
          score.psi = toFloat32(psi);
        } else {
          score.psi = sketchMean(info, logits, Array.from({ length: m }, (_, t) => (i * M + t) * V));
        }
      }
      return score;
    });
    profile.readoutMs += now() - tc;
    return scores;
  }
}
