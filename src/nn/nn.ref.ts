// Float64 references for the heads: the same networks, composed from the kernel references,
// with parameters taken by name from a packed host copy.

import type { Activation } from '../kernels/matmul';
import { activateRef } from '../kernels/matmul.ref';
import { denseForwardRef } from '../kernels/dense.ref';
import type { ParamSet } from './params';

export type HostParams = Map<string, Float64Array>;

export function hostParams(set: ParamSet, packed: ArrayLike<number>): HostParams {
  const out: HostParams = new Map();
  for (const e of set.layout()) out.set(e.name, Float64Array.from({ length: e.size }, (_, i) => packed[e.offset + i]));
  return out;
}

function get(p: HostParams, name: string): Float64Array {
  const v = p.get(name);
  if (!v) throw new Error(`reference: no parameter ${name}`);
  return v;
}

export function mlpRef(p: HostParams, prefix: string, sizes: number[], act: Activation, x: ArrayLike<number>, rows: number, outAct: Activation = 'identity'): Float64Array {
  let h: ArrayLike<number> = x;
  for (let i = 0; i + 1 < sizes.length; i++) {
    const last = i + 2 === sizes.length;
    h = denseForwardRef(h, get(p, `${prefix}.layers.${i}.weight`), get(p, `${prefix}.layers.${i}.bias`), {
      rows, inDim: sizes[i], outDim: sizes[i + 1], activation: last ? outAct : act,
    }).y;
  }
  return Float64Array.from(h);
}

/** Scores of the split-first-layer MLP: f(φ·W_φ + ψ·W_ψ + b) through the trunk. */
export function pairMlpRef(
  p: HostParams, prefix: string, spec: { stateDim: number; actionDim: number; hidden: number[]; activation: Activation },
  phi: ArrayLike<number>, psi: ArrayLike<number>, offsets: ArrayLike<number>,
): Float64Array {
  const S = offsets.length - 1, N = offsets[S], h = spec.hidden[0];
  const Ws = get(p, `${prefix}.state_in.weight`), Wa = get(p, `${prefix}.action_in.weight`), b = get(p, `${prefix}.in.bias`);
  const h1 = new Float64Array(N * h);
  for (let s = 0; s < S; s++) {
    for (let j = offsets[s]; j < offsets[s + 1]; j++) {
      for (let c = 0; c < h; c++) {
        let z = b[c];
        for (let k = 0; k < spec.stateDim; k++) z += phi[s * spec.stateDim + k] * Ws[k * h + c];
        for (let k = 0; k < spec.actionDim; k++) z += psi[j * spec.actionDim + k] * Wa[k * h + c];
        h1[j * h + c] = activateRef(z, spec.activation);
      }
    }
  }
  return mlpRef(p, `${prefix}.trunk`, [...spec.hidden, 1], spec.activation, h1, N);
}
