import { describe, expect, it } from 'vitest';
import cases from './fixtures/thefuzz-cases.json' with { type: 'json' };
import { compareCodePoints, pyFixed2, pyFloatStr, pyStrip, roundHalfEven } from './py-text';
import { matchingCharacters, toCodePoints } from './sequence-matcher';
import { fullProcess, ratio, tokenSetRatio } from './thefuzz';

describe('python text semantics', () => {
  it('rounds halves to even like Python 3 round()', () => {
    expect([0.5, 1.5, 2.5, 12.5, 87.5, 88.5, 2.4999, 2.5001].map(roundHalfEven)).toEqual([0, 2, 2, 12, 88, 88, 2, 3]);
  });
  it('strips the characters Python strips, not the ones JS trims', () => {
    expect(pyStrip('\x1c\x1f red \x85')).toBe('red');
    expect(pyStrip('\ufeffred')).toBe('\ufeffred');
  });
  it('sorts by code point', () => {
    const s = ['\uffff', '\u{1F600}', 'a'];
    s.sort(compareCodePoints);
    expect(s).toEqual(['a', '\uffff', '\u{1F600}']);
  });
  it('prints floats and two-decimal prices like Python', () => {
    expect(pyFloatStr(100)).toBe('100.0');
    expect(pyFloatStr(12.99)).toBe('12.99');
    expect(pyFixed2(40)).toBe('40.00');
    expect(pyFixed2(0.125)).toBe('0.12');
    expect(pyFixed2(0.375)).toBe('0.38');
    expect(pyFixed2(2.675)).toBe('2.67'); // 2.675 is really 2.67499999...
  });
});

describe('difflib matching blocks (worked by hand)', () => {
  const m = (a: string, b: string) => matchingCharacters(toCodePoints(a), toCodePoints(b));
  it('takes the longest block first, then recurses on both sides', () => {
    // "abxcd" vs "abcd": blocks "ab" and "cd" (difflib's own docstring example).
    expect(m('abxcd', 'abcd')).toBe(4);
    // "dark" vs "red": the first longest block is "d" (a[0], b[2]); nothing is left on either
    // side of it that can pair up, so only 1 match although "r" also occurs in both.
    expect(m('dark', 'red')).toBe(1);
  });
  it('can count fewer matches than the longest common subsequence', () => {
    // "aba" vs "bca": the first longest block is a[0]="a" with b[2]; to its left b has nothing,
    // to its right b has nothing, so M = 1 although the LCS "ba" has length 2. difflib's ratio is
    // 2/6 -> 33, an edit-distance ratio (fuzzball, python-Levenshtein) would give 4/6 -> 67.
    expect(m('aba', 'bca')).toBe(1);
    expect(ratio('aba', 'bca')).toBe(33);
  });
});

describe('thefuzz 0.19 token_set_ratio', () => {
  it('matches the worked examples', () => {
    // {machine, wash} vs {machine, washable}: ratio("machine wash", "machine washable")
    // = 2·12/28 = 85.71 -> 86, the largest of the three candidate ratios.
    expect(tokenSetRatio('machine wash', 'machine washable')).toBe(86);
    // Disjoint single tokens: only the third ratio counts: 2·17/40 = 85 exactly (not > 85).
    expect(tokenSetRatio('abcdefghijklmnopq', 'abcdefghijklmnopqrstuvw')).toBe(85);
    // 2·18/41 = 87.8 -> 88.
    expect(tokenSetRatio('abcdefghijklmnopqr', 'abcdefghijklmnopqrstuvw')).toBe(88);
    // Subset: sorted intersection equals one combined string -> 100.
    expect(tokenSetRatio('cool powder snow', 'powder snow')).toBe(100);
    // "pack of 2" vs "pack of 3": sect "of pack" (7) vs "of pack 2" (9): 2·7/16 = 87.5 -> 88
    // (half to even); "of pack 2" vs "of pack 3": 2·8/18 = 88.9 -> 89. Max 89.
    expect(tokenSetRatio('pack of 2', 'pack of 3')).toBe(89);
    // Nothing alphanumeric left after processing -> 0.
    expect(tokenSetRatio('!!!', 'abc')).toBe(0);
    // force_ascii drops U+0080–U+00FF only: "café" -> "caf".
    expect(fullProcess('Café Crème')).toBe('caf crme');
    expect(fullProcess('x_y—z')).toBe('x_y z');
  });

  it('agrees with the real thefuzz 0.19.0 on CPython difflib (generated fixture)', () => {
    expect(cases.generator).toMatch(/^thefuzz 0\.19\.0 on CPython difflib/);
    const tsr = cases.token_set_ratio as Array<[string, string, number]>;
    const raw = cases.ratio as Array<[string, string, number]>;
    expect(tsr.length).toBeGreaterThan(400);
    expect(raw.length).toBeGreaterThan(200);
    const wrongTsr = tsr.filter(([a, b, want]) => tokenSetRatio(a, b) !== want);
    const wrongRatio = raw.filter(([a, b, want]) => ratio(a, b) !== want);
    expect(wrongTsr).toEqual([]);
    expect(wrongRatio).toEqual([]);
    // The fixture must exercise autojunk (len(b) >= 200) and astral characters.
    expect(raw.some(([, b]) => b.length >= 200)).toBe(true);
    expect(raw.some(([a]) => /\u{1F600}/u.test(a))).toBe(true);
  });
});
