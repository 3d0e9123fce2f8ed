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
// not an extension of the episode's last one (a new episode, a sliding window moved) extends the
// cached shared instructions when it starts with them (anchorRestarts), else starts from scratch.
//
// The batched rows carry padding in the middle ([pad | past | pad | new]); the attention mask
// zeroes it and explicit position_ids keep every real token at its unpadded position, so each
// row computes what it would alone.
//
// With a graph that has range attention (the bundled model; see onnx-decoder-writer.ts) both
// passes are one: each distinct context is one row [its cached past | its appended tokens | its
// candidates as a trie rooted at its last token] (candidate-trie.ts), so a context's KV is copied
// once per step, not once per candidate, and shared leading tokens of candidates run once (the
// last tokens, which only their parents' logits score, not at all unless ψ(a) needs their hidden
// states). Other graphs take the two passes. With a tree_logprobs output (the bundled model) a
// trie pass reads one float per node, log p of the node given its parent, computed in the graph
// with the LM head at the trie's inner nodes only, and the new positions' KV (new_key_values),
// instead of fetching [rows, W, vocab] logits and the whole present cache; every node, leaves
// included, is then in the row. A context made by extending another keeps only its new
// positions' KV and a link to the other (copyPositions reads the chain).

import type { CandidateScore, EpisodeItem, EpisodeScoreOptions, EpisodeScoreProfile, EpisodeScoreResult, ItemScore, ModelInfo, ScoreContext } from './backbone-types';
import type { PromptFrame } from './prompts';
import { accumulate, toFloat32 } from './score-math';
import { DEFAULT_MEMORY_BUDGET_BYTES, kvBytesPerToken, kvElementBytes, sketchMean, tokenScores } from './scoring-strategies';
import { ByteLruCache, textKey } from './feature-cache';
import { type TrieLayout, layoutTrie } from './candidate-trie';
import { type KvData, type KvType, type Outputs, type Tensor, disposeGpuOutputs, int64, int64Rows, kvTensor, logitsToKeep, readFloats, readKv } from './transformers-adapter';

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export type { EpisodeItem, EpisodeScoreOptions, EpisodeScoreProfile, EpisodeScoreResult } from './backbone-types';

/** One context's cache: immutable once made, shared by every episode whose prompt it is. */
interface CachedContext {
  key: string;
  text: string;
  /** Tokens of `text`. */
  length: number;
  /**
   * The context whose first baseLength positions are this one's first (null: none, baseLength
   * 0). A context made by extending another holds only its new positions, so a step costs a copy
   * of the appended tokens' KV, not of the whole prompt's; readers go through copyPositions.
   */
  base: CachedContext | null;
  baseLength: number;
  /** Per layer, key and value of positions [baseLength, length) as [heads, length − baseLength, head_dim]. */
  kv: Array<{ key: KvData; value: KvData }>;
  kvType: KvType;
  /** The logit row after the last context token (predicts a candidate's first token); null when made by a trie pass, which re-runs the last token instead. */
  lastLogits: Float32Array | null;
  /** The last context token (a trie pass's root). */
  lastToken: number;
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
  /** Whether the context, tokenised from scratch, gets the tokenizer's special tokens. */
  special: boolean;
}

interface CandidateRow {
  ctx: CachedContext;
  ids: number[];
}

/** One context's row of a trie pass. */
interface TrieRow {
  key: string;
  text: string;
  /** The cached context whose first pastLen positions are the row's past (null: none). */
  source: CachedContext | null;
  pastLen: number;
  /** Tokens run before the root, visible to everything after them. */
  appended: number[];
  /** The context's last token, the trie's root (re-run when the context is already cached). */
  root: number;
  /** Whether the row makes a new context (else it is already cached as `source`). */
  fresh: boolean;
  /** Distinct candidate token lists and their index by text. */
  candidates: number[][];
  index: Map<string, number>;
  layout: TrieLayout | null;
}

/**
 * One trie pass: either tree_logprobs [rows, A + W] (log p of each trie node given its parent
 * node), or the logits [rows, W, vocab] from the root on with the log Σ exp of each logit row;
 * and the hidden states [rows, A + W, d].
 */
interface TrieOutputs {
  /** tree_logprobs, when the graph has it (then logits and lse are null). */
  tree: Float32Array | null;
  logits: Float32Array | null;
  /** log Σ exp of each kept logit row [rows, W]. */
  lse: Float64Array | null;
  hidden: Float32Array;
  /** Per row, the query index of its root; the call's length; the widest trie. */
  rootAt: number[];
  S: number;
  W: number;
}

/** ψ(a) rows of the shared-prefix scoring: a row's length grows with its actions, so long lists take several rows. */
const PSI_ACTIONS_PER_ROW = 64;

/** A shared prompt beginning shorter than this is recomputed rather than kept as an anchor. */
const MIN_ANCHOR_TOKENS = 16;
/** Anchors kept (one per distinct instruction text, so a few per environment). */
const MAX_ANCHORS = 8;

/** Appended lengths that may share a trie pass: up to twice the shortest plus this many tokens. */
const TRIE_PAD_SLACK = 32;

/**
 * Rows per trie pass on the CPU backends (onnxruntime-node, ORT-web wasm). Measured on the
 * rollouts bench's passes (31 household rows, 425 past + 145 own positions, onnxruntime-node, 2
 * cores): one pass of 31 rows 86-91 ms; the same rows sorted by length in passes of 8: 66-70 ms,
 * of 5-6: 63-70, of 2: 73-76, one by one: 75-82. Smaller batches pad less, and their [rows,
 * inner nodes, vocab] logits and [rows, heads, S, T] attention tensors stay in cache. WebGPU
 * takes the rows the budget allows.
 */
const TRIE_ROWS_PER_CPU_PASS = 8;

/** Mask value v ≥ RANGE_BASE: the key is visible to query indices ≤ v − RANGE_BASE; 0 hides it and 1 shares it (onnx-decoder-writer.ts). */
const RANGE_BASE = 2;

/** One pass over rows: logits [rows, M, vocab] and, on request, hidden states [rows, M, hidden]. */
interface RowOutputs {
  logits: Float32Array;
  hidden: Float32Array | null;
  M: number;
}

interface CandidateScoring {
  /** Per item, per candidate. */
  scores: CandidateScore[][];
  rows: number;
  passes: number;
  tokensProcessed: number;
}

/** The prompt ψ(a) is read after in the shared-prefix scoring: the action as a bare reply. */
const PSI_PROMPT = 'Action:';

/** log Σ exp over one logit row, in float64. */
function logSumExp(logits: Float32Array, offset: number, n: number): number {
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (logits[offset + i] > max) max = logits[offset + i];
  let z = 0;
  for (let i = 0; i < n; i++) z += Math.exp(logits[offset + i] - max);
  return max + Math.log(z);
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

/** Trie nodes with children (the ones whose logits score something). */
function innerNodes(layout: TrieLayout): number {
  let n = 0;
  layout.visibleUntil.forEach((u, k) => {
    if (u > k) n++;
  });
  return n;
}

/**
 * Copies positions [0, n) of a context's layer-`l` key or value cache, walking its chain of
 * bases, into `dst`: head h's positions start at element offset `at(h)`.
 */
function copyPositions(ctx: CachedContext, l: number, kind: 'key' | 'value', n: number, heads: number, hd: number, dst: KvData, at: (h: number) => number): void {
  let c: CachedContext | null = ctx;
  let end = n;
  while (c && end > 0) {
    const start = c.baseLength;
    if (end > start) {
      const own = c.length - start;
      const src = c.kv[l][kind];
      for (let h = 0; h < heads; h++) dst.set(src.subarray(h * own * hd, (h * own + end - start) * hd), at(h) + start * hd);
      end = start;
    }
    c = c.base;
  }
}

function sameType(src: KvData, n: number): KvData {
  return src instanceof Float32Array ? new Float32Array(n) : new Uint16Array(n);
}

/**
 * Reusable backing stores for the padded past tensors, one per (layer, key|value): a candidate
 * pass needs hundreds of MB of them per step, and allocating (zero-filling, then collecting)
 * that much every step cost more than the copies. Padding is masked, so stale values there are
 * never read.
 */
class KvScratch {
  private readonly stores = new Map<string, ArrayBuffer>();

  take(slot: string, like: KvData | KvType, n: number): KvData {
    const bytesPer = like === 'float32' || like instanceof Float32Array ? 4 : 2;
    let buf = this.stores.get(slot);
    if (!buf || buf.byteLength < n * bytesPer) {
      buf = new ArrayBuffer(Math.ceil(n * bytesPer * 1.25));
      this.stores.set(slot, buf);
    }
    return bytesPer === 4 ? new Float32Array(buf, 0, n) : new Uint16Array(buf, 0, n);
  }

  clear(): void {
    this.stores.clear();
  }
}

/**
 * Keeps every live episode's context cache between calls and scores a batch of decisions with
 * one extension pass and candidate passes over all of them.
 */
export class EpisodeScorer {
  private readonly contexts = new Map<string, CachedContext>();
  /** Shared prompt beginnings that fresh prompts extend (see anchorRestarts), oldest first. */
  private readonly anchors: CachedContext[] = [];
  private readonly episodes = new Map<string, CachedContext>();
  /** Token ids of framed candidate texts: actions recur across steps and episodes. */
  private readonly candidateTokens = new ByteLruCache<number[]>(8 * 2 ** 20, (ids) => ids.length * 8);
  private readonly scratch = new KvScratch();
  /** ψ(a) of the shared-prefix scoring, per action text. */
  private readonly psiCache = new ByteLruCache<Float32Array>(16 * 2 ** 20, (v) => v.byteLength);
  private psiContext: { ctx: CachedContext; candidatePrefix: string } | null = null;

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
    // Each segment once, though several contexts (and their bases) share it.
    const seen = new Set<CachedContext>();
    for (const c of this.contexts.values()) {
      for (let x: CachedContext | null = c; x && !seen.has(x); x = x.base) {
        seen.add(x);
        for (const l of x.kv) n += l.key.byteLength + l.value.byteLength;
      }
    }
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
    // With no episode live, the anchors go too: a later collection then computes its shared
    // instructions afresh, so its scores (to the last float bit) never depend on what was scored
    // before it. Same seed, same trajectories, even within one process.
    if (this.episodes.size === 0) this.anchors.length = 0;
  }

  clear(): void {
    this.episodes.clear();
    this.contexts.clear();
    this.scratch.clear();
    this.psiCache.clear();
    this.psiContext = null;
    this.anchors.length = 0;
  }

  /**
   * Prompts computed from scratch (a new episode, or a window that moved) mostly share their
   * first messages (the instructions): the longest such prefix, cut after an end-of-turn marker,
   * is computed once and kept as an anchor, and every later prompt that starts with it extends
   * it instead. Returns the context tokens thereby read from cache.
   */
  private async anchorRestarts(rows: ExtendRow[], trie: boolean, profile: EpisodeScoreProfile, budget: number): Promise<number> {
    const eot = this.model.info.endOfTurn;
    if (!rows.length || !eot) return 0;
    const anchorOf = (r: ExtendRow): CachedContext | undefined => this.anchors.find((a) => r.text.length > a.text.length && r.text.startsWith(a.text));
    const loose = rows.filter((r) => !anchorOf(r));
    if (loose.length >= 2) {
      let n = loose[0].text.length;
      for (const r of loose) {
        let i = 0;
        while (i < n && i < r.text.length && r.text.charCodeAt(i) === loose[0].text.charCodeAt(i)) i++;
        n = i;
      }
      const cut = loose[0].text.lastIndexOf(eot, n - eot.length);
      if (cut > 0) {
        const text = loose[0].text.slice(0, cut + eot.length);
        const ids = this.model.encode(text, loose[0].special);
        if (ids.length >= MIN_ANCHOR_TOKENS) await this.makeAnchor(text, ids, trie, profile, budget);
      }
    }
    let reused = 0;
    const tr = now();
    for (const r of rows) {
      const a = anchorOf(r);
      if (!a) continue;
      r.base = a;
      r.ids = this.model.encode(r.text.slice(a.text.length), false);
      reused += a.length;
    }
    profile.tokenizeMs += now() - tr;
    return reused;
  }

  private async makeAnchor(text: string, ids: number[], trie: boolean, profile: EpisodeScoreProfile, budget: number): Promise<void> {
    const key = `anchor\u0000${textKey(text)}`;
    let made: CachedContext;
    if (trie) {
      const row: TrieRow = { key, text, source: null, pastLen: 0, appended: ids.slice(0, -1), root: ids[ids.length - 1], fresh: true, candidates: [], index: new Map(), layout: layoutTrie(ids[ids.length - 1], [], { leaves: false }) };
      await this.runTriePlanned([row], budget, profile, () => {});
      made = this.contexts.get(key)!;
      this.contexts.delete(key);
    } else {
      [made] = await this.extend([{ key, text, base: null, ids, special: false }], profile);
    }
    this.anchors.push(made);
    if (this.anchors.length > MAX_ANCHORS) this.anchors.shift();
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
    const trie = this.useTrie(options);
    let tr = now();
    const frames = items.map((it) => this.model.frameFor(it.context));
    // A trie pass caches no last-token logits, which the per-candidate rows need: separate keys.
    const keys = frames.map((f) => textKey(f.context) + (trie ? '\u0000trie' : ''));
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
      toExtend.set(key, { key, text, base, ids, special: this.model.addsSpecialTokens(it.context) });
    });
    profile.tokenizeMs += now() - tr;
    reusedTokens += await this.anchorRestarts([...toExtend.values()].filter((r) => !r.base), trie, profile, budget);

    if (trie) {
      const done = await this.scoreTrie(items, frames, keys, toExtend, options, profile, budget);
      const ctxOf = this.moveEpisodes(items, keys);
      return {
        items: items.map((_, i) => ({ contextTokens: ctxOf[i].length, ...(options.features && ctxOf[i].phi ? { phi: ctxOf[i].phi! } : {}), candidates: done.scores[i] })),
        totalMs: now() - t0,
        profile,
        reusedTokens,
        contextTokensRun: [...toExtend.values()].reduce((n, r) => n + r.ids.length, 0),
        contextRows: toExtend.size,
        candidateRows: done.rows,
        restarts,
        tokensProcessed: done.tokensProcessed,
        extensionPasses: 0,
        candidatePasses: done.passes,
      };
    }

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

    const ctxOf = this.moveEpisodes(items, keys);
    const cand =
      options.scoring === 'shared-prefix'
        ? await this.scoreSharedPrefix(items, frames, keys, ctxOf, options, profile, budget)
        : await this.scoreExact(items, frames, keys, ctxOf, options, profile, budget);
    tokensProcessed += cand.tokensProcessed;

    const result: ItemScore[] = items.map((_, i) => ({
      contextTokens: ctxOf[i].length,
      ...(options.features && ctxOf[i].phi ? { phi: ctxOf[i].phi! } : {}),
      candidates: cand.scores[i],
    }));
    return {
      items: result,
      totalMs: now() - t0,
      profile,
      reusedTokens,
      contextTokensRun,
      contextRows: extendRows.length,
      candidateRows: cand.rows,
      restarts,
      tokensProcessed,
      extensionPasses: extChunks.length,
      candidatePasses: cand.passes,
    };
  }

  /** Moves every episode onto its new context (a context shared by K episodes is held once); returns each item's context. */
  private moveEpisodes(items: EpisodeItem[], keys: string[]): CachedContext[] {
    const ctxOf = keys.map((k) => this.contexts.get(k)!);
    items.forEach((it, i) => {
      const c = ctxOf[i];
      c.refs++;
      const prev = this.episodes.get(it.episode);
      this.episodes.set(it.episode, c);
      if (prev) this.unref(prev);
    });
    return ctxOf;
  }

  /** Whether trie passes read tree_logprobs (and so lay out every node, leaves included) rather than the logits. */
  private get treeScores(): boolean {
    return this.model.info.supportsTreeLogprobs === true;
  }

  private useTrie(options: EpisodeScoreOptions): boolean {
    const supported = this.model.info.supportsRangeAttention === true;
    if (options.layout === 'trie' && !supported) throw new RangeError(`model "${this.model.info.modelId}" has no range attention; score with layout 'rows'`);
    return supported && options.layout !== 'rows';
  }

  private tokensOf(text: string): number[] {
    let ids = this.candidateTokens.get(text);
    if (!ids) {
      ids = this.model.encode(text, false);
      this.candidateTokens.set(text, ids);
    }
    return ids;
  }

  /** Runs rows in chunks under the budget (shortest contexts together); calls `use` per chunk. */
  private async runPlanned(rows: CandidateRow[], wantHidden: boolean, budget: number, profile: EpisodeScoreProfile, use: (chunk: number[], out: RowOutputs) => void): Promise<{ passes: number; tokensProcessed: number }> {
    const { info } = this.model;
    const kv = kvBytesPerToken(info, kvElementBytes(info.dtype));
    const perPosition = info.vocabSize * 4 + (wantHidden && info.featureSource === 'hidden-state' ? info.hiddenSize * 4 : 0);
    const order = rows.map((_, r) => r).sort((a, b) => rows[a].ctx.length - rows[b].ctx.length);
    const chunks = chunkRows(
      order,
      (chunk, next) => {
        const all = [...chunk, next];
        const L = Math.max(...all.map((r) => rows[r].ctx.length));
        const M = Math.max(...all.map((r) => rows[r].ids.length));
        return all.length * ((2 * L + M) * kv + M * perPosition);
      },
      budget,
    );
    let tokensProcessed = 0;
    for (const chunk of chunks) {
      const out = await this.runRows(chunk.map((r) => rows[r]), wantHidden, profile);
      tokensProcessed += chunk.length * out.M;
      const tc = now();
      use(chunk, out);
      profile.readoutMs += now() - tc;
    }
    return { passes: chunks.length, tokensProcessed };
  }

  /** One row per (context, framed candidate with its end-of-turn suffix): equals Backbone.score. */
  private async scoreExact(items: EpisodeItem[], frames: PromptFrame[], keys: string[], ctxOf: CachedContext[], options: EpisodeScoreOptions, profile: EpisodeScoreProfile, budget: number): Promise<CandidateScoring> {
    const { info } = this.model;
    const { vocabSize: V, hiddenSize: d } = info;
    const tr = now();
    const rowIndex = new Map<string, number>();
    const rows: CandidateRow[] = [];
    const itemRows = items.map((it, i) =>
      it.candidates.map((a, j) => {
        const text = frames[i].candidatePrefix + a + frames[i].candidateSuffix;
        const rk = `${keys[i]}\u0000${text}`;
        let r = rowIndex.get(rk);
        if (r === undefined) {
          const ids = this.tokensOf(text);
          if (!ids.length) throw new RangeError(`episode "${it.episode}": candidate ${j} is empty, so it has no tokens to score`);
          r = rows.length;
          rows.push({ ctx: ctxOf[i], ids });
          rowIndex.set(rk, r);
        }
        return r;
      }),
    );
    profile.tokenizeMs += now() - tr;

    const scores: CandidateScore[] = new Array(rows.length);
    const run = await this.runPlanned(rows, !!options.features, budget, profile, (chunk, { logits, hidden, M }) => {
      chunk.forEach((r, i) => {
        const row = rows[r];
        const m = row.ids.length;
        // Token 0 is predicted by the context's last logit; token t by candidate position t-1.
        const score = tokenScores(row.ids, (t) => (t === 0 ? { logits: row.ctx.lastLogits!, offset: 0 } : { logits, offset: (i * M + t - 1) * V }), V, options);
        if (options.features) {
          if (hidden) {
            const psi = new Float64Array(d);
            for (let t = 0; t < m; t++) accumulate(psi, hidden, (i * M + t) * d, 1 / m);
            score.psi = toFloat32(psi);
          } else {
            score.psi = sketchMean(info, logits, Array.from({ length: m }, (_, t) => (i * M + t) * V));
          }
        }
        scores[r] = score;
      });
    });
    return { scores: itemRows.map((rs) => rs.map((r) => scores[r])), rows: rows.length, ...run };
  }

  /**
   * ℓ over the action's tokens only (no end-of-turn token), so candidates that differ only in
   * their last token ("go to cabinet 1", "go to cabinet 2") are read from one row's logits: a
   * context's rows are the longest distinct all-but-last-token prefixes of its candidates, and
   * one-token actions need no row at all. ψ(a) is the action's own features (see psiOf).
   */
  private async scoreSharedPrefix(items: EpisodeItem[], frames: PromptFrame[], keys: string[], ctxOf: CachedContext[], options: EpisodeScoreOptions, profile: EpisodeScoreProfile, budget: number): Promise<CandidateScoring> {
    const V = this.model.info.vocabSize;
    const tr = now();
    const rows: CandidateRow[] = [];
    /** Per context key: its rows' token keys and indices. */
    const ctxRows = new Map<string, Map<string, number>>();
    const plans = items.map((it, i) => {
      const cands = it.candidates.map((a, j) => {
        const ids = this.tokensOf(frames[i].candidatePrefix + a);
        if (!ids.length) throw new RangeError(`episode "${it.episode}": candidate ${j} is empty, so it has no tokens to score`);
        return { ids, prefix: ids.slice(0, -1).join(',') };
      });
      let mine = ctxRows.get(keys[i]);
      if (!mine) {
        mine = new Map();
        ctxRows.set(keys[i], mine);
        const prefixes = [...new Set(cands.map((c) => c.prefix).filter((p) => p.length))];
        for (const p of prefixes) {
          if (prefixes.some((q) => q !== p && q.startsWith(`${p},`))) continue;
          mine.set(p, rows.length);
          rows.push({ ctx: ctxOf[i], ids: p.split(',').map(Number) });
        }
      }
      const rowsHere = mine;
      return cands.map((c) => {
        if (!c.prefix) return { ids: c.ids, row: -1 };
        let row = rowsHere.get(c.prefix);
        if (row === undefined) for (const [p, r] of rowsHere) if (p.startsWith(`${c.prefix},`)) { row = r; break; }
        return { ids: c.ids, row: row! };
      });
    });
    profile.tokenizeMs += now() - tr;

    const scores: CandidateScore[][] = plans.map((p) => new Array(p.length));
    const byRow = new Map<number, Array<[number, number]>>();
    plans.forEach((p, i) => p.forEach((c, j) => {
      if (c.row < 0) return;
      const list = byRow.get(c.row);
      if (list) list.push([i, j]);
      else byRow.set(c.row, [[i, j]]);
    }));
    const lastLse = new Map<CachedContext, number>();
    const lseOfLast = (c: CachedContext): number => {
      let v = lastLse.get(c);
      if (v === undefined) {
        v = logSumExp(c.lastLogits!, 0, V);
        lastLse.set(c, v);
      }
      return v;
    };
    const score = (i: number, j: number, at: (t: number) => number): void => {
      const { ids } = plans[i][j];
      const ctx = ctxOf[i];
      let sum = 0;
      const per = options.tokenLogprobs ? new Float32Array(ids.length) : undefined;
      ids.forEach((tok, t) => {
        const lp = t === 0 ? ctx.lastLogits![tok] - lseOfLast(ctx) : at(t);
        sum += lp;
        if (per) per[t] = lp;
      });
      scores[i][j] = { logprobSum: sum, logprobMean: sum / ids.length, tokens: ids.length, ...(per ? { tokenLogprobs: per } : {}) };
    };
    const tc = now();
    plans.forEach((p, i) => p.forEach((c, j) => { if (c.row < 0) score(i, j, () => NaN); }));
    profile.readoutMs += now() - tc;

    const run = await this.runPlanned(rows, false, budget, profile, (chunk, { logits, M }) => {
      chunk.forEach((r, k) => {
        const lse = new Float64Array(M).fill(NaN);
        for (const [i, j] of byRow.get(r) ?? []) {
          const ids = plans[i][j].ids;
          score(i, j, (t) => {
            // Token t is predicted at row position t-1.
            const offset = (k * M + t - 1) * V;
            if (Number.isNaN(lse[t - 1])) lse[t - 1] = logSumExp(logits, offset, V);
            return logits[offset + ids[t]] - lse[t - 1];
          });
        }
      });
    });

    if (options.features) {
      const psi = await this.psiOf(items.flatMap((it) => it.candidates), budget, profile);
      items.forEach((it, i) => it.candidates.forEach((a, j) => (scores[i][j].psi = psi.get(a)!)));
    }
    return { scores, rows: rows.length, ...run };
  }

  /**
   * Both scorings in trie passes: one row per distinct context, [past | appended tokens | trie of
   * its distinct candidates]. 'exact' scores the framed candidate with its end-of-turn suffix and
   * ψ(a) in the context (as scoreExact); 'shared-prefix' the action's tokens only and ψ(a) from
   * the action alone (as scoreSharedPrefix). New contexts are cached from the pass's present KV.
   */
  private async scoreTrie(items: EpisodeItem[], frames: PromptFrame[], keys: string[], toExtend: Map<string, ExtendRow>, options: EpisodeScoreOptions, profile: EpisodeScoreProfile, budget: number): Promise<CandidateScoring> {
    const exact = options.scoring !== 'shared-prefix';
    const tr = now();
    const rowOf = new Map<string, TrieRow>();
    const where = items.map((it, i) => {
      let row = rowOf.get(keys[i]);
      if (!row) {
        const ext = toExtend.get(keys[i]);
        if (ext) {
          row = { key: ext.key, text: ext.text, source: ext.base, pastLen: ext.base?.length ?? 0, appended: ext.ids.slice(0, -1), root: ext.ids[ext.ids.length - 1], fresh: true, candidates: [], index: new Map(), layout: null };
        } else {
          const c = this.contexts.get(keys[i])!;
          row = { key: c.key, text: c.text, source: c, pastLen: c.length - 1, appended: [], root: c.lastToken, fresh: false, candidates: [], index: new Map(), layout: null };
        }
        rowOf.set(keys[i], row);
      }
      const r = row;
      return it.candidates.map((a, j) => {
        const text = frames[i].candidatePrefix + a + (exact ? frames[i].candidateSuffix : '');
        let c = r.index.get(text);
        if (c === undefined) {
          const ids = this.tokensOf(text);
          if (!ids.length) throw new RangeError(`episode "${it.episode}": candidate ${j} is empty, so it has no tokens to score`);
          c = r.candidates.length;
          r.candidates.push(ids);
          r.index.set(text, c);
        }
        return { row: r, c };
      });
    });
    const rows = [...rowOf.values()];
    const wantPsi = exact && !!options.features;
    for (const r of rows) r.layout = layoutTrie(r.root, r.candidates, { leaves: wantPsi || this.treeScores });
    profile.tokenizeMs += now() - tr;

    const scored = new Map<TrieRow, CandidateScore[]>();
    const run = await this.runTriePlanned(rows, budget, profile, (chunk, out) => {
      chunk.forEach((row, r) => scored.set(row, this.readTrie(row, r, out, options, wantPsi)));
    });
    const scores = where.map((cands) => cands.map(({ row, c }) => ({ ...scored.get(row)![c] })));
    if (options.features && !exact) {
      const psi = await this.psiOf(items.flatMap((it) => it.candidates), budget, profile);
      items.forEach((it, i) => it.candidates.forEach((a, j) => (scores[i][j].psi = psi.get(a)!)));
    }
    return { scores, rows: rows.length, ...run };
  }

  /** ℓ (and ψ as the mean hidden state over the candidate's tokens) of every candidate of row r of a trie pass. */
  private readTrie(row: TrieRow, r: number, out: TrieOutputs, options: { tokenLogprobs?: boolean }, wantPsi: boolean): CandidateScore[] {
    const { hiddenSize: d, vocabSize: V } = this.model.info;
    const { tree, logits, lse, hidden, S, W } = out;
    const root = r * S + out.rootAt[r];
    const ids = row.candidates;
    return row.layout!.paths.map(({ parent, at }, c) => {
      const m = parent.length;
      const per = options.tokenLogprobs ? new Float32Array(m) : undefined;
      let sum = 0;
      for (let t = 0; t < m; t++) {
        // With tree_logprobs every node is in the row (leaves too) and carries its own score;
        // else a token is read from its parent's logits.
        let lp: number;
        if (tree) lp = tree[root + at[t]];
        else {
          const k = r * W + parent[t];
          lp = logits![k * V + ids[c][t]] - lse![k];
        }
        sum += lp;
        if (per) per[t] = lp;
      }
      const score: CandidateScore = { logprobSum: sum, logprobMean: sum / m, tokens: m, ...(per ? { tokenLogprobs: per } : {}) };
      if (wantPsi) {
        const psi = new Float64Array(d);
        for (let t = 0; t < m; t++) accumulate(psi, hidden, (root + at[t]) * d, 1 / m);
        score.psi = toFloat32(psi);
      }
      return score;
    });
  }

  /**
   * Runs trie rows in chunks under the budget, rows with similar appended lengths together (a
   * fresh prompt next to one-step extensions would pad every row to the prompt's length); new
   * contexts go into the cache; calls `use` per chunk.
   */
  private async runTriePlanned(rows: TrieRow[], budget: number, profile: EpisodeScoreProfile, use: (chunk: TrieRow[], out: TrieOutputs) => void): Promise<{ passes: number; tokensProcessed: number }> {
    const { info } = this.model;
    const kv = kvBytesPerToken(info, kvElementBytes(info.dtype));
    // With tree_logprobs: the inner nodes' logits and their softmax, in the graph (padded to the
    // row with the most), and A + W floats fetched; else every kept position's logits, in the
    // graph and fetched.
    const tree = this.treeScores;
    const logitRow = 2 * info.vocabSize * 4;
    const inner = new Map(rows.map((r) => [r, tree ? innerNodes(r.layout!) : 0]));
    // Rows of similar length together: with tree_logprobs a row is [appended | trie], padded at
    // its end to the pass's longest; else [appended | trie] aligned at the trie, padded at both.
    const own = (r: TrieRow): number => (tree ? r.appended.length + r.layout!.tokens.length : r.appended.length);
    const ordered = [...rows].sort((a, b) => own(a) - own(b) || a.pastLen - b.pastLen);
    const perPass = this.model.info.device === 'webgpu' ? Infinity : Math.ceil(rows.length / Math.ceil(rows.length / TRIE_ROWS_PER_CPU_PASS));
    const chunks = chunkRows(
      ordered,
      (chunk, next) => {
        if (chunk.length >= perPass) return Infinity;
        if (next.appended.length > 2 * Math.min(...chunk.map((r) => r.appended.length)) + TRIE_PAD_SLACK) return Infinity;
        const all = [...chunk, next];
        const P = Math.max(...all.map((r) => r.pastLen));
        const A = Math.max(...all.map((r) => r.appended.length));
        const W = Math.max(...all.map((r) => r.layout!.tokens.length));
        const S = tree ? Math.max(...all.map((r) => r.appended.length + r.layout!.tokens.length)) : A + W; // as runTrie lays them out
        const logits = tree ? Math.max(...all.map((r) => inner.get(r)!)) * logitRow + S * 4 : W * (logitRow + 4);
        return all.length * ((3 * P + 2 * S) * kv + logits + S * info.hiddenSize * 4);
      },
      budget,
    );
    let tokensProcessed = 0;
    for (const chunk of chunks) {
      const out = await this.runTrie(chunk, profile);
      tokensProcessed += chunk.length * out.S;
      const tc = now();
      use(chunk, out);
      profile.readoutMs += now() - tc;
    }
    return { passes: chunks.length, tokensProcessed };
  }

  /** One trie pass over rows [past | pad | appended | trie | pad]; caches the fresh rows' contexts. */
  private async runTrie(rows: TrieRow[], profile: EpisodeScoreProfile): Promise<TrieOutputs> {
    const { info } = this.model;
    const { numLayers, numKvHeads: H, headDim: hd, hiddenSize: d } = info;
    const pad = info.padTokenId;
    const R = rows.length;
    const tree = this.treeScores;
    const P = Math.max(...rows.map((r) => r.pastLen));
    const A = Math.max(...rows.map((r) => r.appended.length));
    const W = Math.max(...rows.map((r) => r.layout!.tokens.length));
    // Each row is [appended | trie], its root at rootAt. Read from the logits, every trie must end
    // the row (they are the last W positions kept): rows are [pad | appended | trie | pad]. Read
    // from tree_logprobs, the pair starts every row and only the row's end is padded, so the
    // call is as long as the longest pair, not the longest appended plus the widest trie.
    const rootAt = rows.map((r) => (tree ? r.appended.length : A));
    const S = tree ? Math.max(...rows.map((r) => r.appended.length + r.layout!.tokens.length)) : A + W;
    const T = P + S;

    let tc = now();
    const past: Record<string, Tensor> = {};
    const like = rows.find((r) => r.source)?.source;
    const kvType: KvType = like?.kvType ?? (kvElementBytes(info.dtype) === 2 ? 'float16' : 'float32');
    for (let l = 0; l < numLayers; l++) {
      for (const kind of ['key', 'value'] as const) {
        const dst = this.scratch.take(`${l}.${kind}`, like?.kv[l][kind] ?? kvType, R * H * P * hd);
        rows.forEach((r, i) => {
          if (!r.source || !r.pastLen) return;
          // The first pastLen positions, right-aligned at P.
          copyPositions(r.source, l, kind, r.pastLen, H, hd, dst, (h) => ((i * H + h) * P + P - r.pastLen) * hd);
        });
        past[`past_key_values.${l}.${kind}`] = kvTensor(kvType, dst, [R, H, P, hd]);
      }
    }
    const inputs = {
      input_ids: int64Rows(R, S, (i, q) => {
        const r = rows[i];
        const n = r.appended.length;
        const k = q - rootAt[i];
        if (k < 0) return k >= -n ? r.appended[n + k] : pad;
        return k < r.layout!.tokens.length ? r.layout!.tokens[k] : pad;
      }),
      attention_mask: int64Rows(R, T, (i, t) => {
        const r = rows[i];
        if (t < P) return t >= P - r.pastLen ? 1 : 0;
        const k = t - P - rootAt[i];
        if (k < 0) return k >= -r.appended.length ? 1 : 0;
        return k < r.layout!.tokens.length ? RANGE_BASE + rootAt[i] + r.layout!.visibleUntil[k] : 0;
      }),
      position_ids: int64Rows(R, S, (i, q) => {
        const r = rows[i];
        const n = r.appended.length;
        const k = q - rootAt[i];
        if (k < 0) return r.pastLen + Math.max(0, n + k);
        return r.pastLen + n + (k < r.layout!.tokens.length ? r.layout!.depth[k] : 0);
      }),
      ...past,
      // tree_logprobs runs the LM head at the trie's inner nodes itself: the logits output then
      // needs only its minimum, one row.
      ...logitsToKeep(info.supportsLogitsToKeep, tree ? 1 : W),
    };
    const fresh = rows.some((r) => r.fresh);
    // tree_logprobs is S floats a row; the logits are W × vocab, copied out of the runtime and read here.
    const fetch = tree ? ['tree_logprobs', 'last_hidden_state'] : ['logits', 'token_logprobs', 'last_hidden_state'];
    // The fresh rows' new positions: new_key_values is this call's S, present all P + S.
    const kvOut = tree ? 'new_key_values' : 'present';
    if (fresh) for (let l = 0; l < numLayers; l++) fetch.push(`${kvOut}.${l}.key`, `${kvOut}.${l}.value`);
    profile.kvCopyMs += now() - tc;

    const tf = now();
    const out = await this.model.run(inputs, fetch);
    profile.candidateMs += now() - tf;
    tc = now();
    const hidden = await readFloats(out.last_hidden_state);
    const treeLogprobs = tree ? await readFloats(out.tree_logprobs) : null;
    let logits: Float32Array | null = null;
    let lse: Float64Array | null = null;
    if (!tree) {
      logits = await readFloats(out.logits);
      const tokenLogprobs = await readFloats(out.token_logprobs);
      // token_logprobs = logit of the next input token − log Σ exp, so the normaliser of every kept
      // row comes back without a pass over the vocabulary (the graph scores token 0 after the last position).
      const V = info.vocabSize;
      lse = new Float64Array(R * W);
      for (let i = 0; i < R; i++) {
        const r = rows[i];
        for (let k = 0; k < W; k++) {
          const q = A + k;
          const next = q + 1 >= S ? 0 : k + 1 < r.layout!.tokens.length ? r.layout!.tokens[k + 1] : pad;
          lse[i * W + k] = logits[(i * W + k) * V + next] - tokenLogprobs[i * W + k];
        }
      }
    }
    if (fresh) {
      const present: Array<{ key: KvData; value: KvData; type: KvType }> = [];
      for (let l = 0; l < numLayers; l++) {
        const k = await readKv(out[`${kvOut}.${l}.key`]);
        const v = await readKv(out[`${kvOut}.${l}.value`]);
        present.push({ key: k.data, value: v.data, type: k.type });
      }
      // Where the call's own positions start in a fetched row.
      const own = tree ? 0 : P;
      const width = tree ? S : T;
      rows.forEach((r, i) => {
        if (!r.fresh) return;
        const n = r.appended.length + 1; // the appended tokens and the root
        const L = r.pastLen + n;
        // Only the new positions: the first pastLen are the source's (the row's past).
        const base = r.pastLen > 0 ? r.source : null;
        const compact = (src: KvData): KvData => {
          const dst = sameType(src, H * n * hd);
          for (let h = 0; h < H; h++) {
            const rowStart = (i * H + h) * width + own;
            dst.set(src.subarray((rowStart + rootAt[i] - (n - 1)) * hd, (rowStart + rootAt[i] + 1) * hd), h * n * hd);
          }
          return dst;
        };
        const kv = present.map((layer) => ({ key: compact(layer.key), value: compact(layer.value) }));
        const phi = hidden.slice((i * S + rootAt[i]) * d, (i * S + rootAt[i] + 1) * d);
        this.contexts.set(r.key, { key: r.key, text: r.text, length: L, base, baseLength: base ? r.pastLen : 0, kv, kvType: present[0]?.type ?? kvType, lastLogits: null, lastToken: r.root, phi, refs: 0 });
      });
    }
    disposeGpuOutputs(out);
    profile.kvCopyMs += now() - tc;
    return { tree: treeLogprobs, logits, lse, hidden, rootAt, S, W };
  }

  /**
   * ψ(a) for the shared-prefix scoring: the mean hidden state (or logit sketch) over the action's
   * tokens as the reply to a fixed one-line prompt. It depends on the action alone, so it is
   * computed once per action text and cached.
   */
  private async psiOf(actions: string[], budget: number, profile: EpisodeScoreProfile): Promise<Map<string, Float32Array>> {
    const { info } = this.model;
    const { vocabSize: V, hiddenSize: d } = info;
    const out = new Map<string, Float32Array>();
    const missing: string[] = [];
    for (const a of actions) {
      if (out.has(a)) continue;
      const hit = this.psiCache.get(a);
      if (hit) out.set(a, hit);
      else if (!missing.includes(a)) missing.push(a);
    }
    if (!missing.length) return out;
    if (!this.psiContext) {
      const frame = this.model.frameFor({ messages: [{ role: 'user', content: PSI_PROMPT }] });
      const ids = this.model.encode(frame.context, !this.model.info.hasChatTemplate);
      const [ctx] = await this.extend([{ key: 'psi', text: frame.context, base: null, ids, special: false }], profile);
      this.psiContext = { ctx, candidatePrefix: frame.candidatePrefix };
    }
    const { ctx, candidatePrefix } = this.psiContext;
    if (this.model.info.supportsRangeAttention) {
      // Trie rows on the fixed prompt (already cached, so its last token is the root).
      const rows: TrieRow[] = [];
      const actionsOf = new Map<TrieRow, string[]>();
      for (let k = 0; k < missing.length; k += PSI_ACTIONS_PER_ROW) {
        const actions = missing.slice(k, k + PSI_ACTIONS_PER_ROW);
        const candidates = actions.map((a) => this.tokensOf(candidatePrefix + a));
        const row: TrieRow = { key: ctx.key, text: ctx.text, source: ctx, pastLen: ctx.length - 1, appended: [], root: ctx.lastToken, fresh: false, candidates, index: new Map(), layout: layoutTrie(ctx.lastToken, candidates, { leaves: true }) };
        rows.push(row);
        actionsOf.set(row, actions);
      }
      await this.runTriePlanned(rows, budget, profile, (chunk, o) => {
        chunk.forEach((row, r) => {
          const actions = actionsOf.get(row)!;
          this.readTrie(row, r, o, {}, true).forEach((sc, k) => {
            this.psiCache.set(actions[k], sc.psi!);
            out.set(actions[k], sc.psi!);
          });
        });
      });
      return out;
    }
    const rows = missing.map((a) => ({ ctx, ids: this.tokensOf(candidatePrefix + a) }));
    await this.runPlanned(rows, true, budget, profile, (chunk, { logits, hidden, M }) => {
      chunk.forEach((r, k) => {
        const m = rows[r].ids.length;
        let psi: Float32Array;
        if (hidden) {
          const acc = new Float64Array(d);
          for (let t = 0; t < m; t++) accumulate(acc, hidden, (k * M + t) * d, 1 / m);
          psi = toFloat32(acc);
        } else {
          psi = sketchMean(info, logits, Array.from({ length: m }, (_, t) => (k * M + t) * V));
        }
        this.psiCache.set(missing[r], psi);
        out.set(missing[r], psi);
      });
    });
    return out;
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
        const dst = this.scratch.take(`${l}.${kind}`, template?.kv[l][kind] ?? kvType, R * H * P * hd);
        if (P > 0) {
          chunk.forEach((r, i) => {
            if (!r.base) return;
            const L = r.base.length;
            // Its L positions → row i, right-aligned at P.
            copyPositions(r.base, l, kind, L, H, hd, dst, (h) => ((i * H + h) * P + P - L) * hd);
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
      return { key: r.key, text: r.text, length: L, base: null, baseLength: 0, kv, kvType: present[0]?.type ?? kvType, lastLogits, lastToken: r.ids[r.ids.length - 1], phi, refs: 0 };
    });
    profile.kvCopyMs += now() - tc;
    return made;
  }

  /** Runs rows on copies of their contexts' caches; returns the logits (and hidden states) of every position. */
  private async runRows(rows: CandidateRow[], wantHidden: boolean, profile: EpisodeScoreProfile): Promise<RowOutputs> {
    const { info } = this.model;
    const { numLayers, numKvHeads: H, headDim: hd } = info;
    const pad = info.padTokenId;
    const R = rows.length;
    const L = Math.max(...rows.map((r) => r.ctx.length));
    const M = Math.max(...rows.map((r) => r.ids.length));

    const tc = now();
    const past: Record<string, Tensor> = {};
    for (let l = 0; l < numLayers; l++) {
      for (const kind of ['key', 'value'] as const) {
        const dst = this.scratch.take(`${l}.${kind}`, rows[0].ctx.kv[l][kind], R * H * L * hd);
        rows.forEach((r, i) => {
          const Lr = r.ctx.length;
          copyPositions(r.ctx, l, kind, Lr, H, hd, dst, (h) => ((i * H + h) * L + L - Lr) * hd);
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
    profile.kvCopyMs += now() - tc;

    // The present caches are as large as the past and never read: not fetching them saves the copy.
    const fetch = wantHidden ? ['logits', 'last_hidden_state'] : ['logits'];
    const tf = now();
    const out = await this.model.run(inputs, fetch);
    profile.candidateMs += now() - tf;
    const logits = await readFloats(out.logits);
    const hidden = wantHidden && out.last_hidden_state ? await readFloats(out.last_hidden_state) : null;
    disposeGpuOutputs(out);
    return { logits, hidden, M };
  }
}
