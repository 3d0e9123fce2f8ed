// A trained decoder as a model folder transformers.js loads: the ONNX graph from
// onnx-decoder-writer, config.json, the weights as model.safetensors (HF names, so PyTorch's
// from_pretrained reads them too), and the tokenizer files passed through unchanged.

import { encodeTransformerWeights, type TransformerWeights } from '../nn/transformer-params';
import type { TransformerConfig } from '../nn/transformer.ref';
import { type DecoderArch, type SpecialTokenIds, toHfConfig } from './decoder-arch';
import { writeDecoderOnnx, type WriteOptions } from './onnx-decoder-writer';

/** The writer's architecture for a training config (the training side has no position limit). */
export function decoderArchOf(config: TransformerConfig, maxPositions: number): DecoderArch {
  return { ...config, maxPositions };
}

export interface DecoderExportOptions {
  tokens: SpecialTokenIds;
  /** Files copied into the folder as they are: tokenizer.json, tokenizer_config.json, generation_config.json … */
  passThrough?: Record<string, Uint8Array | string>;
  /** Extra config.json keys (e.g. a `stepwise` block with the training recipe). */
  configExtra?: Record<string, unknown>;
  /** Metadata strings of model.safetensors. */
  safetensorsMetadata?: Record<string, string>;
  onnx?: WriteOptions;
}

/** Relative path → bytes of every file of the model folder. Deterministic in its arguments. */
export function exportDecoderFiles(arch: DecoderArch, weights: TransformerWeights, options: DecoderExportOptions): Record<string, Uint8Array> {
  const text = (s: string) => new TextEncoder().encode(s);
  const files: Record<string, Uint8Array> = {};
  for (const [path, content] of Object.entries(options.passThrough ?? {})) files[path] = typeof content === 'string' ? text(content) : content;
  files['onnx/model.onnx'] = writeDecoderOnnx(arch, weights, options.onnx);
  files['model.safetensors'] = encodeTransformerWeights(arch, weights, options.safetensorsMetadata);
  files['config.json'] = text(`${JSON.stringify(toHfConfig(arch, options.tokens, options.configExtra), null, 2)}\n`);
  return files;
}
