// The x scale's range for the lab's line charts, apart from the chart element so it is testable
// without a DOM.

/**
 * The x scale's range: the data's [lo, hi] widened to the hints, never empty. On a counted axis
 * the ends are whole numbers and a lone value spans one unit (iteration 0 shows as 0…1, not 0…100).
 */
export function xRange(lo: number | null, hi: number | null, min: number | null, max: number | null, integer: boolean): [number, number] {
  const finite = (v: number | null): v is number => v !== null && Number.isFinite(v);
  let a = finite(lo) ? lo : finite(min) ? min : 0;
  let b = finite(hi) ? hi : finite(max) ? max : a;
  if (finite(min)) a = Math.min(a, min);
  if (finite(max)) b = Math.max(b, max);
  if (integer) { a = Math.floor(a); b = Math.ceil(b); }
  if (b <= a) {
    if (integer) b = a + 1;
    else { const pad = Math.abs(a) > 0 ? Math.abs(a) * 0.1 : 0.5; a -= pad; b += pad; }
  }
  return [a, b];
}
