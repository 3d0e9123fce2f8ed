// Checkpoints as safetensors files: every parameter under its own name (weights [in, out], so a
// layer is y = x·W + b), and, with an optimiser, PyTorch-style moment names and the optimiser's
// state vector. Loading checks that the file describes exactly this ParamSet before writing.

import type { Gpu } from '../gpu';
import { ADAM_STATE_SIZE } from '../kernels/adam';
import type { AdamW } from './optimizer';
import type { ParamSet } from './params';
import { decodeSafetensors, encodeSafetensors, f32Tensor, tensorToF32, type SafeTensor } from './safetensors';

export const CHECKPOINT_FORMAT = 'stepwise-checkpoint/1';
const M = (name: string) => `optimizer.exp_avg.${name}`;
const V = (name: string) => `optimizer.exp_avg_sq.${name}`;
const STATE = 'optimizer.state';

export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
}

/** Reads the parameters (and optimiser state) back once and encodes them as a safetensors file. */
export async function saveCheckpoint(gpu: Gpu, params: ParamSet, optimizer?: AdamW, metadata: Record<string, string> = {}): Promise<Uint8Array> {
  if (optimizer && optimizer.params !== params) throw new CheckpointError('the optimiser belongs to a different ParamSet');
  const sources = [params.packed('params'), ...(optimizer ? [optimizer.m, optimizer.v, optimizer.state] : [])];
  const [p, m, v, state] = (await gpu.readMany(sources)) as Float32Array[];
  const tensors: Record<string, SafeTensor> = {};
  for (const e of params.layout()) {
    const slice = (a: Float32Array) => a.subarray(e.offset, e.offset + e.size);
    tensors[e.name] = f32Tensor(slice(p), e.shape);
    if (optimizer) {
      tensors[M(e.name)] = f32Tensor(slice(m), e.shape);
      tensors[V(e.name)] = f32Tensor(slice(v), e.shape);
    }
  }
  const meta: Record<string, string> = { ...metadata, format: CHECKPOINT_FORMAT, layout: 'dense weights are [in, out]: y = x·W + b' };
  if (optimizer) {
    tensors[STATE] = f32Tensor(state, [ADAM_STATE_SIZE]);
    meta['optimizer.step'] = String(state[1]);
    meta['optimizer.config'] = JSON.stringify(optimizer.config);
  }
  return encodeSafetensors(tensors, meta);
}

/**
 * Loads a checkpoint into the ParamSet (and the optimiser, when given and the file has its state).
 * Every parameter must be present with its exact shape and no unknown tensor may be present;
 * nothing is written unless the whole file checks out. Returns the file's metadata.
 */
export function loadCheckpoint(gpu: Gpu, bytes: Uint8Array, params: ParamSet, optimizer?: AdamW): Record<string, string> {
  const { tensors, metadata } = decodeSafetensors(bytes);
  if (metadata.format !== CHECKPOINT_FORMAT) throw new CheckpointError(`not a Stepwise checkpoint (format "${metadata.format ?? 'missing'}", expected "${CHECKPOINT_FORMAT}")`);
  const hasOptimizer = STATE in tensors;
  if (optimizer && !hasOptimizer) throw new CheckpointError('the checkpoint holds no optimiser state');
  const expected = new Set<string>();
  const p = new Float32Array(params.size), m = new Float32Array(params.size), v = new Float32Array(params.size);
  for (const e of params.layout()) {
    const names = hasOptimizer ? [e.name, M(e.name), V(e.name)] : [e.name];
    names.forEach((name, k) => {
      expected.add(name);
      const t = tensors[name];
      if (!t) throw new CheckpointError(`the checkpoint has no tensor "${name}"`);
      if (t.dtype !== 'F32' || t.shape.join() !== e.shape.join()) {
        throw new CheckpointError(`"${name}" is ${t.dtype}[${t.shape.join(', ')}] in the checkpoint but F32[${e.shape.join(', ')}] here`);
      }
      [p, m, v][k].set(tensorToF32(t), e.offset);
    });
  }
  if (hasOptimizer) expected.add(STATE);
  const extra = Object.keys(tensors).filter((k) => !expected.has(k));
  if (extra.length) throw new CheckpointError(`the checkpoint has tensors this model lacks: ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ', …' : ''}`);
  let state: Float32Array | undefined;
  if (hasOptimizer) {
    state = tensorToF32(tensors[STATE]);
    if (state.length !== ADAM_STATE_SIZE) throw new CheckpointError(`optimizer.state has ${state.length} values, expected ${ADAM_STATE_SIZE}`);
  }
  gpu.write(params.packed('params'), p);
  if (optimizer && state) {
    gpu.write(optimizer.m, m);
    gpu.write(optimizer.v, v);
    gpu.write(optimizer.state, state);
  }
  return metadata;
}
