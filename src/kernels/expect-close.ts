// Tolerance check shared by the kernel tests: |got − want| ≤ abs + rel·|want| element-wise,
// reporting the worst element (NaN counts as the worst) so a failure says where and by how much.

import { expect } from './cases/expect';

export interface Tolerance {
  abs: number;
  rel: number;
}

export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: Tolerance, what: string): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  let worst = 0, at = -1;
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]) / (tol.abs + tol.rel * Math.abs(want[i]));
    if (!(err <= worst)) { worst = err; at = i; }
  }
  expect(worst, `${what}: worst at ${at}: got ${got[at]}, want ${want[at]}`).toBeLessThanOrEqual(1);
}

/** Central finite differences of a scalar float64 function at x (x is restored). */
export function finiteDiff(f: () => number, x: Float64Array, h = 1e-6): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const x0 = x[i];
    x[i] = x0 + h; const fp = f();
    x[i] = x0 - h; const fm = f();
    x[i] = x0;
    g[i] = (fp - fm) / (2 * h);
  }
  return g;
}

export function toF64(a: ArrayLike<number>): Float64Array {
  return Float64Array.from(a as ArrayLike<number>);
}
