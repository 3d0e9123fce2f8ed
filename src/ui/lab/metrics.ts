// Metric rows (the trainer's metrics stream and the store's rows, protocol.ts METRICS) into what
// charts and tables show: per-iteration series, runs aligned on one x axis, and the paper-style
// results table (methods × environment and split, mean ± std over seeds). Pure functions.

import type { RunConfig } from '../../run/config';
import type { Json, MetricRow } from '../../run/persistence/store';
import { EVAL_STAGE, METRICS } from '../../run/protocol';

function num(x: Json | undefined): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

/** Training rows merged per iteration (a stage may write several rows for one iteration), ascending. */
export function byIteration(rows: readonly MetricRow[]): MetricRow[] {
  const merged = new Map<number, MetricRow>();
  for (const r of rows) {
    if (r.stage === EVAL_STAGE) continue;
    merged.set(r.iteration, { ...(merged.get(r.iteration) ?? {}), ...r });
  }
  return [...merged.values()].sort((a, b) => a.iteration - b.iteration);
}

/** x = iterations, one value (or null) per iteration for each name. */
export function seriesOf(rows: readonly MetricRow[], names: readonly string[]): { x: number[]; values: (number | null)[][] } {
  const it = byIteration(rows);
  return { x: it.map((r) => r.iteration), values: names.map((n) => it.map((r) => num(r[n]))) };
}

/** Trailing moving average over `window` values, skipping gaps. */
export function smooth(values: readonly (number | null)[], window: number): (number | null)[] {
  if (window <= 1) return [...values];
  return values.map((v, i) => {
    if (v === null) return null;
    let sum = 0, n = 0;
    for (let k = Math.max(0, i - window + 1); k <= i; k++) {
      const x = values[k];
      if (x !== null) { sum += x; n++; }
    }
    return sum / n;
  });
}

/** Several runs' values of one metric on the union of their iterations. */
export function alignRuns(runs: readonly { rows: readonly MetricRow[] }[], metric: string, window = 1): { x: number[]; values: (number | null)[][] } {
  const perRun = runs.map((r) => seriesOf(r.rows, [metric]));
  const x = [...new Set(perRun.flatMap((s) => s.x))].sort((a, b) => a - b);
  const values = perRun.map((s) => {
    const at = new Map(s.x.map((it, i) => [it, s.values[0][i]]));
    return smooth(x.map((it) => at.get(it) ?? null), window);
  });
  return { x, values };
}

/** Every metric name the rows hold a number for, in first-seen order. */
export function metricNames(rows: readonly MetricRow[]): string[] {
  const names = new Set<string>();
  for (const r of rows) for (const [k, v] of Object.entries(r)) if (k !== 'iteration' && typeof v === 'number') names.add(k);
  return [...names];
}

/** The last value of a metric over the training rows, null when it never appeared. */
export function lastValue(rows: readonly MetricRow[], name: string): number | null {
  const it = byIteration(rows);
  for (let i = it.length - 1; i >= 0; i--) {
    const v = num(it[i][name]);
    if (v !== null) return v;
  }
  return null;
}

/** Mean and standard deviation (population, as numpy's default) of the finite values. */
export function meanStd(xs: readonly number[]): { mean: number; std: number; n: number } {
  const n = xs.length;
  if (n === 0) return { mean: NaN, std: NaN, n };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
  return { mean, std: Math.sqrt(variance), n };
}

export interface ResultCell { mean: number; std: number; n: number }

export interface ResultRow {
  method: string;
  env: string;
  split: string;
  seeds: number[];
  success: ResultCell;
  score: ResultCell;
  grounding: ResultCell;
}

/**
 * The paper's table: one row per (method, env, split) over the runs' evaluation rows, each
 * metric's mean ± std over the seeds. A run evaluated twice on a split counts its last row.
 */
export function resultsTable(runs: readonly { config: Pick<RunConfig, 'reward' | 'env' | 'seed'>; rows: readonly MetricRow[] }[]): ResultRow[] {
  const groups = new Map<string, { method: string; env: string; split: string; perSeed: Map<number, MetricRow> }>();
  for (const run of runs) {
    for (const r of run.rows) {
      if (r.stage !== EVAL_STAGE || typeof r.split !== 'string') continue;
      const key = `${run.config.reward}\u0000${run.config.env}\u0000${r.split}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { method: run.config.reward, env: run.config.env, split: r.split, perSeed: new Map() }));
      g.perSeed.set(run.config.seed, r);
    }
  }
  const cell = (rows: MetricRow[], name: string): ResultCell => meanStd(rows.map((r) => num(r[name])).filter((v): v is number => v !== null));
  return [...groups.values()]
    .map((g) => {
      const rows = [...g.perSeed.values()];
      return {
        method: g.method, env: g.env, split: g.split, seeds: [...g.perSeed.keys()].sort((a, b) => a - b),
        success: cell(rows, METRICS.success), score: cell(rows, METRICS.score), grounding: cell(rows, METRICS.grounding),
      };
    })
    .sort((a, b) => a.env.localeCompare(b.env) || a.split.localeCompare(b.split) || a.method.localeCompare(b.method));
}

/** "61.3 ± 2.1" in percent for rates in [0, 1]; "–" without values. */
export function formatCell(c: ResultCell, percent = true): string {
  if (c.n === 0 || !Number.isFinite(c.mean)) return '–';
  const k = percent ? 100 : 1;
  return `${(c.mean * k).toFixed(1)} ± ${(c.std * k).toFixed(1)}`;
}

/**
 * RFC 4180 CSV. Text cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR first)
 * get a leading apostrophe, since labels come from imported files.
 */
export function toCsv(header: readonly string[], rows: readonly (readonly (string | number | null)[])[]): string {
  const cell = (x: string | number | null): string => {
    if (x === null) return '';
    if (typeof x === 'number') return Number.isFinite(x) ? String(x) : '';
    const safe = /^[=+\-@\t\r]/.test(x) ? `'${x}` : x;
    return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
