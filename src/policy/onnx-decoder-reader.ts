// Reads the weights back out of a decoder graph that onnx-decoder-writer.ts wrote, so a model
// folder written by an earlier version of the writer can be rewritten with the current graph
// contract (tests and benchmarks use it on the committed model) without rerunning its training.
// Linear weights are stored transposed ([in, out], named `<name>.T`); everything else by name.

import onnxProto from 'onnx-proto';
import { type DecoderArch, type DecoderWeights, expectedParameters, validateWeights } from './decoder-arch';
import { DataType } from './onnx-graph-builder';

// onnx-proto is a CommonJS protobufjs static module; its default export carries the `onnx` namespace.
const { onnx } = onnxProto;

function floatsOf(t: onnxProto.onnx.ITensorProto): Float32Array {
  if (t.dataType !== DataType.FLOAT) throw new TypeError(`initializer ${t.name} is not float32`);
  if (t.rawData && t.rawData.length) {
    const raw = t.rawData;
    // Copy: the raw bytes are a view into the whole model buffer (a Node Buffer's slice() is
    // still a view), not necessarily 4-byte aligned.
    return new Float32Array(new Uint8Array(raw).buffer, 0, raw.length / 4);
  }
  return Float32Array.from(t.floatData ?? []);
}

/** [in, out] row-major -> [out, in] row-major (the inverse of the writer's transposeLinear). */
function untranspose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let c = 0; c < cols; c++) for (let r = 0; r < rows; r++) out[r * cols + c] = data[c * rows + r];
  return out;
}

/** The decoder's weights from the writer's ONNX bytes. Throws naming what is missing or misshapen. */
export function readDecoderOnnxWeights(bytes: Uint8Array, arch: DecoderArch): DecoderWeights {
  const model = onnx.ModelProto.decode(bytes);
  const byName = new Map((model.graph?.initializer ?? []).map((t) => [t.name ?? '', t]));
  const weights: DecoderWeights = {};
  const missing: string[] = [];
  for (const { name, shape } of expectedParameters(arch)) {
    const plain = byName.get(name);
    if (plain) {
      weights[name] = { shape, data: floatsOf(plain) };
      continue;
    }
    const transposed = byName.get(`${name}.T`);
    if (transposed && shape.length === 2) {
      weights[name] = { shape, data: untranspose(floatsOf(transposed), shape[0], shape[1]) };
      continue;
    }
    missing.push(name);
  }
  if (missing.length) throw new RangeError(`the graph has no initializer for ${missing.join(', ')}; was it written by onnx-decoder-writer.ts with this architecture?`);
  validateWeights(arch, weights);
  return weights;
}
