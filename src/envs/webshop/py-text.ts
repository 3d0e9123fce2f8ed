// Python string and number semantics that WebShop's reward depends on. JavaScript differs from
// CPython in small ways (which characters `strip()` removes, how `round()` breaks ties, how a
// float prints), and each difference can flip a threshold or change a transcript, so the few
// operations the port needs are spelled out here once.

/** Characters for which CPython's `str.isspace()` is true (what `strip()`/`split()` remove). */
const PY_WHITESPACE = new Set<number>([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680,
  0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a,
  0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

/** `str.strip()` with no argument. (JS `trim()` also strips U+FEFF and keeps U+001C–U+001F.) */
export function pyStrip(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && PY_WHITESPACE.has(s.charCodeAt(start))) start++;
  while (end > start && PY_WHITESPACE.has(s.charCodeAt(end - 1))) end--;
  return s.slice(start, end);
}

/** `str.split()` with no argument: runs of whitespace separate, no empty pieces. */
export function pySplitWhitespace(s: string): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i < s.length; i++) {
    if (PY_WHITESPACE.has(s.charCodeAt(i))) {
      if (start >= 0) {
        out.push(s.slice(start, i));
        start = -1;
      }
    } else if (start < 0) {
      start = i;
    }
  }
  if (start >= 0) out.push(s.slice(start));
  return out;
}

/** Python compares strings by code point; JS `<` compares UTF-16 code units. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Only surrogates (0xD800–0xDFFF) sort differently: as code points they stand for values
    // above every BMP character.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** Python 3 `round(x)` for a float: ties go to the even integer. */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor; // exact for the magnitudes used here
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** `str(x)` for a Python float: integral values keep a ".0" (100.0, not 100). */
export function pyFloatStr(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return x.toFixed(1);
  return String(x);
}

/**
 * Python's `'{:.2f}'.format(x)`. Both round the exact binary value; they differ only on exact
 * ties, which for two decimals are the odd multiples of 1/8 (0.125, 0.625, ...): Python keeps
 * the even digit, `toFixed` rounds up.
 */
export function pyFixed2(x: number): string {
  const a = Math.abs(x);
  const eighths = a * 8; // exact: scaling by a power of two
  if (Number.isInteger(eighths) && eighths % 2 === 1) {
    const cents = roundHalfEven(a * 100); // a*100 is exact here (k/8 * 100 = 12.5k)
    const s = (cents / 100).toFixed(2);
    return x < 0 ? `-${s}` : s;
  }
  return x.toFixed(2);
}
