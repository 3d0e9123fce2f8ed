// How the decoder's parameters are stored for training, and the way back to the Hugging Face
// layout the ONNX writer and checkpoints read. The GPU step multiplies by [W_q; W_k; W_v] and by
// [W_gate; W_up] in one product each, so those are one parameter each here: a ParamSet starts
// every parameter on an aligned boundary, which would leave padding between separately stored
// q/k/v rows. The fused matrices are the HF matrices stacked by rows ([out, in] layout), so
// splitting is slicing.

import { decodeSafetensors, encodeSafetensors, f32Tensor, SafetensorsError, tensorToF32, type SafeTensor } from './safetensors';
import { transformerParameterShapes, type TransformerConfig } from './transformer.ref';

/** A tensor in the Hugging Face layout: row-major float32 with its PyTorch shape. */
export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

/** Every parameter under its Hugging Face name (the ONNX writer's DecoderWeights). */
export type TransformerWeights = Record<string, NamedTensor>;

export type FusedKind = 'matrix' | 'norm' | 'bias';

export interface FusedParam {
  /** The training-side name (HF names, with qkv_proj and gate_up_proj for the fused products). */
  name: string;
  shape: number[];
  kind: FusedKind;
  /** HF tensors stacked by rows into this one, in order (absent: the HF tensor of the same name). */
  parts?: Array<{ name: string; rows: number }>;
}

const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

export function qkvName(layer: number, what: 'weight' | 'bias'): string {
  return `model.layers.${layer}.self_attn.qkv_proj.${what}`;
}

export function gateUpName(layer: number): string {
  return `model.layers.${layer}.mlp.gate_up_proj.weight`;
}

/** The training parameters, in the order the GPU model registers them. */
export function fusedParameters(c: TransformerConfig): FusedParam[] {
  const d = c.hiddenSize, q = c.numHeads * c.headDim, kv = c.numKvHeads * c.headDim, I = c.intermediateSize;
  const out: FusedParam[] = [{ name: 'model.embed_tokens.weight', shape: [c.vocabSize, d], kind: 'matrix' }];
  for (let l = 0; l < c.numLayers; l++) {
    const p = `model.layers.${l}.`;
    const attn = (what: 'weight' | 'bias') => [
      { name: `${p}self_attn.q_proj.${what}`, rows: q },
      { name: `${p}self_attn.k_proj.${what}`, rows: kv },
      { name: `${p}self_attn.v_proj.${what}`, rows: kv },
    ];
    out.push({ name: `${p}input_layernorm.weight`, shape: [d], kind: 'norm' });
    out.push({ name: qkvName(l, 'weight'), shape: [q + 2 * kv, d], kind: 'matrix', parts: attn('weight') });
    if (c.attentionBias) out.push({ name: qkvName(l, 'bias'), shape: [q + 2 * kv], kind: 'bias', parts: attn('bias') });
    out.push({ name: `${p}self_attn.o_proj.weight`, shape: [d, q], kind: 'matrix' });
    out.push({ name: `${p}post_attention_layernorm.weight`, shape: [d], kind: 'norm' });
    out.push({
      name: gateUpName(l), shape: [2 * I, d], kind: 'matrix',
      parts: [{ name: `${p}mlp.gate_proj.weight`, rows: I }, { name: `${p}mlp.up_proj.weight`, rows: I }],
    });
    out.push({ name: `${p}mlp.down_proj.weight`, shape: [d, I], kind: 'matrix' });
  }
  out.push({ name: 'model.norm.weight', shape: [d], kind: 'norm' });
  if (!c.tieWordEmbeddings) out.push({ name: 'lm_head.weight', shape: [c.vocabSize, d], kind: 'matrix' });
  return out;
}

/**
 * HF-named weights → training parameters. Throws, listing every problem, unless the weights are
 * exactly the architecture's tensors with their shapes.
 */
export function fuseWeights(c: TransformerConfig, weights: TransformerWeights): Record<string, Float32Array> {
  const problems: string[] = [];
  const expected = transformerParameterShapes(c);
  for (const { name, shape } of expected) {
    const t = weights[name];
    if (!t) { problems.push(`missing ${name} [${shape.join(', ')}]`); continue; }
    if (t.shape.join() !== shape.join()) problems.push(`${name} has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
    else if (t.data.length !== numel(shape)) problems.push(`${name} holds ${t.data.length} values, expected ${numel(shape)}`);
  }
  const known = new Set(expected.map((e) => e.name));
  for (const name of Object.keys(weights)) if (!known.has(name)) problems.push(`unexpected tensor ${name}`);
  if (problems.length) throw new RangeError(`weights do not match the transformer config: ${problems.slice(0, 8).join('; ')}${problems.length > 8 ? `; and ${problems.length - 8} more` : ''}`);
  const out: Record<string, Float32Array> = {};
  for (const f of fusedParameters(c)) {
    if (!f.parts) { out[f.name] = Float32Array.from(weights[f.name].data); continue; }
    const data = new Float32Array(numel(f.shape));
    let at = 0;
    for (const part of f.parts) { data.set(weights[part.name].data, at); at += weights[part.name].data.length; }
    out[f.name] = data;
  }
  return out;
}

/** Training parameters → HF-named weights, in the order transformerParameterShapes lists them. */
export function splitWeights(c: TransformerConfig, fused: Record<string, ArrayLike<number>>): TransformerWeights {
  const byName: TransformerWeights = {};
  for (const f of fusedParameters(c)) {
    const src = fused[f.name];
    if (!src || src.length !== numel(f.shape)) throw new RangeError(`parameter ${f.name}: expected ${numel(f.shape)} values, got ${src?.length ?? 'none'}`);
    const values = Float32Array.from(src);
    if (!f.parts) { byName[f.name] = { shape: [...f.shape], data: values }; continue; }
    const cols = f.shape.length === 2 ? f.shape[1] : 1;
    let row = 0;
    for (const part of f.parts) {
      const data = values.slice(row * cols, (row + part.rows) * cols);
      byName[part.name] = { shape: f.shape.length === 2 ? [part.rows, cols] : [part.rows], data };
      row += part.rows;
    }
  }
  const out: TransformerWeights = {};
  for (const { name } of transformerParameterShapes(c)) out[name] = byName[name];
  return out;
}

/**
 * The weights as a Hugging Face `model.safetensors` (HF names, F32, [out, in] linear weights), so
 * `transformers`' from_pretrained and our own loader read the same file.
 */
export function encodeTransformerWeights(c: TransformerConfig, weights: TransformerWeights, metadata: Record<string, string> = {}): Uint8Array {
  fuseWeights(c, weights); // validates names and shapes
  const tensors: Record<string, SafeTensor> = {};
  for (const { name, shape } of transformerParameterShapes(c)) tensors[name] = f32Tensor(weights[name].data, shape);
  return encodeSafetensors(tensors, { format: 'pt', ...metadata });
}

/** Reads a `model.safetensors` of this architecture back (every tensor F32 and exactly the config's). */
export function decodeTransformerWeights(c: TransformerConfig, bytes: Uint8Array): { weights: TransformerWeights; metadata: Record<string, string> } {
  const { tensors, metadata } = decodeSafetensors(bytes);
  const weights: TransformerWeights = {};
  for (const [name, t] of Object.entries(tensors)) {
    if (t.dtype !== 'F32') throw new SafetensorsError(`${name} is ${t.dtype}; the transformer reads F32 weights`);
    weights[name] = { shape: [...t.shape], data: tensorToF32(t) };
  }
  fuseWeights(c, weights);
  return { weights, metadata };
}
