// The arithmetic between the model's outputs and the scores/features the policy uses.

import { fmix32 } from '../core/hash';

/** log p(target) from one row of logits, accumulated in float64. */
export function logProbAt(logits: Float32Array, offset: number, vocab: number, target: number): number {
  let max = -Infinity;
  for (let i = 0; i < vocab; i++) {
    const v = logits[offset + i];
    if (v > max) max = v;
  }
  let z = 0;
  for (let i = 0; i < vocab; i++) z += Math.exp(logits[offset + i] - max);
  return logits[offset + target] - max - Math.log(z);
}

/** Adds row `offset` of `src` (length n) times `scale` into `acc`. */
export function accumulate(acc: Float64Array, src: Float32Array, offset: number, scale = 1): void {
  for (let i = 0; i < acc.length; i++) acc[i] += src[offset + i] * scale;
}

export function toFloat32(v: Float64Array): Float32Array {
  return Float32Array.from(v);
}

interface Sketch {
  bucket: Int32Array;
  sign: Float32Array;
}

const sketches = new Map<string, Sketch>();

/** splitmix-style 32-bit mixing of (id, seed), so the sketch is the same on every machine. */
function mix(id: number, seed: number): number {
  return fmix32((Math.imul(id, 0x9e3779b1) ^ seed) >>> 0);
}

function sketchFor(vocab: number, dim: number, seed: number): Sketch {
  const key = `${vocab}:${dim}:${seed}`;
  let s = sketches.get(key);
  if (!s) {
    const bucket = new Int32Array(vocab);
    const sign = new Float32Array(vocab);
    for (let v = 0; v < vocab; v++) {
      const h = mix(v, seed);
      bucket[v] = h % dim;
      sign[v] = (mix(v, seed ^ 0x5bd1e995) & 1) === 0 ? 1 : -1;
    }
    s = { bucket, sign };
    sketches.set(key, s);
  }
  return s;
}

/**
 * A fixed, seeded projection of a logit vector to `dim` values (a count sketch: each vocabulary
 * entry adds ±its centred logit to one bucket). It stands in for hidden states when the graph does
 * not export them; O(vocab), unlike a dense random projection which would cost vocab × dim.
 * The mean is removed first, so the features do not depend on the logits' arbitrary offset.
 */
export function logitSketch(logits: Float64Array | Float32Array, dim: number, seed: number): Float32Array {
  const vocab = logits.length;
  const { bucket, sign } = sketchFor(vocab, dim, seed);
  let mean = 0;
  for (let i = 0; i < vocab; i++) mean += logits[i];
  mean /= vocab;
  const out = new Float64Array(dim);
  for (let i = 0; i < vocab; i++) out[bucket[i]] += sign[i] * (logits[i] - mean);
  // Each bucket sums about vocab/dim terms; rescale so feature magnitudes do not grow with vocab.
  const scale = Math.sqrt(dim / vocab);
  const f = new Float32Array(dim);
  for (let j = 0; j < dim; j++) f[j] = out[j] * scale;
  return f;
}
