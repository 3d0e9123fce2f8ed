// Seeded random weights in the standard layout: the bundled model's placeholder until SFT
// writes trained weights through the same writer, and the fixture for writer tests.

import { normals, splitmix32, unitFloats } from '../core/random';
import { type DecoderArch, type DecoderWeights, expectedParameters } from './decoder-arch';

export interface InitOptions {
  seed: number;
  /** Standard deviation of matrices and embeddings (GPT-2 uses 0.02). */
  std?: number;
  /** Norm gains are 1 + jitter·N(0,1); 0 gives exact ones, tests use jitter to catch mix-ups. */
  normJitter?: number;
}

export function initDecoderWeights(arch: DecoderArch, options: InitOptions): DecoderWeights {
  const std = options.std ?? 0.02;
  const jitter = options.normJitter ?? 0;
  const weights: DecoderWeights = {};
  expectedParameters(arch).forEach(({ name, shape }, index) => {
    // One stream per tensor, so adding a tensor to the architecture does not reshuffle the others.
    const normal = normals(unitFloats(splitmix32((options.seed * 7919 + index * 104729) >>> 0)));
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    const isNorm = name.endsWith('layernorm.weight') || name === 'model.norm.weight';
    for (let i = 0; i < size; i++) data[i] = isNorm ? 1 + jitter * normal() : std * normal();
    weights[name] = { shape: [...shape], data };
  });
  return weights;
}
