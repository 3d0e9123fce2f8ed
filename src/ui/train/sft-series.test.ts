import { describe, expect, it } from 'vitest';
import type { MetricRow } from '../../run/persistence/store';
import { sftChart, sftSummaryText } from './sft-series';

const sftRow = (steps: number, loss: number, heldOut: number, extra: Partial<MetricRow> = {}): MetricRow => ({
  iteration: 0, stage: 'sft', 'sft/loss': loss, 'sft/heldout_loss': heldOut, 'sft/tokens_per_s': 1234.4, 'sft/steps': steps, 'sft/seconds': 9, ...extra,
});

describe('SFT chart series', () => {
  it('is null for a run without sft rows', () => {
    expect(sftChart([])).toBeNull();
    expect(sftChart([{ iteration: 0, stage: 'bc', 'bc/loss': 1 }, { iteration: 1, stage: 'ppo', 'ppo/pg_loss': 0.1 }])).toBeNull();
  });

  it('plots train and held-out loss against SFT steps, apart from the BC row that shares iteration 0', () => {
    const rows: MetricRow[] = [sftRow(2, 3.5, 3.75), { iteration: 0, stage: 'bc', 'bc/loss': 0.9 }, { iteration: 0, stage: 'estimator', 'estimator/mse_train': 0.2 }];
    const c = sftChart(rows)!;
    expect(c.x).toEqual([2]);
    expect(c.series).toEqual([{ label: 'train loss', values: [3.5] }, { label: 'held-out loss', values: [3.75] }]);
    expect(c.latest).toEqual({ steps: 2, loss: 3.5, heldOutLoss: 3.75, tokensPerS: 1234.4 });
    expect(sftSummaryText(c.latest)).toBe('After 2 SFT steps: train loss 3.500, held-out loss 3.750 · 1,234 tokens/s');
  });

  it('orders rows by steps, keeps the later of two at one count, and leaves gaps for missing or non-finite values', () => {
    const c = sftChart([sftRow(300, 2, 2.5), sftRow(100, 3, 3.5), sftRow(300, 1.5, 2.25), sftRow(200, Number.NaN, 3, { 'sft/heldout_loss': null })])!;
    expect(c.x).toEqual([100, 200, 300]);
    expect(c.series[0].values).toEqual([3, null, 1.5]);
    expect(c.series[1].values).toEqual([3.5, null, 2.25]);
    expect(c.latest.steps).toBe(200);
    expect(sftSummaryText({ steps: 1, loss: null, heldOutLoss: 2, tokensPerS: null })).toBe('After 1 SFT step: train loss –, held-out loss 2.000');
  });
});
