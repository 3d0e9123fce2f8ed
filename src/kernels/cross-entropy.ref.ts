// Float64 reference of the softmax cross-entropy over the vocabulary (shaders/cross-entropy.wgsl).

export function crossEntropyRef(logits: ArrayLike<number>, targets: ArrayLike<number>, vocab: number): { nll: Float64Array; lse: Float64Array; correct: Float64Array } {
  const rows = targets.length;
  const nll = new Float64Array(rows), lse = new Float64Array(rows), correct = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let m = -Infinity, arg = -1;
    for (let v = 0; v < vocab; v++) if (logits[r * vocab + v] > m) { m = logits[r * vocab + v]; arg = v; }
    let z = 0;
    for (let v = 0; v < vocab; v++) z += Math.exp(logits[r * vocab + v] - m);
    lse[r] = m + Math.log(z);
    nll[r] = lse[r] - logits[r * vocab + targets[r]];
    correct[r] = arg === targets[r] ? 1 : 0;
  }
  return { nll, lse, correct };
}

/** ∂(scale·Σ nll)/∂logits. */
export function crossEntropyGradRef(logits: ArrayLike<number>, targets: ArrayLike<number>, vocab: number, scale: number): Float64Array {
  const { lse } = crossEntropyRef(logits, targets, vocab);
  const out = new Float64Array(targets.length * vocab);
  for (let r = 0; r < targets.length; r++) {
    for (let v = 0; v < vocab; v++) out[r * vocab + v] = scale * (Math.exp(logits[r * vocab + v] - lse[r]) - (v === targets[r] ? 1 : 0));
  }
  return out;
}
