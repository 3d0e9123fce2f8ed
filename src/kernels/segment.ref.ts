// Float64 reference for segment.ts.

import type { Activation } from './matmul';
import { activateRef } from './matmul.ref';

export function segmentBroadcastRef(offsets: ArrayLike<number>, perSet: ArrayLike<number>, perRow: ArrayLike<number>, cols: number, act: Activation): { z: Float64Array; y: Float64Array } {
  const z = Float64Array.from(perRow as ArrayLike<number>);
  for (let s = 0; s + 1 < offsets.length; s++) {
    for (let j = offsets[s]; j < offsets[s + 1]; j++) for (let c = 0; c < cols; c++) z[j * cols + c] += perSet[s * cols + c];
  }
  return { z, y: z.map((v) => activateRef(v, act)) };
}

export function segmentSumRef(offsets: ArrayLike<number>, g: ArrayLike<number>, cols: number): Float64Array {
  const sets = offsets.length - 1;
  const t = new Float64Array(sets * cols);
  for (let s = 0; s < sets; s++) {
    for (let j = offsets[s]; j < offsets[s + 1]; j++) for (let c = 0; c < cols; c++) t[s * cols + c] += g[j * cols + c];
  }
  return t;
}
