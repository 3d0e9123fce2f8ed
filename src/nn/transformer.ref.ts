// Float64 reference of the whole decoder's training step: forward over packed sequences, the
// masked next-token loss, and backpropagation to every parameter. It is composed of the kernels'
// float64 references in the order the GPU step records the kernels (fused qkv and gate|up
// products, rotary in place, flash attention, SwiGLU, tied LM head on the loss rows only), so a
// difference between the GPU step and this file points at one kernel or one wiring step.
//
// The architecture is Llama's (see policy/decoder-arch.ts, which nn may not import): its fields
// are named as there, so a DecoderArch is a TransformerConfig. Parameters use the Hugging Face
// names and PyTorch shapes ([out, in] for linear maps), the layout the ONNX writer reads.

import { fusedQkvLayout } from '../kernels/attention';
import { attentionBackwardRef, attentionForwardRef } from '../kernels/attention.ref';
import { nextTokenLossRows } from '../kernels/cross-entropy';
import { crossEntropyGradRef, crossEntropyRef } from '../kernels/cross-entropy.ref';
import { gatherRef, scatterAddRef } from '../kernels/embedding.ref';
import { matmulRef } from '../kernels/matmul.ref';
import { packRows } from '../kernels/packing';
import { rmsNormBackwardRef, rmsNormForwardRef } from '../kernels/rmsnorm.ref';
import { ropeRef } from '../kernels/rope.ref';
import { swigluBackwardRef, swigluForwardRef } from '../kernels/swiglu.ref';

export interface TransformerConfig {
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  rmsNormEps: number;
  ropeTheta: number;
  /** The LM head reuses model.embed_tokens.weight (no lm_head.weight). */
  tieWordEmbeddings: boolean;
  /** q/k/v projections carry biases (Qwen2). */
  attentionBias: boolean;
}

export type TransformerParams = Record<string, Float64Array>;

/** Every parameter with its shape, in the order the ONNX writer and checkpoints list them. */
export function transformerParameterShapes(c: TransformerConfig): Array<{ name: string; shape: number[] }> {
  const d = c.hiddenSize, q = c.numHeads * c.headDim, kv = c.numKvHeads * c.headDim;
  const out = [{ name: 'model.embed_tokens.weight', shape: [c.vocabSize, d] }];
  for (let i = 0; i < c.numLayers; i++) {
    const p = `model.layers.${i}.`;
    out.push({ name: `${p}input_layernorm.weight`, shape: [d] });
    out.push({ name: `${p}self_attn.q_proj.weight`, shape: [q, d] });
    out.push({ name: `${p}self_attn.k_proj.weight`, shape: [kv, d] });
    out.push({ name: `${p}self_attn.v_proj.weight`, shape: [kv, d] });
    if (c.attentionBias) {
      out.push({ name: `${p}self_attn.q_proj.bias`, shape: [q] });
      out.push({ name: `${p}self_attn.k_proj.bias`, shape: [kv] });
      out.push({ name: `${p}self_attn.v_proj.bias`, shape: [kv] });
    }
    out.push({ name: `${p}self_attn.o_proj.weight`, shape: [d, q] });
    out.push({ name: `${p}post_attention_layernorm.weight`, shape: [d] });
    out.push({ name: `${p}mlp.gate_proj.weight`, shape: [c.intermediateSize, d] });
    out.push({ name: `${p}mlp.up_proj.weight`, shape: [c.intermediateSize, d] });
    out.push({ name: `${p}mlp.down_proj.weight`, shape: [d, c.intermediateSize] });
  }
  out.push({ name: 'model.norm.weight', shape: [d] });
  if (!c.tieWordEmbeddings) out.push({ name: 'lm_head.weight', shape: [c.vocabSize, d] });
  return out;
}

/** A batch of packed token sequences with the loss mask (1 on tokens that carry the loss). */
export interface TransformerBatch {
  tokens: ArrayLike<number>;
  lengths: readonly number[];
  lossMask: ArrayLike<number | boolean>;
}

export interface TransformerStepRef {
  /** Mean next-token cross-entropy over the loss rows. */
  loss: number;
  lossRows: Uint32Array;
  targets: Uint32Array;
  /** Logits of the loss rows only, [lossRows, vocab]. */
  logits: Float64Array;
  /** Final-norm hidden states of every row, [rows, hidden]. */
  hidden: Float64Array;
  /** ∂loss/∂parameter for every parameter (absent when the backward was not asked for). */
  grads?: TransformerParams;
}

const concat = (...parts: Float64Array[]) => {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
};
const add = (a: Float64Array, b: Float64Array) => a.map((v, i) => v + b[i]);

interface LayerCache { x: Float64Array; h1: Float64Array; qkv: Float64Array; o: Float64Array; x1: Float64Array; h2: Float64Array; gu: Float64Array; act: Float64Array }

/** Forward (and, with `backward`, the gradients) of the mean masked next-token loss. */
export function transformerStepRef(c: TransformerConfig, params: TransformerParams, batch: TransformerBatch, options: { backward?: boolean } = {}): TransformerStepRef {
  const { hiddenSize: d, intermediateSize: I, numHeads: H, numKvHeads: KV, headDim: hd, vocabSize: V, rmsNormEps: eps } = c;
  const packed = packRows(batch.lengths);
  const N = packed.start.length;
  const { rows: lossRows, targets } = nextTokenLossRows(batch.tokens, batch.lossMask, packed.offsets, V);
  const M = lossRows.length;
  const dims = { heads: H, kvHeads: KV, headDim: hd };
  const L = fusedQkvLayout(dims);
  const ropeLayout = { rows: N, heads: H + KV, ld: L.ld, offset: 0 };
  const P = (name: string) => {
    const t = params[name];
    if (!t) throw new Error(`transformer reference: missing parameter ${name}`);
    return t;
  };
  const embed = P('model.embed_tokens.weight');
  const head = c.tieWordEmbeddings ? embed : P('lm_head.weight');

  // ---- forward
  let x = gatherRef(embed, batch.tokens, d);
  const caches: LayerCache[] = [];
  for (let l = 0; l < c.numLayers; l++) {
    const p = `model.layers.${l}.`;
    const wqkv = concat(P(`${p}self_attn.q_proj.weight`), P(`${p}self_attn.k_proj.weight`), P(`${p}self_attn.v_proj.weight`));
    const bqkv = c.attentionBias ? concat(P(`${p}self_attn.q_proj.bias`), P(`${p}self_attn.k_proj.bias`), P(`${p}self_attn.v_proj.bias`)) : undefined;
    const h1 = rmsNormForwardRef(x, P(`${p}input_layernorm.weight`), N, d, eps).y;
    const qkv = ropeRef(matmulRef(h1, wqkv, N, L.ld, d, 'nt', bqkv), packed.position, ropeLayout, hd, c.ropeTheta, 'forward');
    const o = attentionForwardRef(qkv, packed.start, N, dims, L).o;
    const x1 = add(x, matmulRef(o, P(`${p}self_attn.o_proj.weight`), N, d, H * hd, 'nt'));
    const h2 = rmsNormForwardRef(x1, P(`${p}post_attention_layernorm.weight`), N, d, eps).y;
    const gu = matmulRef(h2, concat(P(`${p}mlp.gate_proj.weight`), P(`${p}mlp.up_proj.weight`)), N, 2 * I, d, 'nt');
    const act = swigluForwardRef(gu, N, I);
    caches.push({ x, h1, qkv, o, x1, h2, gu, act });
    x = add(x1, matmulRef(act, P(`${p}mlp.down_proj.weight`), N, d, I, 'nt'));
  }
  const hidden = rmsNormForwardRef(x, P('model.norm.weight'), N, d, eps).y;
  const hm = gatherRef(hidden, lossRows, d);
  const logits = matmulRef(hm, head, M, V, d, 'nt');
  const loss = crossEntropyRef(logits, targets, V).nll.reduce((a, b) => a + b, 0) / M;
  if (!options.backward) return { loss, lossRows, targets, logits, hidden };

  // ---- backward
  const grads: TransformerParams = {};
  const grad = (name: string, g: Float64Array) => { grads[name] = grads[name] ? add(grads[name], g) : g; };
  const dlogits = crossEntropyGradRef(logits, targets, V, 1 / M);
  grad(c.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight', matmulRef(dlogits, hm, V, d, M, 'tn'));
  const dhm = matmulRef(dlogits, head, M, d, V, 'nn');
  const dhidden = scatterAddRef(new Float64Array(N * d), lossRows, dhm, d);
  const fin = rmsNormBackwardRef(x, P('model.norm.weight'), dhidden, N, d, eps);
  grad('model.norm.weight', fin.dw);
  let dx = fin.dx;
  for (let l = c.numLayers - 1; l >= 0; l--) {
    const p = `model.layers.${l}.`;
    const k = caches[l];
    // MLP block: x_out = x1 + act · W_downᵀ
    grad(`${p}mlp.down_proj.weight`, matmulRef(dx, k.act, d, I, N, 'tn'));
    const dgu = swigluBackwardRef(k.gu, matmulRef(dx, P(`${p}mlp.down_proj.weight`), N, I, d, 'nn'), N, I);
    const dWgu = matmulRef(dgu, k.h2, 2 * I, d, N, 'tn');
    grad(`${p}mlp.gate_proj.weight`, dWgu.slice(0, I * d));
    grad(`${p}mlp.up_proj.weight`, dWgu.slice(I * d));
    const wgu = concat(P(`${p}mlp.gate_proj.weight`), P(`${p}mlp.up_proj.weight`));
    const post = rmsNormBackwardRef(k.x1, P(`${p}post_attention_layernorm.weight`), matmulRef(dgu, wgu, N, d, 2 * I, 'nn'), N, d, eps);
    grad(`${p}post_attention_layernorm.weight`, post.dw);
    const dx1 = add(dx, post.dx);
    // attention block: x1 = x + o · W_oᵀ
    grad(`${p}self_attn.o_proj.weight`, matmulRef(dx1, k.o, d, H * hd, N, 'tn'));
    const dO = matmulRef(dx1, P(`${p}self_attn.o_proj.weight`), N, H * hd, d, 'nn');
    const dqkv = ropeRef(attentionBackwardRef(k.qkv, packed.start, dO, N, dims, L), packed.position, ropeLayout, hd, c.ropeTheta, 'backward');
    const dWqkv = matmulRef(dqkv, k.h1, L.ld, d, N, 'tn');
    grad(`${p}self_attn.q_proj.weight`, dWqkv.slice(0, H * hd * d));
    grad(`${p}self_attn.k_proj.weight`, dWqkv.slice(H * hd * d, (H + KV) * hd * d));
    grad(`${p}self_attn.v_proj.weight`, dWqkv.slice((H + KV) * hd * d));
    if (c.attentionBias) {
      const db = matmulRef(new Float64Array(N).fill(1), dqkv, 1, L.ld, N, 'nn');
      grad(`${p}self_attn.q_proj.bias`, db.slice(0, H * hd));
      grad(`${p}self_attn.k_proj.bias`, db.slice(H * hd, (H + KV) * hd));
      grad(`${p}self_attn.v_proj.bias`, db.slice((H + KV) * hd));
    }
    const wqkv = concat(P(`${p}self_attn.q_proj.weight`), P(`${p}self_attn.k_proj.weight`), P(`${p}self_attn.v_proj.weight`));
    const inp = rmsNormBackwardRef(k.x, P(`${p}input_layernorm.weight`), matmulRef(dqkv, wqkv, N, d, L.ld, 'nn'), N, d, eps);
    grad(`${p}input_layernorm.weight`, inp.dw);
    dx = add(dx1, inp.dx);
  }
  grad('model.embed_tokens.weight', scatterAddRef(new Float64Array(V * d), batch.tokens, dx, d));
  return { loss, lossRows, targets, logits, hidden, grads };
}
