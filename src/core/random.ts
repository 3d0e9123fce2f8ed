// Seeded randomness for every layer, written once. Each draw site builds its own generator from
// a seed or a string key that names what is drawn, so adding a draw in one place never shifts the
// numbers drawn anywhere else.
//
// Several algorithms live here because frozen content depends on each of them: household and
// virtualhome tasks and the nn initial weights draw from mulberry32, webshop from sfc32 (seeded by
// cyrb128), the bundled decoder's weights from splitmix32, and the fuzz tests, benchmarks and
// kernel cases from xorshift32. Changing which one a user draws from changes what it generates,
// so that needs a version bump there.

import { cyrb128, fmix32, hashString } from './hash';

const TWO_POW_32 = 4294967296;

/** The draws every generator offers, all built on `next()`. */
export abstract class SeededRng {
  /** Uniform in [0, 1). */
  abstract next(): number;

  /** Integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('SeededRng.pick on an empty list');
    return items[Math.floor(this.next() * items.length)];
  }

  /** Index drawn in proportion to the weights. */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let x = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i];
      if (x < 0) return i;
    }
    return weights.length - 1;
  }

  /** A shuffled copy (Fisher–Yates from the back); `items` is left as it was. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = out[i];
      out[i] = out[j];
      out[j] = t;
    }
    return out;
  }

  /** k distinct items, in the order drawn. */
  sample<T>(items: readonly T[], k: number): T[] {
    return this.shuffle(items).slice(0, Math.min(k, items.length));
  }

  /** k distinct items, kept in their original order. */
  subset<T>(items: readonly T[], k: number): T[] {
    const chosen = new Set(this.sample(items.map((_, i) => i), k));
    return items.filter((_, i) => chosen.has(i));
  }
}

/** mulberry32: one 32-bit word of state, period 2^32 — plenty for a scene, a task or a tensor. */
export class Mulberry32 extends SeededRng {
  private s: number;

  constructor(seed: number) {
    super();
    this.s = seed >>> 0;
  }

  /** Seeded from `hashString(key)`. */
  static of(key: string): Mulberry32 {
    return new Mulberry32(hashString(key));
  }

  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / TWO_POW_32;
  }
}

/** mulberry32 as a bare function returning floats in [0, 1), for hot loops that want no object. */
export function mulberry32(seed: number): () => number {
  const rng = new Mulberry32(seed);
  return () => rng.next();
}

/** sfc32 with 128 bits of state, seeded through cyrb128 and warmed up by 12 draws. */
export class Sfc32 extends SeededRng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  private constructor(seed: readonly [number, number, number, number]) {
    super();
    [this.a, this.b, this.c, this.d] = seed;
    for (let i = 0; i < 12; i++) this.next();
  }

  static of(key: string): Sfc32 {
    return new Sfc32(cyrb128(key));
  }

  next(): number {
    this.a >>>= 0;
    this.b >>>= 0;
    this.c >>>= 0;
    this.d >>>= 0;
    let t = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    t = (t + this.d) | 0;
    this.c = (this.c + t) | 0;
    return (t >>> 0) / TWO_POW_32;
  }
}

/**
 * xorshift32's raw 32-bit words. A zero seed would stick at zero (its fixed point), so it becomes 1.
 * For cheap reproducible streams where nothing is frozen: fuzz actions, benchmark and kernel inputs.
 */
export function xorshift32Words(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/** xorshift32 as floats in [0, 1). */
export function xorshift32(seed: number): () => number {
  const words = xorshift32Words(seed);
  return () => words() / TWO_POW_32;
}

/** splitmix32's 32-bit words: a Weyl sequence (golden-ratio step) finished by the murmur3 finaliser. */
export function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    return fmix32(state);
  };
}

/** Floats in [0, 1) from a stream of 32-bit words. */
export function unitFloats(words: () => number): () => number {
  return () => words() / TWO_POW_32;
}

/**
 * Box–Muller: two independent normals N(0, scale²) from two uniforms drawn in this order. `1 − u`
 * keeps the log's argument in (0, 1]. The radius is scaled before the angle is applied, so callers
 * that scale get the very bits they always got.
 */
export function boxMuller(uniform: () => number, scale = 1): [number, number] {
  const u = 1 - uniform();
  const v = uniform();
  const r = Math.sqrt(-2 * Math.log(u)) * scale;
  return [r * Math.cos(2 * Math.PI * v), r * Math.sin(2 * Math.PI * v)];
}

/** Standard normals, one per call: Box–Muller, with the second value of each pair kept for the next call. */
export function normals(uniform: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    const [a, b] = boxMuller(uniform);
    spare = b;
    return a;
  };
}
