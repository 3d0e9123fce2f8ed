// Float64 reference of causal attention over packed sequences: the plain O(rows²) formulas of
// shaders/attention.wgsl, with the full softmax per row.

import type { AttentionSpec, QkvLayout } from './attention';

type Dims = Pick<AttentionSpec, 'heads' | 'kvHeads' | 'headDim'>;

interface Scores { P: Float64Array[]; lo: number[] }

/** Softmax rows P_i over keys lo_i … i for head h. */
function probabilities(qkv: ArrayLike<number>, start: ArrayLike<number>, rows: number, d: Dims, L: QkvLayout, h: number): Scores & { lse: Float64Array } {
  const hd = d.headDim, g = Math.floor(h / (d.heads / d.kvHeads)), scale = 1 / Math.sqrt(hd);
  const P: Float64Array[] = [];
  const lo: number[] = [];
  const lse = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const j0 = start[i];
    const s = new Float64Array(i - j0 + 1);
    let m = -Infinity;
    for (let j = j0; j <= i; j++) {
      let dot = 0;
      for (let c = 0; c < hd; c++) dot += qkv[i * L.ld + L.qOff + h * hd + c] * qkv[j * L.ld + L.kOff + g * hd + c];
      s[j - j0] = dot * scale;
      m = Math.max(m, s[j - j0]);
    }
    let z = 0;
    for (let k = 0; k < s.length; k++) z += Math.exp(s[k] - m);
    lse[i] = m + Math.log(z);
    P.push(s.map((v) => Math.exp(v - lse[i])));
    lo.push(j0);
  }
  return { P, lo, lse };
}

export function attentionForwardRef(qkv: ArrayLike<number>, start: ArrayLike<number>, rows: number, d: Dims, L: QkvLayout): { o: Float64Array; lse: Float64Array } {
  const { heads: H, headDim: hd } = d;
  const o = new Float64Array(rows * H * hd);
  const lse = new Float64Array(H * rows);
  for (let h = 0; h < H; h++) {
    const g = Math.floor(h / (H / d.kvHeads));
    const p = probabilities(qkv, start, rows, d, L, h);
    lse.set(p.lse, h * rows);
    for (let i = 0; i < rows; i++) {
      for (let j = p.lo[i]; j <= i; j++) {
        const w = p.P[i][j - p.lo[i]];
        for (let c = 0; c < hd; c++) o[i * H * hd + h * hd + c] += w * qkv[j * L.ld + L.vOff + g * hd + c];
      }
    }
  }
  return { o, lse };
}

/** ∂L/∂qkv for ∂L/∂o = dO (zeros outside the q, k, v columns). */
export function attentionBackwardRef(qkv: ArrayLike<number>, start: ArrayLike<number>, dO: ArrayLike<number>, rows: number, d: Dims, L: QkvLayout): Float64Array {
  const { heads: H, headDim: hd } = d;
  const scale = 1 / Math.sqrt(hd);
  const dqkv = new Float64Array(rows * L.ld);
  for (let h = 0; h < H; h++) {
    const g = Math.floor(h / (H / d.kvHeads));
    const p = probabilities(qkv, start, rows, d, L, h);
    for (let i = 0; i < rows; i++) {
      const Pi = p.P[i], lo = p.lo[i];
      const dP = new Float64Array(Pi.length);
      let D = 0;
      for (let j = lo; j <= i; j++) {
        let s = 0;
        for (let c = 0; c < hd; c++) s += dO[i * H * hd + h * hd + c] * qkv[j * L.ld + L.vOff + g * hd + c];
        dP[j - lo] = s;
        D += Pi[j - lo] * s;
      }
      for (let j = lo; j <= i; j++) {
        const pij = Pi[j - lo], dS = pij * (dP[j - lo] - D);
        for (let c = 0; c < hd; c++) {
          dqkv[j * L.ld + L.vOff + g * hd + c] += pij * dO[i * H * hd + h * hd + c];
          dqkv[i * L.ld + L.qOff + h * hd + c] += scale * dS * qkv[j * L.ld + L.kOff + g * hd + c];
          dqkv[j * L.ld + L.kOff + g * hd + c] += scale * dS * qkv[i * L.ld + L.qOff + h * hd + c];
        }
      }
    }
  }
  return dqkv;
}
