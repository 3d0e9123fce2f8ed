// Seeded randomness for every environment's generator. Each draw site builds its own generator
// from a string key that names what is drawn, so adding a draw in one place never shifts the
// numbers drawn anywhere else, and generated content stays frozen for as long as the keys and the
// code consuming them do.
//
// Two algorithms live here because frozen content depends on them: household and virtualhome
// draw from mulberry32 (seeded by a hashed key), webshop from sfc32 (seeded by cyrb128). Changing
// which one an environment uses changes every task it generates, so that needs a version bump.

/** The murmur3 finaliser: spreads every input bit over the whole 32-bit word. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** 32-bit FNV-1a over the UTF-16 code units; `hash` continues an earlier digest. */
export function fnv1a(text: string, hash = 0x811c9dc5): number {
  let h = hash;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** FNV-1a finished with the murmur3 avalanche: a well-mixed 32-bit seed from a key. */
export function hashString(s: string): number {
  return fmix32(fnv1a(s));
}

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

/** mulberry32: one 32-bit word of state, period 2^32 — plenty for a scene or a task. */
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
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

/** cyrb128: four 32-bit words from a string, to seed sfc32's 128-bit state. */
function cyrb128(str: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < str.length; i++) {
    const k = str.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
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
    return (t >>> 0) / 4294967296;
  }
}

/**
 * xorshift32 as a bare function: the fuzz tests' and benchmarks' action streams, where a cheap
 * reproducible stream matters and nothing is frozen. A zero seed would stick at zero, so it becomes 1.
 */
export function xorshift32(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}
