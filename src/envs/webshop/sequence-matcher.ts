// The match count of CPython's difflib.SequenceMatcher (Ratcliff/Obershelp), which thefuzz 0.19
// uses for `ratio` when python-Levenshtein is absent, as in WebShop's requirements.txt. It is not
// an edit distance: it repeatedly takes the longest common block and recurses on both sides, so
// it can count fewer matches than the longest common subsequence. Sequences are arrays of code
// points because Python indexes strings by code point.
//
// Only the behaviour reachable from `SequenceMatcher(None, a, b).ratio()` is ported: no junk
// function, and autojunk on (elements of b that occur more than 1% + 1 times are "popular" and
// are not used to seed matches when len(b) >= 200).

export function toCodePoints(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) out.push(ch.codePointAt(0) as number);
  return out;
}

/** Sum of the sizes of difflib's matching blocks between a and b. */
export function matchingCharacters(a: readonly number[], b: readonly number[]): number {
  const lb = b.length;
  const b2j = new Map<number, number[]>();
  for (let j = 0; j < lb; j++) {
    const elt = b[j];
    const idx = b2j.get(elt);
    if (idx) idx.push(j);
    else b2j.set(elt, [j]);
  }
  if (lb >= 200) {
    const ntest = Math.floor(lb / 100) + 1;
    for (const [elt, idx] of [...b2j]) if (idx.length > ntest) b2j.delete(elt);
  }

  let total = 0;
  // difflib keeps an explicit stack; the order of visits does not change the total.
  const queue: Array<[number, number, number, number]> = [[0, a.length, 0, lb]];
  while (queue.length > 0) {
    const [alo, ahi, blo, bhi] = queue.pop() as [number, number, number, number];
    const [i, j, k] = longestMatch(a, b, b2j, alo, ahi, blo, bhi);
    if (k > 0) {
      total += k;
      if (alo < i && blo < j) queue.push([alo, i, blo, j]);
      if (i + k < ahi && j + k < bhi) queue.push([i + k, ahi, j + k, bhi]);
    }
  }
  return total;
}

function longestMatch(
  a: readonly number[],
  b: readonly number[],
  b2j: Map<number, number[]>,
  alo: number,
  ahi: number,
  blo: number,
  bhi: number,
): [number, number, number] {
  let besti = alo;
  let bestj = blo;
  let bestsize = 0;
  // j2len[j] = length of the longest match ending at a[i-1], b[j] (previous row only).
  let j2len = new Map<number, number>();
  for (let i = alo; i < ahi; i++) {
    const next = new Map<number, number>();
    const js = b2j.get(a[i]);
    if (js) {
      for (const j of js) {
        if (j < blo) continue;
        if (j >= bhi) break;
        const k = (j2len.get(j - 1) ?? 0) + 1;
        next.set(j, k);
        if (k > bestsize) {
          besti = i - k + 1;
          bestj = j - k + 1;
          bestsize = k;
        }
      }
    }
    j2len = next;
  }
  // Extend over equal elements that were left out of b2j as "popular". With no junk function
  // these two loops are the only extension difflib performs.
  while (besti > alo && bestj > blo && a[besti - 1] === b[bestj - 1]) {
    besti--;
    bestj--;
    bestsize++;
  }
  while (besti + bestsize < ahi && bestj + bestsize < bhi && a[besti + bestsize] === b[bestj + bestsize]) {
    bestsize++;
  }
  return [besti, bestj, bestsize];
}

/** difflib's `SequenceMatcher(None, a, b).ratio()`: 2·M / (len(a) + len(b)), 1.0 for two empties. */
export function sequenceRatio(a: readonly number[], b: readonly number[]): number {
  const length = a.length + b.length;
  if (length === 0) return 1.0;
  return (2.0 * matchingCharacters(a, b)) / length;
}
