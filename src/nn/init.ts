// Seeded parameter initialisation. Each tensor draws from its own stream, seeded by the run seed
// and the tensor's name, so adding a head never changes another head's initial weights.

import type { Activation } from '../kernels/matmul';

export type Init =
  | { kind: 'zeros' }
  | { kind: 'uniform'; bound: number }
  | { kind: 'normal'; std: number };

/** Gain for variance-preserving init through an activation (PyTorch's calculate_gain; GELU as ReLU). */
export function activationGain(act: Activation): number {
  switch (act) {
    case 'relu': case 'gelu': return Math.SQRT2;
    case 'tanh': return 5 / 3;
    default: return 1;
  }
}

/** U(−b, b) with b = gain·√(3/fan_in): variance gain²/fan_in (He/LeCun uniform). */
export function fanInUniform(fanIn: number, act: Activation): Init {
  return { kind: 'uniform', bound: activationGain(act) * Math.sqrt(3 / fanIn) };
}

/** FNV-1a over the string, mixed with the seed. */
export function streamSeed(seed: number, name: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Mulberry32: small, fast, and statistically fine for initialisation. Returns [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function fillInit(out: Float32Array, init: Init, seed: number, name: string): void {
  if (init.kind === 'zeros') { out.fill(0); return; }
  const rand = mulberry32(streamSeed(seed, name));
  if (init.kind === 'uniform') {
    for (let i = 0; i < out.length; i++) out[i] = (2 * rand() - 1) * init.bound;
    return;
  }
  for (let i = 0; i < out.length; i += 2) {
    // Box–Muller: two normals per two uniforms.
    const u = 1 - rand(), v = rand();
    const r = Math.sqrt(-2 * Math.log(u)) * init.std;
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
}
