// Float64 reference for dense.ts: one layer forward and backward, written for clarity.

import type { Activation } from './matmul';
import { activateRef } from './matmul.ref';

const GELU_K = Math.sqrt(2 / Math.PI);
const GELU_C = 0.044715;

/** f′(z), the derivative of the activation at its input. */
export function activationGradRef(z: number, act: Activation): number {
  switch (act) {
    case 'relu': return z > 0 ? 1 : 0;
    case 'tanh': { const t = Math.tanh(z); return 1 - t * t; }
    case 'gelu': {
      const t = Math.tanh(GELU_K * (z + GELU_C * z * z * z));
      return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * GELU_K * (1 + 3 * GELU_C * z * z);
    }
    default: return 1;
  }
}

export interface DenseRefShape { rows: number; inDim: number; outDim: number; activation: Activation }

export function denseForwardRef(x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number>, s: DenseRefShape): { z: Float64Array; y: Float64Array } {
  const z = new Float64Array(s.rows * s.outDim);
  for (let r = 0; r < s.rows; r++) {
    for (let o = 0; o < s.outDim; o++) {
      let acc = b[o];
      for (let k = 0; k < s.inDim; k++) acc += x[r * s.inDim + k] * w[k * s.outDim + o];
      z[r * s.outDim + o] = acc;
    }
  }
  return { z, y: z.map((v) => activateRef(v, s.activation)) };
}

export function denseBackwardRef(x: ArrayLike<number>, w: ArrayLike<number>, z: ArrayLike<number>, dy: ArrayLike<number>, s: DenseRefShape): { dz: Float64Array; dW: Float64Array; db: Float64Array; dx: Float64Array } {
  const dz = new Float64Array(s.rows * s.outDim);
  for (let i = 0; i < dz.length; i++) dz[i] = dy[i] * activationGradRef(z[i], s.activation);
  const dW = new Float64Array(s.inDim * s.outDim);
  const db = new Float64Array(s.outDim);
  const dx = new Float64Array(s.rows * s.inDim);
  for (let r = 0; r < s.rows; r++) {
    for (let o = 0; o < s.outDim; o++) {
      const g = dz[r * s.outDim + o];
      db[o] += g;
      for (let k = 0; k < s.inDim; k++) {
        dW[k * s.outDim + o] += x[r * s.inDim + k] * g;
        dx[r * s.inDim + k] += g * w[k * s.outDim + o];
      }
    }
  }
  return { dz, dW, db, dx };
}
