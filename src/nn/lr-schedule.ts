// The learning-rate schedule of a training run: linear warmup to the peak, then a half cosine
// down to a floor at the last step. A pure function of the step, so a resumed run continues the
// same curve from its checkpoint's step count.

export interface LrSchedule {
  /** The learning rate at the end of warmup. */
  peak: number;
  /** Steps of linear warmup (0: start at the peak). */
  warmupSteps: number;
  /** Steps of the whole run; the cosine reaches `floor` at step totalSteps − 1. */
  totalSteps: number;
  /** The learning rate the cosine decays to (default 0). */
  floor?: number;
}

export function validateLrSchedule(s: LrSchedule): void {
  const bad = (what: string, v: unknown) => { throw new RangeError(`LR schedule: ${what} (got ${String(v)})`); };
  if (!(s.peak >= 0 && Number.isFinite(s.peak))) bad('peak must be a finite number ≥ 0', s.peak);
  if (!Number.isInteger(s.totalSteps) || s.totalSteps <= 0) bad('totalSteps must be a positive integer', s.totalSteps);
  if (!Number.isInteger(s.warmupSteps) || s.warmupSteps < 0 || s.warmupSteps > s.totalSteps) bad(`warmupSteps must be an integer in [0, ${s.totalSteps}]`, s.warmupSteps);
  const floor = s.floor ?? 0;
  if (!(floor >= 0 && floor <= s.peak)) bad(`floor must be in [0, peak = ${s.peak}]`, floor);
}

/**
 * The learning rate of step `step` (0-based): warmup steps 0 … W−1 climb linearly to peak·W/W
 * (step W−1 trains at the peak, step 0 at peak/W, never at zero); the remaining steps follow
 * floor + (peak − floor)·(1 + cos(π·t))/2 with t going from 0 at step W to 1 at the last step.
 * Steps past the end stay at the floor.
 */
export function learningRateAt(step: number, s: LrSchedule): number {
  validateLrSchedule(s);
  if (!Number.isInteger(step) || step < 0) throw new RangeError(`LR schedule: step must be an integer ≥ 0, got ${step}`);
  const floor = s.floor ?? 0;
  if (step < s.warmupSteps) return (s.peak * (step + 1)) / s.warmupSteps;
  const decaySteps = s.totalSteps - s.warmupSteps - 1;
  const t = decaySteps <= 0 ? 0 : Math.min(1, (step - s.warmupSteps) / decaySteps);
  return floor + (s.peak - floor) * 0.5 * (1 + Math.cos(Math.PI * t));
}
