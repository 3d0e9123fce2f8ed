// Float64 reference for ppo.ts: the loss of one step as a function of its inputs, its
// gradients, and the minibatch metrics.

import type { PpoConfig, PpoMetricName } from './ppo';

export interface PpoStepInput {
  /** The softmax's per-set outputs: log π(a), H, log π⁰(a) (which the loss no longer reads), KL(π‖π⁰). */
  lp: number; entropy: number; lpPrior: number; klExact: number;
  /** The batch: log π_old(a), advantage, V_old, return, log π_ref(a) (the k1/k3 reference). */
  lpOld: number; adv: number; vOld: number; ret: number; lpRef: number;
  v: number;
}

export interface PpoStepOutput {
  pg: number; vf: number; kl: number; loss: number;
  dLp: number; dV: number; dH: number; dKL: number;
  clipped: boolean; dualActive: boolean; vfClipped: boolean; delta: number; ratio: number;
}

export function ppoStepRef(x: PpoStepInput, c: PpoConfig, N: number): PpoStepOutput {
  const delta = Math.min(20, Math.max(-20, x.lp - x.lpOld));
  const ratio = Math.exp(delta);
  const pg1 = -x.adv * ratio;
  const pg2 = -x.adv * Math.min(1 + c.clipHigh, Math.max(1 - c.clipLow, ratio));
  const clippedLoss = Math.max(pg1, pg2);
  let pg = clippedLoss, dualActive = false;
  if (c.dualClip !== null && x.adv < 0) {
    const pg3 = -x.adv * c.dualClip;
    dualActive = pg3 < clippedLoss;
    pg = Math.min(clippedLoss, pg3);
  }
  const dpg = pg1 >= pg2 && !dualActive ? -x.adv * ratio : 0;

  const vf1 = (x.v - x.ret) ** 2;
  let vf = 0.5 * vf1, dvf = x.v - x.ret, vfClipped = false;
  if (c.valueClip !== null) {
    const vc = x.vOld + Math.min(c.valueClip, Math.max(-c.valueClip, x.v - x.vOld));
    const vf2 = (vc - x.ret) ** 2;
    vfClipped = vf2 > vf1;
    vf = 0.5 * Math.max(vf1, vf2);
    if (vfClipped) dvf = Math.abs(x.v - x.vOld) < c.valueClip ? vc - x.ret : 0;
  }

  let kl: number, dkl = 0, dKL = 0;
  if (c.klEstimator === 'k1') { kl = x.lp - x.lpRef; dkl = 1; }
  else if (c.klEstimator === 'k3') {
    const d = x.lpRef - x.lp;
    const k3 = Math.exp(d) - d - 1;
    kl = Math.min(10, k3);
    dkl = k3 < 10 ? 1 - Math.exp(d) : 0;
  } else { kl = x.klExact; dKL = c.klCoef / N; }

  const loss = pg + c.vfCoef * vf - c.entCoef * x.entropy + c.klCoef * kl;
  return {
    pg, vf, kl, loss, clipped: pg2 > pg1, dualActive, vfClipped, delta, ratio,
    dLp: (dpg + c.klCoef * dkl) / N, dV: (c.vfCoef * dvf) / N, dH: -c.entCoef / N, dKL,
  };
}

export function ppoMetricsRef(xs: PpoStepInput[], c: PpoConfig): Record<PpoMetricName, number> {
  const N = xs.length;
  const out = xs.map((x) => ppoStepRef(x, c, N));
  const mean = (f: (i: number) => number) => xs.reduce((s, _, i) => s + f(i), 0) / N;
  const variance = (f: (i: number) => number) => { const m = mean(f); return mean((i) => (f(i) - m) ** 2); };
  const varG = variance((i) => xs[i].ret);
  return {
    loss: mean((i) => out[i].loss), pg_loss: mean((i) => out[i].pg), vf_loss: mean((i) => out[i].vf),
    entropy: mean((i) => xs[i].entropy), kl: mean((i) => out[i].kl),
    approx_kl: mean((i) => 0.5 * out[i].delta ** 2), ppo_kl: mean((i) => -out[i].delta),
    clipfrac: mean((i) => +out[i].clipped), clipfrac_lower: mean((i) => +out[i].dualActive), vf_clipfrac: mean((i) => +out[i].vfClipped),
    ratio_mean: mean((i) => out[i].ratio), ratio_var: variance((i) => out[i].ratio),
    explained_var: varG > 0 ? 1 - variance((i) => xs[i].ret - xs[i].v) / varG : 0,
    returns_mean: mean((i) => xs[i].ret), values_mean: mean((i) => xs[i].v), returns_var: varG,
  };
}
