// The Playground's "credit as you play": what the estimator says about each step the player took
// (ĉ_t, the running Σĉ, and the grounding flag g_t from the replay), the player's own marks
// (progress / no progress), and where the two agree. No DOM here, so it is tested under Node.

/** The player's mark on a step. */
export type Mark = 'progress' | 'none';

/**
 * ĉ_t above this counts as "progress" when comparing with the player's marks. The estimator's
 * contributions add up to the final reward (at most 1) over a whole episode of typically 4–15
 * steps, so a step worth less than 5% of a solved task is read as "no progress".
 */
export const PROGRESS_THRESHOLD = 0.05;

export interface StepCredit {
  /** 1-based step number, as the log shows it. */
  step: number;
  progress: number;
  /** Σ_{k≤t} ĉ_k. */
  running: number;
  valid: boolean;
  /** How the estimator reads ĉ_t against the threshold. */
  says: Mark;
  mark?: Mark;
  /** Whether the player's mark and the estimator agree; undefined when the step is not marked. */
  agrees?: boolean;
}

export function estimatorSays(progress: number, threshold = PROGRESS_THRESHOLD): Mark {
  return progress > threshold ? 'progress' : 'none';
}

/** One row per credited step, with the player's marks (keyed by 1-based step) laid over. */
export function stepCredits(progress: readonly number[], valid: readonly boolean[], marks: ReadonlyMap<number, Mark>): StepCredit[] {
  let running = 0;
  return progress.map((c, i) => {
    running += c;
    const step = i + 1;
    const says = estimatorSays(c);
    const mark = marks.get(step);
    return { step, progress: c, running, valid: valid[i] ?? false, says, ...(mark ? { mark, agrees: mark === says } : {}) };
  });
}

/** How many marked steps there are and on how many the estimator agrees. */
export function agreement(rows: readonly StepCredit[]): { marked: number; agreed: number } {
  const marked = rows.filter((r) => r.mark !== undefined);
  return { marked: marked.length, agreed: marked.filter((r) => r.agrees).length };
}

/** Marking a step with the mark it already has clears it. */
export function toggleMark(marks: ReadonlyMap<number, Mark>, step: number, mark: Mark): Map<number, Mark> {
  const next = new Map(marks);
  if (next.get(step) === mark) next.delete(step);
  else next.set(step, mark);
  return next;
}
