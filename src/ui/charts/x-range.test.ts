import { describe, expect, it } from 'vitest';
import { xRange } from './x-range';

describe('line chart x range', () => {
  it('gives a lone iteration one unit, not uPlot’s 0…100', () => {
    expect(xRange(0, 0, null, null, true)).toEqual([0, 1]);
    expect(xRange(3, 3, null, null, true)).toEqual([3, 4]);
  });

  it('covers the configured iterations and any data beyond them', () => {
    expect(xRange(0, 1, 0, 5, true)).toEqual([0, 5]);
    expect(xRange(0, 7, 0, 5, true)).toEqual([0, 7]);
    expect(xRange(2, 4, 0, null, true)).toEqual([0, 4]);
  });

  it('keeps whole-number ends on a counted axis and fractional ones otherwise', () => {
    expect(xRange(0.2, 2.5, null, null, true)).toEqual([0, 3]);
    expect(xRange(0, 1, null, null, false)).toEqual([0, 1]);
    const [a, b] = xRange(0.5, 0.5, null, null, false);
    expect(a).toBeLessThan(0.5);
    expect(b).toBeGreaterThan(0.5);
  });

  it('falls back to the hints, or 0…1, without data', () => {
    expect(xRange(null, null, 0, 4, true)).toEqual([0, 4]);
    expect(xRange(null, null, null, null, true)).toEqual([0, 1]);
  });
});
