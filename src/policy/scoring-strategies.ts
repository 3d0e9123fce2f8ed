// The two ways of computing ℓ(a|s) (and φ/ψ) by teacher forcing:
// - 'full' runs every context+candidate row in one batch;
// - 'prefix' runs each distinct context once, then its candidates on top of a per-candidate copy
//   of the context's KV cache. Those copies grow with candidates × context length (Qwen2.5-0.5B,
//   40 candidates, 512 context tokens: about 0.5 GB), so the prefix strategy splits a batch into
//   groups of contexts and chunks of candidates that fit a byte budget.

import type { CandidateScore, ItemScore, ModelInfo, PrefixMemory, ScoreOptions } from './backbone-types';
import { accumulate, logProbAt, logitSketch, toFloat32 } from './score-math';
import {
  type KvData,
  type KvType,
  type Outputs,
  type Tensor,
  disposeGpuOutputs,
  int64,
  kvTensor,
  logitsToKeep,
  readFloats,
  readKv,
  tensorBytes,
} from './transformers-adapter';

const SKETCH_SEED = 0x5eed;
const FLOAT_BYTES = 4;
/** Default for ScoreOptions.memoryBudgetBytes: roomy for small models, a few chunks for 0.5B ones. */
export const DEFAULT_MEMORY_BUDGET_BYTES = 128 * 2 ** 20;

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** Token ids of a batch, after framing and tokenisation. */
export interface PreparedBatch {
  contextIds: number[][];
  candidateIds: number[][][];
}

/** One forward pass of the decoder (errors already classified). */
export type Forward = (inputs: Record<string, unknown>) => Promise<Outputs>;

export interface StrategyResult {
  items: ItemScore[];
  forwardMs: number;
  tokensProcessed: number;
  memory?: PrefixMemory;
}

type KvShape = Pick<ModelInfo, 'numLayers' | 'numKvHeads' | 'headDim'>;

/** Bytes of one KV-cache element: fp16 exports keep their cache in float16. */
export function kvElementBytes(dtype: string): number {
  return dtype === 'fp16' || dtype === 'q4f16' ? 2 : 4;
}

/** Bytes of the KV cache for one token: layers × (key, value) × heads × head_dim × element bytes. */
export function kvBytesPerToken(shape: KvShape, elementBytes: number): number {
  return shape.numLayers * 2 * shape.numKvHeads * shape.headDim * elementBytes;
}

/** Bytes of one candidate's copy of a context's KV cache. */
export function kvBytesPerCandidate(shape: KvShape, contextTokens: number, elementBytes: number): number {
  return kvBytesPerToken(shape, elementBytes) * contextTokens;
}

/** Per-position byte costs of the arrays a prefix pass holds on the CPU. */
export interface PassCosts {
  kvPerToken: number;
  logitsPerPosition: number;
  /** 0 when the graph has no last_hidden_state output. */
  hiddenPerPosition: number;
  /** The graph's other per-position outputs, fetched with the rest: token_logprobs, tree_logprobs, new_key_values.* (onnx-decoder-writer.ts). */
  otherPerPosition: number;
  /** The context pass keeps only the last logit (the graph takes num_logits_to_keep). */
  lastLogitOnly: boolean;
}

export function passCosts(info: ModelInfo): PassCosts {
  return {
    kvPerToken: kvBytesPerToken(info, kvElementBytes(info.dtype)),
    logitsPerPosition: info.vocabSize * FLOAT_BYTES,
    hiddenPerPosition: info.featureSource === 'hidden-state' ? info.hiddenSize * FLOAT_BYTES : 0,
    otherPerPosition: (info.supportsRangeAttention ? FLOAT_BYTES : 0) + (info.supportsTreeLogprobs ? FLOAT_BYTES + kvBytesPerToken(info, kvElementBytes(info.dtype)) : 0),
    lastLogitOnly: info.supportsLogitsToKeep,
  };
}

/** A context pass over `count` contexts padded to `length`: their present cache, hidden states and logits. */
export function contextPassBytes(c: PassCosts, count: number, length: number): number {
  return count * (length * (c.kvPerToken + c.hiddenPerPosition + c.otherPerPosition) + (c.lastLogitOnly ? 1 : length) * c.logitsPerPosition);
}

/** One candidate row: its copy of the context cache, plus the candidate pass's present cache, logits and hidden states. */
export function candidateRowBytes(c: PassCosts, contextLength: number, candidateLength: number): number {
  return contextLength * c.kvPerToken + (contextLength + candidateLength) * c.kvPerToken + candidateLength * (c.logitsPerPosition + c.hiddenPerPosition + c.otherPerPosition);
}

export interface PrefixGroup {
  /** Distinct-context indices, run in one context pass. */
  contexts: number[];
  /** Candidate-row indices, one candidate pass per chunk. */
  chunks: number[][];
}

export interface PrefixPlan {
  groups: PrefixGroup[];
  /** The most bytes the plan holds at once (exceeds the budget only if one context and one candidate do). */
  plannedPeakBytes: number;
}

/**
 * Splits the batch: contexts (in order) into groups whose context pass takes at most half the
 * budget, then each group's candidate rows (in order) into chunks that fit what the group leaves.
 * A group always takes one context and a chunk one row, so any budget makes progress.
 */
export function planPrefix(contextLengths: number[], rowContext: number[], rowLengths: number[], costs: PassCosts, budgetBytes: number): PrefixPlan {
  const groups: PrefixGroup[] = [];
  let current: number[] = [];
  let currentLength = 0;
  for (let c = 0; c < contextLengths.length; c++) {
    const length = Math.max(currentLength, contextLengths[c]);
    if (current.length && contextPassBytes(costs, current.length + 1, length) > budgetBytes / 2) {
      groups.push({ contexts: current, chunks: [] });
      current = [];
    }
    current.push(c);
    currentLength = current.length === 1 ? contextLengths[c] : length;
  }
  if (current.length) groups.push({ contexts: current, chunks: [] });

  let plannedPeakBytes = 0;
  const groupOf = new Map<number, PrefixGroup>();
  for (const g of groups) for (const c of g.contexts) groupOf.set(c, g);
  const rowsOf = new Map<PrefixGroup, number[]>(groups.map((g) => [g, []]));
  rowContext.forEach((c, r) => rowsOf.get(groupOf.get(c)!)!.push(r));
  for (const g of groups) {
    const rows = rowsOf.get(g)!;
    const lc = Math.max(...g.contexts.map((c) => contextLengths[c]));
    const m = Math.max(...rows.map((r) => rowLengths[r]));
    const held = contextPassBytes(costs, g.contexts.length, lc);
    const perRow = candidateRowBytes(costs, lc, m);
    const perChunk = Math.max(1, Math.floor((budgetBytes - held) / perRow));
    for (let i = 0; i < rows.length; i += perChunk) g.chunks.push(rows.slice(i, i + perChunk));
    plannedPeakBytes = Math.max(plannedPeakBytes, held + Math.min(perChunk, rows.length) * perRow);
  }
  return { groups, plannedPeakBytes };
}

const sumBytes = (outputs: Outputs): number => Object.values(outputs).reduce((n, t) => n + (t ? tensorBytes(t) : 0), 0);

/** Scores tokens one row of logits at a time, accumulating in float64. */
export function tokenScores(tokens: number[], logitRow: (t: number) => { logits: Float32Array; offset: number }, vocab: number, options: ScoreOptions): CandidateScore {
  let sum = 0;
  const per = options.tokenLogprobs ? new Float32Array(tokens.length) : undefined;
  tokens.forEach((tok, t) => {
    const { logits, offset } = logitRow(t);
    const lp = logProbAt(logits, offset, vocab, tok);
    sum += lp;
    if (per) per[t] = lp;
  });
  return { logprobSum: sum, logprobMean: sum / tokens.length, tokens: tokens.length, ...(per ? { tokenLogprobs: per } : {}) };
}

/** φ/ψ from logits when the graph exports no hidden states: the sketch of the mean logit row. */
export function sketchMean(info: ModelInfo, logits: Float32Array, offsets: number[]): Float32Array {
  const mean = new Float64Array(info.vocabSize);
  for (const o of offsets) accumulate(mean, logits, o, 1 / offsets.length);
  return logitSketch(mean, info.featureDim, SKETCH_SEED);
}

function emptyItems(prep: PreparedBatch): ItemScore[] {
  return prep.candidateIds.map((c, i) => ({ contextTokens: prep.contextIds[i].length, candidates: new Array(c.length) }));
}

/** Every context+candidate row in one left-padded batch. */
export async function scoreFull(forward: Forward, info: ModelInfo, prep: PreparedBatch, options: ScoreOptions): Promise<StrategyResult> {
  const { vocabSize: V, hiddenSize: d } = info;
  const rows: Array<{ item: number; cand: number; ids: number[]; m: number }> = [];
  prep.candidateIds.forEach((cands, i) => cands.forEach((c, j) => rows.push({ item: i, cand: j, ids: [...prep.contextIds[i], ...c], m: c.length })));
  const L = Math.max(...rows.map((r) => r.ids.length));
  const maxM = Math.max(...rows.map((r) => r.m));
  const pad = info.padTokenId;
  const ids = rows.map((r) => r.ids);
  const tf = now();
  const out = await forward({
    input_ids: int64(ids, L, (r, t) => (t < L - ids[r].length ? pad : ids[r][t - (L - ids[r].length)])),
    attention_mask: int64(ids, L, (r, t) => (t < L - ids[r].length ? 0 : 1)),
    ...logitsToKeep(info.supportsLogitsToKeep, maxM + 1),
  });
  const forwardMs = now() - tf;
  const logits = await readFloats(out.logits);
  const K = out.logits.dims[1];
  const hidden = options.features && out.last_hidden_state ? await readFloats(out.last_hidden_state) : null;
  disposeGpuOutputs(out);

  const items = emptyItems(prep);
  rows.forEach((row, r) => {
    // Position p (0-based in the padded row) sits at index p - (L - K) of the kept logits.
    const at = (p: number): number => (r * K + p - (L - K)) * V;
    const cand = prep.candidateIds[row.item][row.cand];
    const score = tokenScores(cand, (t) => ({ logits, offset: at(L - row.m - 1 + t) }), V, options);
    if (options.features) {
      if (hidden) {
        const psi = new Float64Array(d);
        for (let t = 0; t < row.m; t++) accumulate(psi, hidden, (r * L + L - row.m + t) * d, 1 / row.m);
        score.psi = toFloat32(psi);
        if (row.cand === 0) items[row.item].phi = hidden.slice((r * L + L - row.m - 1) * d, (r * L + L - row.m) * d);
      } else {
        score.psi = sketchMean(info, logits, Array.from({ length: row.m }, (_, t) => at(L - row.m + t)));
        if (row.cand === 0) items[row.item].phi = sketchMean(info, logits, [at(L - row.m - 1)]);
      }
    }
    items[row.item].candidates[row.cand] = score;
  });
  return { items, forwardMs, tokensProcessed: rows.length * L };
}

/** One context pass's outputs, read to the CPU. */
interface ContextPass {
  /** Padded length and per-context padding. */
  length: number;
  padding: number[];
  /** present.{layer}.{key,value} per layer, as [contexts, heads, length, head_dim]. */
  kv: Array<{ key: KvData; value: KvData }>;
  kvType: KvType;
  lastLogits: Float32Array;
  keptLogits: number;
  hidden: Float32Array | null;
  bytes: number;
}

async function runContexts(forward: Forward, info: ModelInfo, contexts: number[][]): Promise<ContextPass> {
  const pad = info.padTokenId;
  const length = Math.max(...contexts.map((c) => c.length));
  const padding = contexts.map((c) => length - c.length);
  const out = await forward({
    input_ids: int64(contexts, length, (c, t) => (t < padding[c] ? pad : contexts[c][t - padding[c]])),
    attention_mask: int64(contexts, length, (c, t) => (t < padding[c] ? 0 : 1)),
    ...logitsToKeep(info.supportsLogitsToKeep, 1),
  });
  const bytes = sumBytes(out);
  const kv: ContextPass['kv'] = [];
  let kvType: KvType = 'float32';
  for (let layer = 0; layer < info.numLayers; layer++) {
    const key = await readKv(out[`present.${layer}.key`]);
    const value = await readKv(out[`present.${layer}.value`]);
    kvType = key.type;
    kv.push({ key: key.data, value: value.data });
  }
  const lastLogits = await readFloats(out.logits);
  const keptLogits = out.logits.dims[1]; // 1, or the padded length when the graph cannot trim
  const hidden = out.last_hidden_state ? await readFloats(out.last_hidden_state) : null;
  disposeGpuOutputs(out);
  return { length, padding, kv, kvType, lastLogits, keptLogits, hidden, bytes };
}

/** Gathers each row's context cache into a [rows, heads, length, head_dim] batch. */
function gatherKv(pass: ContextPass, info: ModelInfo, rowContexts: number[]): { past: Record<string, Tensor>; bytes: number } {
  const per = info.numKvHeads * pass.length * info.headDim;
  const past: Record<string, Tensor> = {};
  let bytes = 0;
  pass.kv.forEach((layer, l) => {
    for (const kind of ['key', 'value'] as const) {
      const src = layer[kind];
      const dst = src instanceof Float32Array ? new Float32Array(rowContexts.length * per) : new Uint16Array(rowContexts.length * per);
      rowContexts.forEach((c, r) => dst.set(src.subarray(c * per, (c + 1) * per), r * per));
      bytes += dst.byteLength;
      past[`past_key_values.${l}.${kind}`] = kvTensor(pass.kvType, dst, [rowContexts.length, info.numKvHeads, pass.length, info.headDim]);
    }
  });
  return { past, bytes };
}

/**
 * Contexts once, then candidates on their context's cache, in groups and chunks planned by
 * planPrefix so the CPU-side arrays stay within options.memoryBudgetBytes.
 */
export async function scorePrefix(forward: Forward, info: ModelInfo, prep: PreparedBatch, options: ScoreOptions): Promise<StrategyResult> {
  const { vocabSize: V, hiddenSize: d } = info;
  const pad = info.padTokenId;
  const budgetBytes = options.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET_BYTES;
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
  const rows: Array<{ item: number; cand: number; ctx: number; ids: number[] }> = [];
  prep.candidateIds.forEach((cands, i) => cands.forEach((ids, j) => rows.push({ item: i, cand: j, ctx: itemCtx[i], ids })));
  const plan = planPrefix(ctxRows.map((r) => r.length), rows.map((r) => r.ctx), rows.map((r) => r.ids.length), passCosts(info), budgetBytes);

  const items = emptyItems(prep);
  let forwardMs = 0;
  let tokensProcessed = 0;
  let peakBytes = 0;
  let candidatePasses = 0;
  for (const group of plan.groups) {
    const local = new Map(group.contexts.map((c, k) => [c, k]));
    const tf1 = now();
    const ctx = await runContexts(forward, info, group.contexts.map((c) => ctxRows[c]));
    forwardMs += now() - tf1;
    tokensProcessed += group.contexts.length * ctx.length;
    const Lc = ctx.length;
    // The context's last logit predicts each candidate's first token.
    const lastRow = (k: number): number => (k * ctx.keptLogits + ctx.keptLogits - 1) * V;
    if (options.features) {
      items.forEach((item, i) => {
        const k = local.get(itemCtx[i]);
        if (k === undefined) return;
        item.phi = ctx.hidden ? ctx.hidden.slice((k * Lc + Lc - 1) * d, (k * Lc + Lc) * d) : sketchMean(info, ctx.lastLogits, [lastRow(k)]);
      });
    }

    for (const chunk of group.chunks) {
      const chunkRows = chunk.map((r) => rows[r]);
      const rowCtx = chunkRows.map((r) => local.get(r.ctx)!);
      const { past, bytes: copyBytes } = gatherKv(ctx, info, rowCtx);
      const ids = chunkRows.map((r) => r.ids);
      const M = Math.max(...ids.map((r) => r.length));
      const tf2 = now();
      const out = await forward({
        input_ids: int64(ids, M, (r, t) => (t < ids[r].length ? ids[r][t] : pad)),
        attention_mask: int64(ids, Lc + M, (r, t) => (t < Lc ? (t < ctx.padding[rowCtx[r]] ? 0 : 1) : t - Lc < ids[r].length ? 1 : 0)),
        past_key_values: past,
        ...logitsToKeep(info.supportsLogitsToKeep, 0),
      });
      forwardMs += now() - tf2;
      candidatePasses++;
      tokensProcessed += chunkRows.length * M;
      peakBytes = Math.max(peakBytes, ctx.bytes + copyBytes + sumBytes(out));
      const logits = await readFloats(out.logits);
      const hidden = options.features && out.last_hidden_state ? await readFloats(out.last_hidden_state) : null;
      disposeGpuOutputs(out);

      chunkRows.forEach((row, r) => {
        const m = row.ids.length;
        // Token 0 is predicted by the context's last logit; token t by candidate position t-1.
        const score = tokenScores(
          row.ids,
          (t) => (t === 0 ? { logits: ctx.lastLogits, offset: lastRow(rowCtx[r]) } : { logits, offset: (r * M + t - 1) * V }),
          V,
          options,
        );
        if (options.features) {
          if (hidden) {
            const psi = new Float64Array(d);
            for (let t = 0; t < m; t++) accumulate(psi, hidden, (r * M + t) * d, 1 / m);
            score.psi = toFloat32(psi);
          } else {
            score.psi = sketchMean(info, logits, Array.from({ length: m }, (_, t) => (r * M + t) * V));
          }
        }
        items[row.item].candidates[row.cand] = score;
      });
    }
  }
  return {
    items,
    forwardMs,
    tokensProcessed,
    memory: { budgetBytes, peakBytes, contextPasses: plan.groups.length, candidatePasses },
  };
}
