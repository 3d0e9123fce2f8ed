// Float64 reference for gae.ts.

export function gaeRef(offsets: ArrayLike<number>, rewards: ArrayLike<number>, values: ArrayLike<number>, bootstrap: ArrayLike<number>, gamma: number, lambda: number): { advantages: Float64Array; returns: Float64Array } {
  const T = offsets[offsets.length - 1];
  const advantages = new Float64Array(T), returns = new Float64Array(T);
  for (let i = 0; i + 1 < offsets.length; i++) {
    let nextV = bootstrap[i], nextA = 0;
    for (let t = offsets[i + 1] - 1; t >= offsets[i]; t--) {
      const delta = rewards[t] + gamma * nextV - values[t];
      nextA = delta + gamma * lambda * nextA;
      advantages[t] = nextA;
      returns[t] = nextA + values[t];
      nextV = values[t];
    }
  }
  return { advantages, returns };
}

export function whitenRef(x: ArrayLike<number>, mask: ArrayLike<number>): { out: Float64Array; mean: number; variance: number; count: number } {
  let n = 0, s = 0;
  for (let i = 0; i < x.length; i++) { n += mask[i]; s += mask[i] * x[i]; }
  const mean = n > 0 ? s / n : 0;
  let ss = 0;
  for (let i = 0; i < x.length; i++) ss += mask[i] * (x[i] - mean) ** 2;
  const variance = n > 1 ? ss / (n - 1) : 0;
  const scale = 1 / Math.sqrt(variance + 1e-8);
  return { out: Float64Array.from(x as ArrayLike<number>, (v, i) => mask[i] * (v - mean) * scale), mean, variance, count: n };
}
