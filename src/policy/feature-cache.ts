// LRU cache for scores and features, bounded by bytes and keyed by a hash of the text (the texts
// themselves can be kilobytes of prompt; only their 106-bit hash is kept).

import { cyrb53 } from '../core/hash';

/** Hash of several text parts (joined unambiguously) as a short string key. */
export function textKey(...parts: string[]): string {
  const joined = parts.map((p) => `${p.length}:${p}`).join('\u0000');
  return `${cyrb53(joined, 1).toString(36)}.${cyrb53(joined, 2).toString(36)}`;
}

/** Rough per-entry bookkeeping cost (Map slot, key string, object header). */
const ENTRY_OVERHEAD = 96;

export class ByteLruCache<V> {
  private readonly map = new Map<string, { value: V; bytes: number }>();
  private used = 0;
  hits = 0;
  misses = 0;

  constructor(
    readonly maxBytes: number,
    private readonly sizeOf: (value: V) => number,
  ) {
    if (!(maxBytes > 0)) throw new RangeError(`cache size must be positive (got ${maxBytes})`);
  }

  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.map.size;
  }

  get(key: string): V | undefined {
    const e = this.map.get(key);
    if (!e) {
      this.misses++;
      return undefined;
    }
    // Re-insert to mark as most recently used (Map iterates in insertion order).
    this.map.delete(key);
    this.map.set(key, e);
    this.hits++;
    return e.value;
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  set(key: string, value: V): void {
    const bytes = this.sizeOf(value) + key.length * 2 + ENTRY_OVERHEAD;
    const old = this.map.get(key);
    if (old) {
      this.used -= old.bytes;
      this.map.delete(key);
    }
    // An entry larger than the whole budget is not cached at all rather than flushing everything.
    if (bytes > this.maxBytes) return;
    this.map.set(key, { value, bytes });
    this.used += bytes;
    for (const [k, e] of this.map) {
      if (this.used <= this.maxBytes) break;
      this.map.delete(k);
      this.used -= e.bytes;
    }
  }

  clear(): void {
    this.map.clear();
    this.used = 0;
  }
}
