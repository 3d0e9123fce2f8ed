// Float64 reference for adam.ts: one optimiser step, as PyTorch's Adam/AdamW compute it, with
// clip_grad_norm_ applied first.

import type { AdamConfig } from './adam';

export interface AdamRefState { params: Float64Array; m: Float64Array; v: Float64Array; step: number }

export function adamStepRef(s: AdamRefState, grads: ArrayLike<number>, c: AdamConfig, decayEnd = s.params.length): { state: AdamRefState; gradNorm: number; skipped: boolean } {
  let sq = 0;
  for (let i = 0; i < grads.length; i++) sq += grads[i] * grads[i];
  const gradNorm = Math.sqrt(sq);
  if (!Number.isFinite(gradNorm)) return { state: s, gradNorm, skipped: true };
  const scale = c.maxGradNorm === null ? 1 : Math.min(1, c.maxGradNorm / (gradNorm + 1e-6));
  const t = s.step + 1;
  const params = Float64Array.from(s.params), m = Float64Array.from(s.m), v = Float64Array.from(s.v);
  for (let i = 0; i < params.length; i++) {
    const decay = i < decayEnd;
    let g = grads[i] * scale;
    if (decay && !c.decoupled) g += c.weightDecay * params[i];
    m[i] = c.beta1 * m[i] + (1 - c.beta1) * g;
    v[i] = c.beta2 * v[i] + (1 - c.beta2) * g * g;
    if (decay && c.decoupled) params[i] *= 1 - c.lr * c.weightDecay;
    const mHat = m[i] / (1 - c.beta1 ** t), vHat = v[i] / (1 - c.beta2 ** t);
    params[i] -= (c.lr * mHat) / (Math.sqrt(vHat) + c.eps);
  }
  return { state: { params, m, v, step: t }, gradNorm, skipped: false };
}
