// How an episode ended, in the words the lab uses everywhere (the tour's wording): solved, partly
// solved (a graded environment such as WebShop paid some reward but the task was not won), or
// failed. One place, so the list, the viewer and the filter never disagree.

import type { Trajectory } from '../../rl/trajectory';

export const OUTCOMES = ['solved', 'partly-solved', 'failed'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const OUTCOME_LABEL: Record<Outcome, string> = { solved: 'solved', 'partly-solved': 'partly solved', failed: 'failed' };
/** The badge class (lab/styles.ts) each outcome is drawn with. */
export const OUTCOME_BADGE: Record<Outcome, 'good' | 'warn' | 'bad'> = { solved: 'good', 'partly-solved': 'warn', failed: 'bad' };

/** Won → solved; not won with a positive final reward → partly solved; else failed. */
export function outcomeOf(t: Pick<Trajectory, 'won' | 'finalReward'>): Outcome {
  if (t.won) return 'solved';
  return Number.isFinite(t.finalReward) && t.finalReward > 0 ? 'partly-solved' : 'failed';
}

/** "solved · R 1.00", "partly solved · R 0.80", "failed · R 0.00". */
export function outcomeText(t: Pick<Trajectory, 'won' | 'finalReward'>): string {
  const r = Number.isFinite(t.finalReward) ? t.finalReward.toFixed(2) : '–';
  return `${OUTCOME_LABEL[outcomeOf(t)]} · R ${r}`;
}
