// Writes a Llama-family decoder as an ONNX graph that transformers.js loads as a causal LM.
//
// The graph contract (the same one onnx-community exports follow):
//   inputs : input_ids [batch_size, sequence_length] int64
//            attention_mask [batch_size, total_sequence_length] int64
//            position_ids [batch_size, sequence_length] int64
//            past_key_values.{i}.key|value [batch_size, kvHeads, past_sequence_length, headDim] float32
//            num_logits_to_keep [] int64   (0 = all positions, k = the last k; transformers.js sets it)
//   outputs: logits [batch_size, logits_length, vocab] float32
//            present.{i}.key|value [batch_size, kvHeads, total_sequence_length, headDim] float32
//            last_hidden_state [batch_size, sequence_length, hidden] float32   (after the final norm)
//            token_logprobs [batch_size, logits_length] float32
//              log p(next input token) at each kept position: at sequence position s it scores
//              input_ids[s + 1]; at the last position it scores token 0 and means nothing.
//            tree_logprobs [batch_size, sequence_length] float32
//              log p(input token | its parent) at each position whose parent is a ranged key
//              (range attention, below), 0 elsewhere. The parent is the nearest earlier position
//              of this call that the position attends to: in a trie row, its parent node. The LM
//              head runs only at the ranged keys that have children, whatever num_logits_to_keep
//              says; under 0/1 masks none are selected, so transformers.js pays one LM-head row.
//            new_key_values.{i}.key|value [batch_size, kvHeads, sequence_length, headDim] float32
//              this call's own keys and values (the last sequence_length of present.*), written
//              with tree_logprobs: a caller that keeps its own past need not fetch it back.
//              (Not named present*: transformers.js feeds every present* output back as past.)
//
// Range attention (an extension of attention_mask that transformers.js never triggers): a mask
// value 0 hides a key, 1 shows it to every later query (the usual meaning), and a value v ≥ 2
// shows it only to the queries of this call at input index ≤ v − 2 (and, as always, not before
// itself). With position_ids given explicitly, one row then holds a context's candidates after
// its cached KV, each seeing the context and its own earlier tokens only: side by side
// (candidate-trie.ts lays them out as a trie, shared leading tokens written once), on one copy
// of the context's cache instead of one per candidate. transformers.js only ever passes 0/1
// masks, for which the graph computes the usual causal + padding mask, so generation and
// ordinary scoring are unchanged; it costs no extra input or file. tree_logprobs lets such a
// pass fetch one float per position instead of the logits, with num_logits_to_keep 1: every
// candidate token is a node scored from its parent's logits, and only the trie's inner nodes
// run the LM head (the leaves, such as each candidate's end-of-turn token, need none).
// (Inputs cannot be optional here: onnxruntime-node feeds only the listed inputs, ignoring
// overridable initializers, and transformers.js refuses to run a graph input it does not know,
// so per-position selections are read from the existing inputs rather than added ones.)
//
// Only primitive opset-17 ops are used. ONNX `Attention` and the com.microsoft fused ops would be
// faster on some backends, but `Attention` falls back to the CPU on ORT-web's WebGPU provider and
// primitives run identically on onnxruntime-node, ORT-web wasm and ORT-web WebGPU.
// Head counts and head size are numbers in the cache shapes: transformers.js builds the empty
// first-step cache from this metadata and treats every symbolic dim except batch_size as 0.

import { type DecoderArch, type DecoderWeights, validateArch, validateWeights } from './decoder-arch';
import { DataType, GraphBuilder, attr } from './onnx-graph-builder';

export const ONNX_OPSET = 17;
const IR_VERSION = 8;
/** Large negative instead of -inf: a fully masked row then softmaxes to uniform, not NaN. */
const MASKED = -1e9;
/** attention_mask values from this up are ranges (see range attention above). */
const RANGE_BASE = 2;

export interface WriteOptions {
  /** Recorded in the model's producer and doc strings. */
  producer?: string;
  docString?: string;
  /**
   * Graph-contract switches, default true. Turning them off writes the contract many hub exports
   * have (no hidden-state output, no num_logits_to_keep input), so those code paths can be tested.
   */
  hiddenStateOutput?: boolean;
  logitsToKeepInput?: boolean;
  /** The token_logprobs output (default true); hub exports lack it, so segment scoring is off for them. */
  tokenLogprobsOutput?: boolean;
  /**
   * The tree_logprobs and new_key_values.* outputs (default true; only with token_logprobs), so a
   * trie pass reads A + W floats a row instead of W × vocab logits, and its new KV only.
   */
  treeLogprobsOutput?: boolean;
}

/** [out, in] row-major -> [in, out] row-major, so the graph multiplies with MatMul(x, W). */
function transposeLinear(t: { shape: number[]; data: Float32Array }): Float32Array {
  const [rows, cols] = t.shape;
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = t.data[base + c];
  }
  return out;
}

/**
 * Serialises the decoder. Throws (listing every problem) when the weights do not match `arch`.
 * The output bytes depend only on the arguments.
 */
export function writeDecoderOnnx(arch: DecoderArch, weights: DecoderWeights, options: WriteOptions = {}): Uint8Array {
  validateArch(arch);
  validateWeights(arch, weights);
  const g = new GraphBuilder();
  const { hiddenSize: d, numHeads: H, numKvHeads: KV, headDim: hd, numLayers } = arch;
  const half = hd / 2;
  const F = DataType.FLOAT;

  // ---- inputs
  const inputIds = g.input('input_ids', DataType.INT64, ['batch_size', 'sequence_length']);
  const attentionMask = g.input('attention_mask', DataType.INT64, ['batch_size', 'total_sequence_length']);
  const positionIds = g.input('position_ids', DataType.INT64, ['batch_size', 'sequence_length']);
  const pastNames: Array<[string, string]> = [];
  for (let i = 0; i < numLayers; i++) {
    pastNames.push([
      g.input(`past_key_values.${i}.key`, F, ['batch_size', KV, 'past_sequence_length', hd]),
      g.input(`past_key_values.${i}.value`, F, ['batch_size', KV, 'past_sequence_length', hd]),
    ]);
  }
  const keepInput = options.logitsToKeepInput === false ? null : g.input('num_logits_to_keep', DataType.INT64, []);

  // ---- lengths and the combined causal + padding mask [B, 1, S, T]
  const S = g.op('Gather', [g.op('Shape', [inputIds]), g.int64(1)], { axis: attr.int(0) }, 'seq_len');
  const T = g.op('Gather', [g.op('Shape', [attentionMask]), g.int64(1)], { axis: attr.int(0) }, 'total_len');
  const P = g.op('Sub', [T, S], undefined, 'past_len');
  const keyIndex = g.op('Unsqueeze', [g.op('Range', [g.int64(0), T, g.int64(1)]), g.int64([0])]); // [1, T]
  const queryIndex = g.op('Unsqueeze', [g.op('Range', [P, T, g.int64(1)]), g.int64([1])]); // [S, 1]
  const causal = g.op('LessOrEqual', [keyIndex, queryIndex], undefined, 'causal'); // [S, T]
  // A key is visible when its mask value is 1 (shared), or when its value v ≥ 2 bounds the query
  // index: query i (0-based in this call's input) sees it when i + 2 ≤ v. 0 is never visible.
  const keyMask = g.op('Unsqueeze', [attentionMask, g.int64([1])]); // [B, 1, T]
  const queryBound = g.op('Unsqueeze', [g.op('Range', [g.int64(2), g.op('Add', [S, g.int64(2)]), g.int64(1)]), g.int64([1])]); // [S, 1]: i + 2
  const shared = g.op('Equal', [keyMask, g.int64(1)]); // [B, 1, T]
  const ranged = g.op('LessOrEqual', [queryBound, keyMask]); // [B, S, T]
  const visible = g.op('Unsqueeze', [g.op('Or', [shared, ranged]), g.int64([1])], undefined, 'visible'); // [B, 1, S, T]
  const mask = g.op('And', [causal, visible], undefined, 'mask'); // [B, 1, S, T]

  // ---- rotary tables from position_ids: cos/sin [B, 1, S, hd], as in HF's rotate_half formulation
  const invFreq = new Float32Array(half);
  for (let i = 0; i < half; i++) invFreq[i] = 1 / Math.pow(arch.ropeTheta, (2 * i) / hd);
  const invFreqName = g.floatTensor('rotary.inv_freq', [half], invFreq);
  const pos = g.op('Unsqueeze', [g.op('Cast', [positionIds], { to: attr.int(F) }), g.int64([2])]); // [B, S, 1]
  const freqs = g.op('Mul', [pos, invFreqName]); // [B, S, half]
  const angles = g.op('Unsqueeze', [g.op('Concat', [freqs, freqs], { axis: attr.int(-1) }), g.int64([1])]); // [B,1,S,hd]
  const cos = g.op('Cos', [angles], undefined, 'rope_cos');
  const sin = g.op('Sin', [angles], undefined, 'rope_sin');

  const rmsNorm = (x: string, weightName: string): string => {
    const meanSquare = g.op('ReduceMean', [g.op('Mul', [x, x])], { axes: attr.ints([-1]), keepdims: attr.int(1) });
    const inv = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [meanSquare, g.float(arch.rmsNormEps)])])]);
    return g.op('Mul', [g.op('Mul', [x, inv]), weightName], undefined, 'rmsnorm');
  };
  const linear = (x: string, name: string, biasName?: string): string => {
    const w = weights[name];
    const wName = g.floatTensor(`${name}.T`, [w.shape[1], w.shape[0]], transposeLinear(w));
    const y = g.op('MatMul', [x, wName]);
    if (!biasName) return y;
    const b = weights[biasName];
    return g.op('Add', [y, g.floatTensor(biasName, b.shape, b.data)]);
  };
  const toHeads = (x: string, heads: number): string =>
    g.op('Transpose', [g.op('Reshape', [x, g.int64([0, 0, heads, hd])])], { perm: attr.ints([0, 2, 1, 3]) }); // [B,h,S,hd]
  const rotate = (x: string): string => {
    const first = g.op('Slice', [x, g.int64([0]), g.int64([half]), g.int64([3])]);
    const second = g.op('Slice', [x, g.int64([half]), g.int64([hd]), g.int64([3])]);
    const rotated = g.op('Concat', [g.op('Neg', [second]), first], { axis: attr.int(3) });
    return g.op('Add', [g.op('Mul', [x, cos]), g.op('Mul', [rotated, sin])], undefined, 'rope');
  };
  const repeatKv = (x: string): string => {
    if (KV === H) return x;
    // [B, KV, T, hd] -> [B, KV, rep, T, hd] -> [B, H, T, hd]; kv head j serves query heads j*rep .. j*rep+rep-1.
    const expanded = g.op('Expand', [g.op('Unsqueeze', [x, g.int64([2])]), g.int64([1, 1, H / KV, 1, 1])]);
    return g.op('Reshape', [expanded, g.int64([0, H, -1, hd])]);
  };

  // ---- embeddings and blocks
  const embedName = g.floatTensor('model.embed_tokens.weight', weights['model.embed_tokens.weight'].shape, weights['model.embed_tokens.weight'].data);
  let x = g.op('Gather', [embedName, inputIds], { axis: attr.int(0) }, 'embed');
  const scale = g.float(1 / Math.sqrt(hd));
  const withTokenLogprobs = options.tokenLogprobsOutput !== false;
  const withTreeLogprobs = withTokenLogprobs && options.treeLogprobsOutput !== false;
  // The mask as an additive bias [B, 1, S, T], made once for every layer and head: a broadcast
  // Add is a vectorised pass where a broadcast Where is not (on onnxruntime's CPU provider about
  // a third of the time), and the bias is (mask − 1) · 1e9 from a Cast, for the same reason.
  // Visible scores are unchanged (+0 exactly); hidden ones become about −1e9, so they softmax to
  // exactly 0 next to any visible key, as with a Where.
  const maskBias = g.op('Mul', [g.op('Sub', [g.op('Cast', [mask], { to: attr.int(F) }), g.float(1)]), g.float(-MASKED)], undefined, 'mask_bias');
  for (let i = 0; i < numLayers; i++) {
    const p = `model.layers.${i}.`;
    const h = rmsNorm(x, g.floatTensor(`${p}input_layernorm.weight`, [d], weights[`${p}input_layernorm.weight`].data));
    const bias = (n: string): string | undefined => (arch.attentionBias ? `${p}self_attn.${n}_proj.bias` : undefined);
    const q = rotate(toHeads(linear(h, `${p}self_attn.q_proj.weight`, bias('q')), H));
    const k = rotate(toHeads(linear(h, `${p}self_attn.k_proj.weight`, bias('k')), KV));
    const v = toHeads(linear(h, `${p}self_attn.v_proj.weight`, bias('v')), KV);
    if (withTreeLogprobs) {
      g.node('Identity', [k], { outputs: [`new_key_values.${i}.key`] });
      g.node('Identity', [v], { outputs: [`new_key_values.${i}.value`] });
    }
    const [pastK, pastV] = pastNames[i];
    const kAll = g.node('Concat', [pastK, k], { outputs: [`present.${i}.key`], attrs: { axis: attr.int(2) } })[0];
    const vAll = g.node('Concat', [pastV, v], { outputs: [`present.${i}.value`], attrs: { axis: attr.int(2) } })[0];
    const kT = g.op('Transpose', [repeatKv(kAll)], { perm: attr.ints([0, 1, 3, 2]) });
    const scores = g.op('Mul', [g.op('MatMul', [q, kT]), scale], undefined, 'scores'); // [B,H,S,T]
    const probs = g.op('Softmax', [g.op('Add', [scores, maskBias])], { axis: attr.int(-1) });
    const context = g.op('MatMul', [probs, repeatKv(vAll)]); // [B,H,S,hd]
    const merged = g.op('Reshape', [g.op('Transpose', [context], { perm: attr.ints([0, 2, 1, 3]) }), g.int64([0, 0, H * hd])]);
    x = g.op('Add', [x, linear(merged, `${p}self_attn.o_proj.weight`)], undefined, 'resid_attn');

    const h2 = rmsNorm(x, g.floatTensor(`${p}post_attention_layernorm.weight`, [d], weights[`${p}post_attention_layernorm.weight`].data));
    const gate = linear(h2, `${p}mlp.gate_proj.weight`);
    const up = linear(h2, `${p}mlp.up_proj.weight`);
    const act = g.op('Mul', [g.op('Mul', [gate, g.op('Sigmoid', [gate])]), up], undefined, 'swiglu');
    x = g.op('Add', [x, linear(act, `${p}mlp.down_proj.weight`)], undefined, 'resid_mlp');
  }
  const finalHidden = rmsNorm(x, g.floatTensor('model.norm.weight', [d], weights['model.norm.weight'].data));
  const withHidden = options.hiddenStateOutput !== false;
  if (withHidden) g.node('Identity', [finalHidden], { outputs: ['last_hidden_state'] });

  // ---- logits for the last k positions only (k = 0 or k > S: all of them)
  let tail = finalHidden;
  if (keepInput) {
    const keep = g.op('Min', [keepInput, S]);
    const kept = g.op('Where', [g.op('Greater', [keep, g.int64(0)]), keep, S]);
    const start = g.op('Unsqueeze', [g.op('Sub', [S, kept]), g.int64([0])]);
    tail = g.op('Slice', [finalHidden, start, g.int64([Number.MAX_SAFE_INTEGER]), g.int64([1])], undefined, 'kept_hidden');
  }
  const lmHead = arch.tieWordEmbeddings
    ? g.op('Transpose', [embedName], { perm: attr.ints([1, 0]) }, 'lm_head_tied')
    : g.floatTensor('lm_head.weight.T', [d, arch.vocabSize], transposeLinear(weights['lm_head.weight']));
  g.node('MatMul', [tail, lmHead], { outputs: ['logits'] });

  // log Σ exp over the last axis (keepdims), as max − log(max softmax): the softmax at the
  // maximum is 1 / Σ exp(x − max), so this is max + log Σ exp(x − max), from one fused Softmax
  // (row by row in cache) and two ReduceMax passes. onnxruntime's CPU ReduceLogSumExp is a
  // scalar loop at about 4× the time, and LogSoftmax is missing from ORT-web's WebGPU provider.
  const logSumExp = (x: string): string => {
    const max = g.op('ReduceMax', [x], { axes: attr.ints([-1]), keepdims: attr.int(1) });
    const top = g.op('ReduceMax', [g.op('Softmax', [x], { axis: attr.int(-1) })], { axes: attr.ints([-1]), keepdims: attr.int(1) });
    return g.op('Sub', [max, g.op('Log', [top])], undefined, 'lse');
  };

  // ---- log p(next input token) at the kept positions: the target of position s is
  // input_ids[s + 1] (token 0 after the last position), sliced like the logits.
  if (withTokenLogprobs) {
    const keptLength = g.op('Gather', [g.op('Shape', ['logits']), g.int64(1)], { axis: attr.int(0) });
    const keptStart = g.op('Unsqueeze', [g.op('Sub', [S, keptLength]), g.int64([0])]); // [1]: S − K
    const next = g.op('Concat', [g.op('Slice', [inputIds, g.int64([1]), g.int64([Number.MAX_SAFE_INTEGER]), g.int64([1])]), g.op('Mul', [g.op('Slice', [inputIds, g.int64([0]), g.int64([1]), g.int64([1])]), g.int64(0)])], { axis: attr.int(1) }, 'next_ids'); // [B, S]
    const targets = g.op('Slice', [next, keptStart, g.int64([Number.MAX_SAFE_INTEGER]), g.int64([1])]); // [B, K]
    const picked = g.op('GatherElements', ['logits', g.op('Unsqueeze', [targets, g.int64([2])])], { axis: attr.int(2) }); // [B, K, 1]
    g.node('Squeeze', [g.op('Sub', [picked, logSumExp('logits')]), g.int64([2])], { outputs: ['token_logprobs'] });
  }

  // ---- log p(input token | its parent) at every position whose parent is a ranged key: the
  // nodes of a trie row (candidate-trie.ts) each scored from their parent node. The parent of a
  // position is the nearest earlier position of this call that it attends to; the LM head runs
  // only at ranged keys whose range reaches past themselves (the trie's inner nodes, not its
  // leaves), whatever num_logits_to_keep says, so a trie pass can keep one logit row and fetch
  // S floats a row. Under 0/1 masks (transformers.js) nothing is selected: the output is 0 and
  // costs one LM-head row.
  if (withTreeLogprobs) {
    const local = g.op('Range', [g.int64(0), S, g.int64(1)]); // [S]
    const localF = g.op('Cast', [local], { to: attr.int(F) });
    const ownMask = g.op('Slice', [attentionMask, g.op('Unsqueeze', [P, g.int64([0])]), g.int64([Number.MAX_SAFE_INTEGER]), g.int64([1])]); // [B, S]
    const ranged = g.op('GreaterOrEqual', [ownMask, g.int64(RANGE_BASE)]); // [B, S]
    // A ranged key at index j is visible up to index v − 2; it has a child when that is past j.
    const inner = g.op('And', [ranged, g.op('Greater', [ownMask, g.op('Add', [local, g.int64(RANGE_BASE)])])], undefined, 'tree_inner'); // [B, S]
    const innerF = g.op('Cast', [inner], { to: attr.int(F) });
    // The inner positions in order, padded to the most any row has (at least 1): a TopK on
    // S − j over inner positions lists them ascending; a row's surplus slots pick non-inner
    // positions, computed and never read.
    const count = g.op('ReduceMax', [g.op('ReduceSum', [innerF, g.int64([1])], { keepdims: attr.int(0) })], { keepdims: attr.int(1) }); // [1]
    const slots = g.op('Cast', [g.op('Max', [count, g.float(1)])], { to: attr.int(DataType.INT64) }); // [1]
    const order = g.op('Mul', [innerF, g.op('Sub', [g.op('Cast', [S], { to: attr.int(F) }), localF])]); // [B, S]
    const selected = g.node('TopK', [order, slots], { nOut: 2, attrs: { axis: attr.int(1), largest: attr.int(1), sorted: attr.int(1) } })[1]; // [B, N]
    const gathered = g.op('GatherElements', [finalHidden, g.op('Expand', [g.op('Unsqueeze', [selected, g.int64([2])]), g.int64([1, 1, d])])], { axis: attr.int(1) }); // [B, N, d]
    const innerLogits = g.op('MatMul', [gathered, lmHead], undefined, 'tree_logits'); // [B, N, vocab]
    const innerLse = g.op('Squeeze', [logSumExp(innerLogits), g.int64([2])]); // [B, N]
    // Each inner position's slot: how many inner positions precede it.
    const slotOf = g.op('Cast', [g.op('Sub', [g.op('CumSum', [innerF, g.int64(1)]), g.float(1)])], { to: attr.int(DataType.INT64) }); // [B, S]
    // The parent: the largest visible key index below the query's among this call's keys (in
    // float, as ReduceMax over int64 is not on every provider; indices stay far below 2^24).
    const earlier = g.op('Less', [g.op('Unsqueeze', [local, g.int64([0])]), g.op('Unsqueeze', [local, g.int64([1])])]); // [S, S]: key < query
    const ownKeys = g.op('Slice', [mask, g.op('Unsqueeze', [P, g.int64([0])]), g.int64([Number.MAX_SAFE_INTEGER]), g.int64([3])]); // [B, 1, S, S]
    const seenAt = g.op('Where', [g.op('And', [ownKeys, earlier]), localF, g.float(-1)]); // [B, 1, S, S]
    const parentF = g.op('ReduceMax', [seenAt], { axes: attr.ints([1, 3]), keepdims: attr.int(0) }); // [B, S], -1: none
    const hasParent = g.op('GreaterOrEqual', [parentF, g.float(0)]);
    const parent = g.op('Where', [hasParent, g.op('Cast', [parentF], { to: attr.int(DataType.INT64) }), g.int64(0)], undefined, 'tree_parent'); // [B, S]
    const valid = g.op('And', [hasParent, g.op('GatherElements', [inner, parent], { axis: attr.int(1) })]);
    const slot = g.op('Where', [valid, g.op('GatherElements', [slotOf, parent], { axis: attr.int(1) }), g.int64(0)]); // [B, S]
    // innerLogits[b, slot, token] as one index into the row's flattened [N · vocab] logits.
    const flatIndex = g.op('Add', [g.op('Mul', [slot, g.int64(arch.vocabSize)]), inputIds]);
    const logit = g.op('GatherElements', [g.op('Reshape', [innerLogits, g.int64([0, -1])]), flatIndex], { axis: attr.int(1) }); // [B, S]
    const norm = g.op('GatherElements', [innerLse, slot], { axis: attr.int(1) }); // [B, S]
    g.node('Where', [valid, g.op('Sub', [logit, norm]), g.float(0)], { outputs: ['tree_logprobs'] });
  }

  g.output('logits', F, ['batch_size', 'logits_length', arch.vocabSize]);
  for (let i = 0; i < numLayers; i++) {
    g.output(`present.${i}.key`, F, ['batch_size', KV, 'total_sequence_length', hd]);
    g.output(`present.${i}.value`, F, ['batch_size', KV, 'total_sequence_length', hd]);
  }
  if (withTreeLogprobs) {
    for (let i = 0; i < numLayers; i++) {
      g.output(`new_key_values.${i}.key`, F, ['batch_size', KV, 'sequence_length', hd]);
      g.output(`new_key_values.${i}.value`, F, ['batch_size', KV, 'sequence_length', hd]);
    }
  }
  if (withHidden) g.output('last_hidden_state', F, ['batch_size', 'sequence_length', d]);
  if (withTokenLogprobs) g.output('token_logprobs', F, ['batch_size', 'logits_length']);
  if (withTreeLogprobs) g.output('tree_logprobs', F, ['batch_size', 'sequence_length']);

  return g.serialize({
    graphName: 'stepwise_decoder',
    producer: options.producer ?? 'stepwise',
    opset: ONNX_OPSET,
    irVersion: IR_VERSION,
    docString: options.docString,
  });
}
