// Float64 reference of the rotary embedding (rotate_half layout; formulas in shaders/rope.wgsl).

import { ropeAngle, type RopeLayout } from './rope';

/** A rotated copy of v; `backward` applies the transpose rotation. */
export function ropeRef(v: ArrayLike<number>, positions: ArrayLike<number>, layout: RopeLayout, headDim: number, theta: number, direction: 'forward' | 'backward'): Float64Array {
  const out = Float64Array.from(v as ArrayLike<number>);
  const half = headDim / 2;
  const sign = direction === 'forward' ? 1 : -1;
  for (let r = 0; r < layout.rows; r++) {
    for (let h = 0; h < layout.heads; h++) {
      const base = r * layout.ld + layout.offset + h * headDim;
      for (let i = 0; i < half; i++) {
        const a = ropeAngle(positions[r], i, headDim, theta);
        const c = Math.cos(a), s = sign * Math.sin(a);
        const x = v[base + i], y = v[base + i + half];
        out[base + i] = x * c - y * s;
        out[base + i + half] = y * c + x * s;
      }
    }
  }
  return out;
}
