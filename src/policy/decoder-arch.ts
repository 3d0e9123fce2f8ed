// The decoder architecture Stepwise writes itself: Llama-family (RMSNorm, rotary positions,
// SwiGLU, optional grouped KV heads and q/k/v biases). Choosing the Llama family for the bundled
// model means the tiny model and the hub models (SmolLM2 is llama, Qwen2.5 is llama + qkv bias)
// share one input/output contract, one cache layout and one set of config keys.
//
// "Standard layout" for weights = Hugging Face parameter names with PyTorch shapes
// (Linear weights are [out, in]). A checkpoint exported from PyTorch, or written by our own
// SFT, can be fed to the writer unchanged.

import { transformerParameterShapes } from '../nn/transformer.ref';

export interface DecoderArch {
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  /** Grouped-query attention: numHeads must be a multiple of this. */
  numKvHeads: number;
  headDim: number;
  rmsNormEps: number;
  ropeTheta: number;
  /** Only informative for rotary models; kept in config.json for tools that read it. */
  maxPositions: number;
  /** When true the output projection reuses model.embed_tokens.weight and lm_head.weight is absent. */
  tieWordEmbeddings: boolean;
  /** q/k/v projections carry biases (Qwen2). */
  attentionBias: boolean;
}

export interface SpecialTokenIds {
  bos: number | null;
  eos: number;
  pad: number;
}

/** A tensor in the standard layout: row-major float32 with its PyTorch shape. */
export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

export type DecoderWeights = Record<string, NamedTensor>;

/**
 * Every parameter the architecture needs, with its expected shape. Order is stable (file order).
 * The list is nn's, declared once for the training model: policy writes what nn trains.
 */
export function expectedParameters(arch: DecoderArch): Array<{ name: string; shape: number[] }> {
  return transformerParameterShapes(arch);
}

export function parameterCount(arch: DecoderArch): number {
  return expectedParameters(arch).reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
}

/** Throws with every problem listed, so a bad checkpoint is fixed in one round. */
export function validateArch(arch: DecoderArch): void {
  const problems: string[] = [];
  const positiveInts: Array<keyof DecoderArch> = [
    'vocabSize', 'hiddenSize', 'intermediateSize', 'numLayers', 'numHeads', 'numKvHeads', 'headDim', 'maxPositions',
  ];
  for (const key of positiveInts) {
    const v = arch[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) problems.push(`${key} must be a positive integer (got ${String(v)})`);
  }
  if (arch.numHeads % arch.numKvHeads !== 0) problems.push(`numHeads (${arch.numHeads}) must be a multiple of numKvHeads (${arch.numKvHeads})`);
  if (arch.headDim % 2 !== 0) problems.push(`headDim (${arch.headDim}) must be even for rotary embeddings`);
  if (!(arch.rmsNormEps > 0)) problems.push(`rmsNormEps must be > 0 (got ${arch.rmsNormEps})`);
  if (!(arch.ropeTheta > 0)) problems.push(`ropeTheta must be > 0 (got ${arch.ropeTheta})`);
  if (problems.length) throw new Error(`Invalid decoder architecture: ${problems.join('; ')}.`);
}

/** Checks names and shapes against the architecture; extra tensors are an error too (likely a wrong arch). */
export function validateWeights(arch: DecoderArch, weights: DecoderWeights): void {
  const problems: string[] = [];
  const expected = expectedParameters(arch);
  const known = new Set(expected.map((p) => p.name));
  for (const { name, shape } of expected) {
    const t = weights[name];
    if (!t) {
      problems.push(`missing ${name} [${shape.join(', ')}]`);
      continue;
    }
    if (t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i])) {
      problems.push(`${name} has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
    }
    const n = shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== n) problems.push(`${name} holds ${t.data.length} values, expected ${n}`);
  }
  for (const name of Object.keys(weights)) if (!known.has(name)) problems.push(`unexpected tensor ${name}`);
  if (problems.length) {
    const shown = problems.slice(0, 8).join('; ');
    throw new Error(`Weights do not match the architecture: ${shown}${problems.length > 8 ? `; and ${problems.length - 8} more` : ''}.`);
  }
}

/**
 * The HF config.json for a Llama-family decoder. transformers.js reads model_type, the layer and
 * head counts (to build the empty KV cache) and the token ids; `transformers.js_config.dtype`
 * stops it from asking for a quantised file that we never write.
 */
export function toHfConfig(arch: DecoderArch, tokens: SpecialTokenIds, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    vocab_size: arch.vocabSize,
    hidden_size: arch.hiddenSize,
    intermediate_size: arch.intermediateSize,
    num_hidden_layers: arch.numLayers,
    num_attention_heads: arch.numHeads,
    num_key_value_heads: arch.numKvHeads,
    head_dim: arch.headDim,
    hidden_act: 'silu',
    max_position_embeddings: arch.maxPositions,
    rms_norm_eps: arch.rmsNormEps,
    rope_theta: arch.ropeTheta,
    tie_word_embeddings: arch.tieWordEmbeddings,
    attention_bias: arch.attentionBias,
    mlp_bias: false,
    bos_token_id: tokens.bos,
    eos_token_id: tokens.eos,
    pad_token_id: tokens.pad,
    torch_dtype: 'float32',
    use_cache: true,
    'transformers.js_config': { dtype: 'fp32' },
    ...extra,
  };
}

/** Model types whose weights and graph follow this architecture. */
export const LLAMA_FAMILY = new Set(['llama', 'qwen2', 'mistral']);

/** Reads a HF config.json of the Llama family back into an architecture (for re-export of trained weights). */
export function fromHfConfig(config: Record<string, unknown>): DecoderArch {
  const type = String(config.model_type ?? '');
  if (!LLAMA_FAMILY.has(type)) {
    throw new Error(`Cannot write a "${type || 'unknown'}" model: the ONNX writer supports ${[...LLAMA_FAMILY].join(', ')}.`);
  }
  const num = (key: string, fallback?: number): number => {
    const v = config[key];
    if (typeof v === 'number') return v;
    if (fallback !== undefined) return fallback;
    throw new Error(`config.json lacks numeric "${key}".`);
  };
  const hiddenSize = num('hidden_size');
  const numHeads = num('num_attention_heads');
  const arch: DecoderArch = {
    vocabSize: num('vocab_size'),
    hiddenSize,
    intermediateSize: num('intermediate_size'),
    numLayers: num('num_hidden_layers'),
    numHeads,
    numKvHeads: num('num_key_value_heads', numHeads),
    headDim: num('head_dim', hiddenSize / numHeads),
    rmsNormEps: num('rms_norm_eps', 1e-6),
    ropeTheta: num('rope_theta', 10000),
    maxPositions: num('max_position_embeddings', 2048),
    tieWordEmbeddings: Boolean(config.tie_word_embeddings ?? false),
    attentionBias: type === 'qwen2' ? true : Boolean(config.attention_bias ?? false),
  };
  validateArch(arch);
  return arch;
}
