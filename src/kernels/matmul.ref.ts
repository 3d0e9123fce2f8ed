// Float64 reference for matmul.ts: the same maths, written for clarity, in double precision.

import type { Activation, MatmulForm } from './matmul';

const GELU_K = Math.sqrt(2 / Math.PI);

export function activateRef(x: number, act: Activation): number {
  switch (act) {
    case 'relu': return Math.max(x, 0);
    case 'tanh': return Math.tanh(x);
    case 'gelu': return 0.5 * x * (1 + Math.tanh(GELU_K * (x + 0.044715 * x * x * x)));
    default: return x;
  }
}

/** C = act(op(A)·op(B) + bias) in float64, with A and B in the storage layout of `form`. */
export function matmulRef(
  a: ArrayLike<number>, b: ArrayLike<number>, M: number, N: number, K: number,
  form: MatmulForm = 'nn', bias?: ArrayLike<number>, activation: Activation = 'identity',
): Float64Array {
  const A = (m: number, k: number) => (form === 'tn' ? a[k * M + m] : a[m * K + k]);
  const B = (k: number, n: number) => (form === 'nt' ? b[n * K + k] : b[k * N + n]);
  const c = new Float64Array(M * N);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += A(m, k) * B(k, n);
      c[m * N + n] = activateRef(s + (bias ? bias[n] : 0), activation);
    }
  }
  return c;
}

/** Σ_k |A(m,k)·B(k,n)| per output: the scale that float32 rounding error is relative to. */
export function matmulAbsRef(a: ArrayLike<number>, b: ArrayLike<number>, M: number, N: number, K: number, form: MatmulForm = 'nn'): Float64Array {
  const absA = Array.from(a, Math.abs);
  const absB = Array.from(b, Math.abs);
  return matmulRef(absA, absB, M, N, K, form);
}
