// thefuzz 0.19.0's `fuzz.ratio` and `fuzz.token_set_ratio`, as WebShop's reward calls them.
//
// Why a port instead of fuzzball: WebShop pins thefuzz==0.19.0 without python-Levenshtein, so
// `ratio` runs on difflib's SequenceMatcher (longest-block matching). fuzzball scores with an
// indel edit distance, like thefuzz with the [speedup] extra or thefuzz >= 0.20 (rapidfuzz).
// The two agree on most short strings but not all, and its default preprocessing differs too
// (thefuzz removes only U+0080–U+00FF under force_ascii and keeps "_"). A 85-point threshold
// sits right where such differences flip a match, so the reward uses this port. The pinned cases
// in thefuzz.test.ts were computed by the real thefuzz 0.19.0 on CPython's difflib.

import { compareCodePoints, pySplitWhitespace, pyStrip, roundHalfEven } from './py-text';
import { sequenceRatio, toCodePoints } from './sequence-matcher';

const LATIN1_HIGH = /[\u0080-\u00ff]/g;
// Python's `(?u)\W`: anything that is not a letter, a number or "_".
const NON_WORD = /[^\p{L}\p{N}_]/gu;

/** `utils.full_process(s, force_ascii)`. */
export function fullProcess(s: string, forceAscii = true): string {
  const ascii = forceAscii ? s.replace(LATIN1_HIGH, '') : s;
  return pyStrip(ascii.replace(NON_WORD, ' ').toLowerCase());
}

/** `fuzz.ratio(s1, s2)`: no preprocessing, 0–100. */
export function ratio(s1: string, s2: string): number {
  if (s1 === s2) return 100;
  if (s1.length === 0 || s2.length === 0) return 0;
  return roundHalfEven(100 * sequenceRatio(toCodePoints(s1), toCodePoints(s2)));
}

/** `fuzz.token_set_ratio(s1, s2)` with its defaults (force_ascii=True, full_process=True). */
export function tokenSetRatio(s1: string, s2: string): number {
  const p1 = fullProcess(s1);
  const p2 = fullProcess(s2);
  if (p1.length === 0 || p2.length === 0) return 0;

  const tokens1 = new Set(pySplitWhitespace(p1));
  const tokens2 = new Set(pySplitWhitespace(p2));
  const intersection: string[] = [];
  const diff1to2: string[] = [];
  const diff2to1: string[] = [];
  for (const t of tokens1) (tokens2.has(t) ? intersection : diff1to2).push(t);
  for (const t of tokens2) if (!tokens1.has(t)) diff2to1.push(t);
  intersection.sort(compareCodePoints);
  diff1to2.sort(compareCodePoints);
  diff2to1.sort(compareCodePoints);

  const sortedSect = intersection.join(' ');
  // thefuzz joins with a space even when a side is empty, then strips.
  const combined1to2 = pyStrip(`${sortedSect} ${diff1to2.join(' ')}`);
  const combined2to1 = pyStrip(`${sortedSect} ${diff2to1.join(' ')}`);
  const sect = pyStrip(sortedSect);
  return Math.max(ratio(sect, combined1to2), ratio(sect, combined2to1), ratio(combined1to2, combined2to1));
}
