// Float64 reference for reduce.ts.
import type { ReduceOp } from './reduce';

export function reduceRef(x: ArrayLike<number>, op: ReduceOp = 'sum'): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += op === 'sumsq' ? x[i] * x[i] : x[i];
  return s;
}

/** Σ |term|: the scale float32 summation error is relative to. */
export function reduceAbsRef(x: ArrayLike<number>, op: ReduceOp = 'sum'): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += op === 'sumsq' ? x[i] * x[i] : Math.abs(x[i]);
  return s;
}
