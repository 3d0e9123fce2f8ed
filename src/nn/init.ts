// Seeded parameter initialisation. Each tensor draws from its own stream, seeded by the run seed
// and the tensor's name, so adding a head never changes another head's initial weights.

import { FNV1A_BASIS, fnv1a } from '../core/hash';
import { boxMuller, mulberry32 } from '../core/random';
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

/** FNV-1a over the name, from a basis mixed with the seed. */
export function streamSeed(seed: number, name: string): number {
  return fnv1a(name, (FNV1A_BASIS ^ seed) >>> 0);
}

export function fillInit(out: Float32Array, init: Init, seed: number, name: string): void {
  if (init.kind === 'zeros') { out.fill(0); return; }
  const rand = mulberry32(streamSeed(seed, name));
  if (init.kind === 'uniform') {
    for (let i = 0; i < out.length; i++) out[i] = (2 * rand() - 1) * init.bound;
    return;
  }
  for (let i = 0; i < out.length; i += 2) {
    const [a, b] = boxMuller(rand, init.std);
    out[i] = a;
    if (i + 1 < out.length) out[i + 1] = b;
  }
}
