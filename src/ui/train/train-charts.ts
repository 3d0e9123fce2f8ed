// The Train screen's live charts, fed by metric rows (protocol.ts METRICS): outcome (success,
// score, grounding), estimator loss train vs held-out, estimator calibration, PPO losses / KL /
// entropy / clipfrac, throughput, and, for a run with an SFT stage, its train vs held-out loss.
// Entropy-collapse warnings show on the PPO chart they concern.

import { LitElement, css, html, nothing } from 'lit';
import type { MetricRow } from '../../run/persistence/store';
import { CALIBRATION_POINTS, METRICS, type TrainerEvent } from '../../run/protocol';
import '../charts/line-chart';
import type { ChartSeries } from '../charts/line-chart';
import { seriesOf } from '../lab/metrics';
import { labStyles } from '../lab/styles';
import { sftChart, sftSummaryText } from './sft-series';

type Warning = Extract<TrainerEvent, { type: 'warning' }>;

function chart(rows: readonly MetricRow[], names: { name: string; label: string; dash?: boolean }[]): { x: number[]; series: ChartSeries[] } {
  const s = seriesOf(rows, names.map((n) => n.name));
  return { x: s.x, series: names.map((n, i) => ({ label: n.label, values: s.values[i], dash: n.dash })) };
}

/** The newest row's calibration partial sums (successful vs failed), on normalised time. */
function calibration(rows: readonly MetricRow[]): { x: number[]; series: ChartSeries[] } {
  for (let i = rows.length - 1; i >= 0; i--) {
    const ok = rows[i][METRICS.calibrationSuccess], bad = rows[i][METRICS.calibrationFailed];
    if (Array.isArray(ok) || Array.isArray(bad)) {
      const n = Math.max(Array.isArray(ok) ? ok.length : 0, Array.isArray(bad) ? bad.length : 0, 2);
      const pick = (xs: unknown) => Array.from({ length: n }, (_, k) => (Array.isArray(xs) && typeof xs[k] === 'number' ? (xs[k] as number) : null));
      return {
        x: Array.from({ length: n }, (_, k) => k / (n - 1)),
        series: [
          { label: `successful (iteration ${rows[i].iteration})`, values: pick(ok), color: '#5fd49a' },
          { label: 'failed', values: pick(bad), color: '#ff7b7b' },
        ],
      };
    }
  }
  return { x: Array.from({ length: CALIBRATION_POINTS }, (_, k) => k / (CALIBRATION_POINTS - 1)), series: [] };
}

export class TrainCharts extends LitElement {
  static override properties = { rows: { attribute: false }, warnings: { attribute: false }, iterations: { attribute: false } };
  rows: MetricRow[] = [];
  warnings: Warning[] = [];
  /** The run's configured PPO iterations: the iteration axes span 0…iterations (more if the data goes further). null: the data alone. */
  iterations: number | null = null;

  static override styles = [labStyles, css`
    :host { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 12px; }
    .panel { padding: 12px 14px; }
    .wide { grid-column: 1 / -1; }
    .readout { margin: 6px 0 0; font-size: 12px; }
  `];

  override render() {
    const r = this.rows;
    const outcome = chart(r, [{ name: METRICS.success, label: 'success rate' }, { name: METRICS.score, label: 'return (score)' }, { name: METRICS.grounding, label: 'grounding accuracy' }]);
    const est = chart(r, [
      { name: METRICS.estMseTrain, label: 'MSE train' }, { name: METRICS.estMseHeldOut, label: 'MSE held-out' },
      { name: METRICS.estMaeTrain, label: 'MAE train', dash: true }, { name: METRICS.estMaeHeldOut, label: 'MAE held-out', dash: true },
    ]);
    const ppo = chart(r, [
      { name: METRICS.pgLoss, label: 'pg_loss' }, { name: METRICS.vfLoss, label: 'vf_loss' }, { name: METRICS.approxKl, label: 'approx_kl' },
      { name: METRICS.entropy, label: 'entropy' }, { name: METRICS.clipfrac, label: 'clipfrac' },
    ]);
    const speed = chart(r, [{ name: METRICS.envStepsPerS, label: 'env steps/s' }, { name: METRICS.llmTokensPerS, label: 'LLM tokens/s' }, { name: METRICS.updateS, label: 'update s' }]);
    const calib = calibration(r);
    const sft = sftChart(r);
    const collapse = this.warnings.filter((w) => w.kind === 'entropy-collapse');
    const it = this.iterations;
    return html`
      <div class="panel"><sw-line-chart heading="Success, return and grounding" .xMin=${0} .xMax=${it} .x=${outcome.x} .series=${outcome.series}></sw-line-chart></div>
      <div class="panel"><sw-line-chart heading="Progress estimator loss (train vs held-out)" .xMin=${0} .xMax=${it} .x=${est.x} .series=${est.series}></sw-line-chart></div>
      <div class="panel">
        ${collapse.length ? html`<div class="warn-box" role="alert" data-testid="entropy-warning">⚠ Entropy collapse at iteration ${collapse[collapse.length - 1].iteration}: ${collapse[collapse.length - 1].message}</div>` : nothing}
        <sw-line-chart heading="PPO: losses, KL, entropy, clipfrac" .xMin=${0} .xMax=${it} .x=${ppo.x} .series=${ppo.series}></sw-line-chart></div>
      <div class="panel"><sw-line-chart heading="Estimator calibration: running Σĉ, successful vs failed episodes" x-label="fraction of the episode" .integerX=${false} .x=${calib.x} .series=${calib.series}></sw-line-chart></div>
      ${sft ? html`<div class="panel" data-testid="sft-chart">
        <sw-line-chart heading="SFT loss (train vs held-out)" x-label="SFT step" .xMin=${0} .x=${sft.x} .series=${sft.series}></sw-line-chart>
        <p class="readout muted" data-testid="sft-summary">${sftSummaryText(sft.latest)}</p></div>` : nothing}
      <div class="panel ${sft ? '' : 'wide'}"><sw-line-chart heading="Throughput" .xMin=${0} .xMax=${it} .x=${speed.x} .series=${speed.series} height=${sft ? 180 : 140}></sw-line-chart></div>`;
  }
}
customElements.define('sw-train-charts', TrainCharts);
