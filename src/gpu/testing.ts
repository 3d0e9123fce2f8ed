// One Gpu per test file, acquired lazily. A missing adapter is a failure with the typed error's
// message, never a skip: a WebGPU suite that silently skips is a suite that tests nothing.

import { Gpu } from './runtime';

let shared: Promise<Gpu> | undefined;

export function testGpu(): Promise<Gpu> {
  shared ??= Gpu.create();
  return shared;
}

/** Seeded uniform floats in [lo, hi), for reproducible kernel cases. */
export function seededFloats(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    // xorshift32: fast, deterministic, and good enough for test inputs.
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    out[i] = lo + ((s >>> 8) / 16777216) * (hi - lo);
  }
  return out;
}
