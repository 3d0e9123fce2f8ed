// The SFT stage's metric rows (stage 'sft', run/sft-host.ts SftStageMetrics) as the Train screen
// charts them. The stage writes one row when it ends, at iteration 0 like BC, so the iteration
// axis every other chart uses would stack it onto BC's row: its own x is the SFT steps it ran.
// Pure, so the rows → series step is unit-tested without a page.

import type { Json, MetricRow } from '../../run/persistence/store';
import type { ChartSeries } from '../charts/line-chart';

export const SFT_STAGE = 'sft';
export const SFT_METRICS = {
  loss: 'sft/loss',
  heldOutLoss: 'sft/heldout_loss',
  tokensPerS: 'sft/tokens_per_s',
  steps: 'sft/steps',
} as const;

export interface SftSummary {
  steps: number;
  loss: number | null;
  heldOutLoss: number | null;
  tokensPerS: number | null;
}

export interface SftChart {
  /** SFT steps run, ascending, one per distinct count. */
  x: number[];
  series: ChartSeries[];
  /** The newest SFT row's values, for the line under the chart. */
  latest: SftSummary;
}

function num(x: Json | undefined): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

/**
 * Train and held-out loss against SFT steps from the rows' `sft` rows, or null when there are none
 * (a run without SFT shows no SFT chart). A row without a step count is placed at step 0; of two
 * rows with one count (a stage rerun after a resume), the later wins.
 */
export function sftChart(rows: readonly MetricRow[]): SftChart | null {
  const sft = rows.filter((r) => r.stage === SFT_STAGE);
  if (sft.length === 0) return null;
  const at = new Map<number, MetricRow>();
  for (const r of sft) at.set(num(r[SFT_METRICS.steps]) ?? 0, r);
  const x = [...at.keys()].sort((a, b) => a - b);
  const values = (name: string) => x.map((s) => num(at.get(s)![name]));
  const last = sft[sft.length - 1];
  return {
    x,
    series: [
      { label: 'train loss', values: values(SFT_METRICS.loss) },
      { label: 'held-out loss', values: values(SFT_METRICS.heldOutLoss) },
    ],
    latest: {
      steps: num(last[SFT_METRICS.steps]) ?? 0,
      loss: num(last[SFT_METRICS.loss]),
      heldOutLoss: num(last[SFT_METRICS.heldOutLoss]),
      tokensPerS: num(last[SFT_METRICS.tokensPerS]),
    },
  };
}

/** "After 2 SFT steps: train loss 3.214, held-out loss 3.456 · 1,234 tokens/s". */
export function sftSummaryText(s: SftSummary): string {
  const loss = (v: number | null) => (v === null ? '–' : v.toFixed(3));
  const speed = s.tokensPerS === null ? '' : ` · ${Math.round(s.tokensPerS).toLocaleString('en-US')} tokens/s`;
  return `After ${s.steps} SFT step${s.steps === 1 ? '' : 's'}: train loss ${loss(s.loss)}, held-out loss ${loss(s.heldOutLoss)}${speed}`;
}
