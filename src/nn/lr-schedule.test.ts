import { describe, expect, it } from 'vitest';
import { learningRateAt, type LrSchedule } from './lr-schedule';

describe('learning-rate schedule (warmup + cosine)', () => {
  const s: LrSchedule = { peak: 1e-3, warmupSteps: 4, totalSteps: 14, floor: 1e-4 };

  it('warms up linearly from peak/W to the peak', () => {
    expect([0, 1, 2, 3].map((k) => learningRateAt(k, s))).toEqual([0.25e-3, 0.5e-3, 0.75e-3, 1e-3].map((v) => expect.closeTo(v, 15)));
  });

  it('decays along a half cosine from the peak to the floor at the last step', () => {
    expect(learningRateAt(4, s)).toBeCloseTo(1e-3, 15);
    // 9 decay intervals from step 4 to step 13: the midpoint t = 1/2 is between steps 8 and 9.
    const mid = 1e-4 + 0.9e-3 * 0.5 * (1 + Math.cos(Math.PI * (4 / 9)));
    expect(learningRateAt(8, s)).toBeCloseTo(mid, 15);
    expect(learningRateAt(13, s)).toBeCloseTo(1e-4, 15);
    expect(learningRateAt(40, s)).toBeCloseTo(1e-4, 15);
    for (let k = 4; k < 13; k++) expect(learningRateAt(k + 1, s)).toBeLessThan(learningRateAt(k, s));
  });

  it('without warmup starts at the peak; a one-step run trains at the peak', () => {
    expect(learningRateAt(0, { peak: 2e-3, warmupSteps: 0, totalSteps: 10 })).toBe(2e-3);
    expect(learningRateAt(9, { peak: 2e-3, warmupSteps: 0, totalSteps: 10 })).toBeCloseTo(0, 15);
    expect(learningRateAt(0, { peak: 2e-3, warmupSteps: 0, totalSteps: 1 })).toBe(2e-3);
    expect(learningRateAt(0, { peak: 2e-3, warmupSteps: 1, totalSteps: 1 })).toBe(2e-3);
  });

  it('refuses nonsense', () => {
    expect(() => learningRateAt(0, { ...s, warmupSteps: 20 })).toThrow(RangeError);
    expect(() => learningRateAt(0, { ...s, floor: 1 })).toThrow(RangeError);
    expect(() => learningRateAt(-1, s)).toThrow(RangeError);
    expect(() => learningRateAt(0, { ...s, totalSteps: 0 })).toThrow(RangeError);
  });
});
