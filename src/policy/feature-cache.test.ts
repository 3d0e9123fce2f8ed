import { describe, expect, it } from 'vitest';
import { ByteLruCache, textKey } from './feature-cache';

describe('ByteLruCache', () => {
  const sizeOf = (v: Float32Array) => v.byteLength;

  it('evicts least recently used entries to stay under its byte budget', () => {
    const cache = new ByteLruCache<Float32Array>(4000, sizeOf);
    for (let i = 0; i < 10; i++) cache.set(`k${i}`, new Float32Array(200)); // ~900 bytes each with overhead
    expect(cache.bytes).toBeLessThanOrEqual(4000);
    expect(cache.size).toBe(4);
    expect(cache.has('k0')).toBe(false);
    expect(cache.has('k9')).toBe(true);
    // Touching k6 makes k7 the oldest.
    expect(cache.get('k6')).toBeDefined();
    cache.set('k10', new Float32Array(200));
    expect(cache.has('k6')).toBe(true);
    expect(cache.has('k7')).toBe(false);
    expect(cache.hits).toBe(1);
    expect(cache.get('nope')).toBeUndefined();
    expect(cache.misses).toBe(1);
  });

  it('replaces entries in place and refuses values larger than the budget', () => {
    const cache = new ByteLruCache<Float32Array>(2000, sizeOf);
    cache.set('a', new Float32Array(100));
    const before = cache.bytes;
    cache.set('a', new Float32Array(100));
    expect(cache.bytes).toBe(before);
    cache.set('big', new Float32Array(1000));
    expect(cache.has('big')).toBe(false);
    expect(cache.has('a')).toBe(true);
    expect(() => new ByteLruCache(0, sizeOf)).toThrow(/positive/);
  });

  it('keys texts by a hash that separates the parts unambiguously', () => {
    expect(textKey('ab', 'c')).not.toBe(textKey('a', 'bc'));
    expect(textKey('context', 'go to desk 1')).toBe(textKey('context', 'go to desk 1'));
    expect(textKey('context', 'go to desk 1')).not.toBe(textKey('context', 'go to desk 10'));
    expect(textKey('x'.repeat(10000)).length).toBeLessThan(30);
  });
});
