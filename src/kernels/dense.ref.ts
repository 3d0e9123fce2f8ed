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

// Loops run row by row with the output index innermost, so every inner loop walks contiguous
// memory (the bench times this reference on full-size steps).
export function denseForwardRef(x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number>, s: DenseRefShape): { z: Float64Array; y: Float64Array } {
  const { rows, inDim, outDim } = s;
  const z = new Float64Array(rows * outDim);
  for (let r = 0; r < rows; r++) {
    const zr = r * outDim;
    for (let o = 0; o < outDim; o++) z[zr + o] = b[o];
    for (let k = 0; k < inDim; k++) {
      const xv = x[r * inDim + k];
      if (xv === 0) continue;
      const wk = k * outDim;
      for (let o = 0; o < outDim; o++) z[zr + o] += xv * w[wk + o];
    }
  }
  return { z, y: z.map((v) => activateRef(v, s.activation)) };
}

export function denseBackwardRef(x: ArrayLike<number>, w: ArrayLike<number>, z: ArrayLike<number>, dy: ArrayLike<number>, s: DenseRefShape): { dz: Float64Array; dW: Float64Array; db: Float64Array; dx: Float64Array } {
  const { rows, inDim, outDim } = s;
  const dz = new Float64Array(rows * outDim);
  for (let i = 0; i < dz.length; i++) dz[i] = dy[i] * activationGradRef(z[i], s.activation);
  const dW = new Float64Array(inDim * outDim);
  const db = new Float64Array(outDim);
  const dx = new Float64Array(rows * inDim);
  for (let r = 0; r < rows; r++) {
    const gr = r * outDim;
    for (let o = 0; o < outDim; o++) db[o] += dz[gr + o];
    for (let k = 0; k < inDim; k++) {
      const xv = x[r * inDim + k], wk = k * outDim;
      let acc = 0;
      for (let o = 0; o < outDim; o++) {
        const g = dz[gr + o];
        dW[wk + o] += xv * g;
        acc += g * w[wk + o];
      }
      dx[r * inDim + k] = acc;
    }
  }
  return { dz, dW, db, dx };
}
