// The experiment's progress on a terminal: one line redrawn in place,
//   [##########··········]  50%  run 3/10 spa seed 1 · ppo iteration 2 · about 4 min left
// Drawn only when standard output is a terminal; otherwise the command prints a line per run.

import { duration } from './node-run';

const FILLED = '#';
const EMPTY = '·';
/** Redraws at most this often; a decision round can be much faster than a terminal wants. */
const MIN_REDRAW_MS = 100;

/** "[#####·····]  50%" for a fraction in [0, 1] (clamped). */
export function progressBar(fraction: number, width = 24): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const n = Math.round(f * width);
  return `[${FILLED.repeat(n)}${EMPTY.repeat(width - n)}] ${(100 * f).toFixed(0).padStart(3)}%`;
}

/** Seconds left at the pace so far, or null before there is a pace. */
export function etaSeconds(fraction: number, elapsedSeconds: number): number | null {
  if (!(fraction > 0.001) || fraction >= 1) return null;
  return (elapsedSeconds * (1 - fraction)) / fraction;
}

export class ProgressLine {
  private last = 0;
  private drawn = false;

  constructor(private readonly write: (text: string) => void, private readonly columns = 100) {}

  update(fraction: number, text: string, elapsedSeconds: number, force = false): void {
    const now = performance.now();
    if (!force && now - this.last < MIN_REDRAW_MS) return;
    this.last = now;
    const eta = etaSeconds(fraction, elapsedSeconds);
    const line = `${progressBar(fraction)}  ${text}${eta === null ? '' : ` · about ${duration(eta)} left`}`;
    // \r and erase-to-end-of-line: the line is redrawn where it stands.
    this.write(`\r${line.slice(0, Math.max(20, this.columns - 1))}\x1b[K`);
    this.drawn = true;
  }

  /** Ends the line so that what is printed next starts on its own. */
  clear(): void {
    if (this.drawn) this.write('\r\x1b[K');
    this.drawn = false;
  }
}
