// Float64 reference for segsoftmax.ts.

export interface SegSoftmaxRef {
  logp: Float64Array;
  lpChosen: Float64Array;
  entropy: Float64Array;
  priorLpChosen: Float64Array;
  klPrior: Float64Array;
  argmaxIsChosen: Float64Array;
}

function logSumExp(v: number[]): number {
  const m = Math.max(...v);
  return m + Math.log(v.reduce((s, x) => s + Math.exp(x - m), 0));
}

export function segSoftmaxForwardRef(offsets: ArrayLike<number>, chosen: ArrayLike<number>, prior: ArrayLike<number>, score: ArrayLike<number>, kappa: number): SegSoftmaxRef {
  const S = offsets.length - 1;
  const out: SegSoftmaxRef = {
    logp: new Float64Array(offsets[S]),
    lpChosen: new Float64Array(S), entropy: new Float64Array(S), priorLpChosen: new Float64Array(S),
    klPrior: new Float64Array(S), argmaxIsChosen: new Float64Array(S),
  };
  for (let s = 0; s < S; s++) {
    const a = offsets[s], b = offsets[s + 1];
    const z: number[] = [], z0: number[] = [];
    for (let j = a; j < b; j++) { z.push(kappa * prior[j] + score[j]); z0.push(kappa * prior[j]); }
    const lse = logSumExp(z), lse0 = logSumExp(z0);
    let H = 0, KL = 0, best = 0;
    z.forEach((zj, i) => {
      const lp = zj - lse, p = Math.exp(lp);
      out.logp[a + i] = lp;
      if (p > 0) { H -= p * lp; KL += p * (lp - (z0[i] - lse0)); }
      if (zj > z[best]) best = i;
    });
    const c = chosen[s];
    out.lpChosen[s] = z[c] - lse;
    out.entropy[s] = H;
    out.priorLpChosen[s] = z0[c] - lse0;
    out.klPrior[s] = KL;
    out.argmaxIsChosen[s] = best === c ? 1 : 0;
  }
  return out;
}

/** ∂L/∂f per candidate for upstream per-set gradients g = (∂L/∂log π(a*), ∂L/∂H, ∂L/∂KL). */
export function segSoftmaxBackwardRef(
  offsets: ArrayLike<number>, chosen: ArrayLike<number>, prior: ArrayLike<number>, kappa: number,
  fwd: SegSoftmaxRef, gLp: ArrayLike<number>, gH: ArrayLike<number>, gKL: ArrayLike<number>,
): Float64Array {
  const S = offsets.length - 1;
  const d = new Float64Array(offsets[S]);
  for (let s = 0; s < S; s++) {
    const a = offsets[s], b = offsets[s + 1];
    const z0: number[] = [];
    for (let j = a; j < b; j++) z0.push(kappa * prior[j]);
    const lse0 = logSumExp(z0);
    for (let j = a; j < b; j++) {
      const lp = fwd.logp[j], p = Math.exp(lp);
      let g = (j - a === chosen[s] ? gLp[s] : 0) - gLp[s] * p;
      if (p > 0) g += -gH[s] * p * (lp + fwd.entropy[s]) + gKL[s] * p * ((lp - (z0[j - a] - lse0)) - fwd.klPrior[s]);
      d[j] = g;
    }
  }
  return d;
}
