// The files an experiment leaves in its directory, rebuilt from the run directories every time
// (so a resumed experiment writes the same files as one that ran in one go):
//   results.json   {"rows": [{env, method, split, seeds, success, score, grounding}]}, one row per
//                  (env, method, split), each metric {mean, std} over the seeds (population std,
//                  as the lab's Compare table; null when no seed has a value)
//   results.md     the same as tables, one per split, with the command line and the settings
//   metrics.jsonl  every metric row of every run (one JSON object per line, each with env, method
//                  and seed added to the run's own row: iteration, stage, …)

import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { evalSplits, type RunConfig } from '../run/config';
import { FileRunStore } from '../run/persistence/file-store';
import type { MetricRow } from '../run/persistence/store';
import { resultsTable, type ResultCell } from '../ui/lab/metrics';
import type { PlannedRun } from './experiment-run';
import { duration } from './node-run';

export interface Stat { mean: number | null; std: number | null }

export interface ResultsRow {
  env: string;
  method: string;
  split: string;
  seeds: number[];
  success: Stat;
  score: Stat;
  grounding: Stat;
}

export interface ExperimentResults { rows: ResultsRow[] }

const stat = (c: ResultCell): Stat => (c.n > 0 && Number.isFinite(c.mean) ? { mean: c.mean, std: c.std } : { mean: null, std: null });

/** Every run's metric rows, read from its run directory (runs not started yet have none). */
export async function readRunMetrics(plan: readonly PlannedRun[]): Promise<{ run: PlannedRun; rows: MetricRow[] }[]> {
  const out: { run: PlannedRun; rows: MetricRow[] }[] = [];
  for (const run of plan) {
    const store = await FileRunStore.openRunDir(run.dir);
    try {
      out.push({ run, rows: await store.metrics(run.runId) });
    } finally {
      await store.close();
    }
  }
  return out;
}

/** One row per (env, method, split): splits in the env's order, methods in the experiment's order. */
export function experimentRows(runs: readonly { run: PlannedRun; rows: readonly MetricRow[] }[]): ResultsRow[] {
  const table = resultsTable(runs.map(({ run, rows }) => ({ config: run.config, rows })));
  const methods = [...new Set(runs.map((r) => r.run.method as string))];
  const splits = runs.length ? evalSplits(runs[0].run.config) : [];
  const rank = (split: string) => {
    const i = (splits as string[]).indexOf(split);
    return i < 0 ? splits.length : i;
  };
  return table
    .map((r) => ({ env: r.env, method: r.method, split: r.split, seeds: r.seeds, success: stat(r.success), score: stat(r.score), grounding: stat(r.grounding) }))
    .sort((a, b) => a.env.localeCompare(b.env) || rank(a.split) - rank(b.split) || methods.indexOf(a.method) - methods.indexOf(b.method));
}

const pct = (s: Stat) => (s.mean === null ? '–' : `${(100 * s.mean).toFixed(1)} ± ${(100 * (s.std ?? 0)).toFixed(1)}`);
const plain = (s: Stat) => (s.mean === null ? '–' : `${s.mean.toFixed(3)} ± ${(s.std ?? 0).toFixed(3)}`);

/** The settings that shape a run's cost and result, in one line. */
export function settingsLine(c: RunConfig): string {
  return [
    `model ${c.model}`, `${c.tasks.count || 'all'} ${c.split} tasks from ${c.tasks.start}`, `K = ${c.explore.k} at T = ${c.explore.temperature}`,
    `${c.ppo.iterations} PPO iterations × ${c.ppo.tasksPerIteration} tasks`, `PPO epochs ${c.ppo.epochs}, minibatch ${c.ppo.minibatch}, lr ${c.ppo.lr}`,
    `α = ${c.alpha}, β = ${c.beta}`, `estimator hidden ${c.estimator.hidden}, ${c.estimator.epochs} epochs, refit every ${c.estimator.refitEvery}`,
    `BC ${c.bc.epochs} epochs`, `eval ${c.eval.tasks || 'all'} tasks per split`,
  ].join('; ');
}

export interface MarkdownInfo {
  command: string;
  /** Wall time of this invocation. */
  seconds: number;
  maxSteps?: number;
  /** Runs this invocation found finished already. */
  resumed: number;
}

export function resultsMarkdown(rows: readonly ResultsRow[], plan: readonly PlannedRun[], info: MarkdownInfo): string {
  const c = plan[0]?.config;
  const lines = [
    `# Experiment: ${c?.env ?? '?'}`,
    '',
    `Command: \`${info.command}\``,
    '',
    `Methods ${[...new Set(plan.map((p) => p.method))].join(', ')}; seeds ${[...new Set(plan.map((p) => p.seed))].join(', ')}.`,
    c ? `Settings: ${settingsLine(c)}${info.maxSteps ? `; at most ${info.maxSteps} steps per episode` : ''}.` : '',
    `Wall time of this invocation: ${duration(info.seconds)}${info.resumed ? ` (${info.resumed} of ${plan.length} runs had finished before it)` : ''}.`,
    '',
    'Success and grounding in percent, score as the mean final reward; mean ± std (population) over the seeds; greedy evaluation.',
  ];
  for (const split of [...new Set(rows.map((r) => r.split))]) {
    lines.push('', `## ${split}`, '', '| method | success (%) | score | grounding (%) | seeds |', '|---|---|---|---|---|');
    for (const r of rows.filter((x) => x.split === split)) lines.push(`| ${r.method} | ${pct(r.success)} | ${plain(r.score)} | ${pct(r.grounding)} | ${r.seeds.join(', ')} |`);
  }
  return lines.join('\n') + '\n';
}

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** Writes results.json, results.md and metrics.jsonl into `out`; returns the results. */
export async function writeExperimentResults(out: string, plan: readonly PlannedRun[], info: MarkdownInfo): Promise<ExperimentResults> {
  const runs = await readRunMetrics(plan);
  const rows = experimentRows(runs);
  mkdirSync(out, { recursive: true });
  writeAtomic(join(out, 'results.json'), JSON.stringify({ rows }, null, 1) + '\n');
  writeAtomic(join(out, 'results.md'), resultsMarkdown(rows, plan, info));
  const metricLines = runs.flatMap(({ run, rows: rs }) => rs.map((r) => JSON.stringify({ env: run.config.env, method: run.method, seed: run.seed, ...r })));
  writeAtomic(join(out, 'metrics.jsonl'), metricLines.join('\n') + (metricLines.length ? '\n' : ''));
  return { rows };
}
