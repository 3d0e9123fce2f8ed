import { describe, expect, it } from 'vitest';
import { FNV1A_BASIS, cyrb128, cyrb53, fmix32, fnv1a, hashString } from './hash';

// Published test vectors where they exist (FNV-1a, murmur3's finaliser); the rest pin the values
// the environments' frozen content was generated with.
describe('hash', () => {
  it('fnv1a matches the published 32-bit test vectors and continues a digest', () => {
    expect(fnv1a('')).toBe(FNV1A_BASIS);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('abc')).toBe(0x1a47e90b);
    expect(fnv1a('bc', fnv1a('a'))).toBe(fnv1a('abc'));
    // nn's per-tensor streams start from a basis mixed with the run seed.
    expect(fnv1a('value.layers.0.weight', (FNV1A_BASIS ^ 42) >>> 0)).toBe(1997569472);
  });

  it('fmix32 is the murmur3 finaliser: 0 stays 0, every result is an unsigned 32-bit word', () => {
    expect(fmix32(0)).toBe(0);
    expect(fmix32(1)).toBe(0x514e28b7);
    expect(fmix32(0xdeadbeef)).toBe(233162409);
    expect(fmix32(-1)).toBe(fmix32(0xffffffff));
    for (let i = 0; i < 100; i++) {
      const h = fmix32(i * 7919);
      expect(Number.isInteger(h) && h >= 0 && h < 2 ** 32).toBe(true);
    }
  });

  it('hashString and cyrb128 reproduce their frozen values', () => {
    expect(hashString('k')).toBe(2144823071);
    expect(hashString('k')).toBe(fmix32(fnv1a('k')));
    expect(cyrb128('k')).toEqual([1801969944, 3768837365, 3417144872, 3758833397]);
    expect(cyrb128('k')).not.toEqual(cyrb128('K'));
  });

  it('cyrb53 matches its author\'s published values, stays a safe integer, and the seed changes it', () => {
    expect(['a', 'b', 'revenge', 'revenue'].map((t) => cyrb53(t))).toEqual([7929297801672961, 8684336938537663, 4051478007546757, 8309097637345594]);
    expect(Number.isSafeInteger(cyrb53('x'.repeat(1000), 7))).toBe(true);
    expect(cyrb53('a', 1)).not.toBe(cyrb53('a', 2));
  });
});
