// One Gpu per test file, acquired lazily. A missing adapter is a failure with the typed error's
// message, never a skip: a WebGPU suite that silently skips is a suite that tests nothing.

import { xorshift32Words } from '../core/random';
import { Gpu } from './runtime';

let shared: Promise<Gpu> | undefined;

export function testGpu(): Promise<Gpu> {
  shared ??= Gpu.create();
  return shared;
}

/** Seeded uniform floats in [lo, hi), for reproducible kernel cases. */
export function seededFloats(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  // xorshift32: fast, deterministic, and good enough for test inputs; the top 24 bits fill a float's mantissa.
  const words = xorshift32Words(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + ((words() >>> 8) / 16777216) * (hi - lo);
  return out;
}
