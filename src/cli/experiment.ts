// `stepwise experiment`: the paper's comparison on one environment. Scripts outside the project
// call this exact form:
//   stepwise experiment --env household --methods spa,outcome,rloo,gigpo,bc --seeds 3 [--out dir] [--json]
// --seeds is a count (seeds 1 … N) or a comma-separated list ("1,5,9"). Optional, to shrink or
// change every run alike: --config file.json (a run config; the flags below override it),
// --tasks N, --iterations N, --k N, --eval-tasks N, --max-steps N.
//
// Each (method, seed) run lives in <out>/runs/<method>-s<seed> (default out: experiments/<env>),
// written like `stepwise train --out`; the experiment then writes <out>/results.json,
// <out>/results.md and <out>/metrics.jsonl (experiment-results.ts). Running the same command
// again resumes: finished runs are kept, an interrupted one resumes from its last checkpoint.
// On a terminal a progress bar is drawn on standard output; otherwise one line per run goes to
// standard error. The summary (or, with --json, results.json's object plus out and seconds) goes
// to standard output.

import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { envNames } from '../envs/registry';
import { runConfigFromJson, RunConfigError } from '../run/config';
import type { Orchestrator } from '../run/orchestrator';
import { RunCancelledError } from '../run/orchestrator';
import type { PipelineDeps, PipelineOptions } from '../run/pipeline';
import { REWARD_VARIANTS, type RewardVariant } from '../rl/rewards';
import type { CommandGroup } from './command-group';
import { planExperiment, runExperiment, type PlannedRun } from './experiment-run';
import { writeExperimentResults, type ResultsRow } from './experiment-results';
import { ProgressLine } from './experiment-progress';
import { UsageError, type CliIO } from './io';
import { duration, nodeDeps, positiveInt } from './node-run';

const USAGE = 'stepwise experiment --env household --methods spa,outcome,rloo,gigpo,bc --seeds 3 [--out dir] [--json] [--config f.json] [--tasks N] [--iterations N] [--k N] [--eval-tasks N] [--max-steps N]';

function help(): string {
  return [
    `usage: ${USAGE}`,
    '',
    'Trains every method with every seed on one environment (BC, exploration, estimator, PPO, greedy evaluation),',
    `then writes results.json, results.md and metrics.jsonl to --out (default experiments/<env>). Methods: ${REWARD_VARIANTS.join(', ')}.`,
    '--seeds N runs seeds 1…N; --seeds 1,5,9 runs those. The same command again resumes where it stopped.',
  ].join('\n');
}

/** "3" → [1, 2, 3]; "1,5,9" → [1, 5, 9]. */
export function parseSeeds(text: string): number[] {
  const t = text.trim();
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    if (n < 1 || n > 1000) throw new UsageError(`--seeds as a count must be an integer in [1, 1000], got "${text}"`);
    return Array.from({ length: n }, (_, i) => i + 1);
  }
  const parts = t.split(',').map((s) => s.trim());
  if (parts.length < 2 || parts.some((p) => !/^\d+$/.test(p))) throw new UsageError(`--seeds must be a count (3) or a comma-separated list of seeds (1,5,9), got "${text}"`);
  const seeds = parts.map(Number);
  if (new Set(seeds).size !== seeds.length) throw new UsageError(`--seeds lists a seed twice: "${text}"`);
  return seeds;
}

export function parseMethods(text: string): RewardVariant[] {
  const names = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new UsageError(`--methods needs at least one of ${REWARD_VARIANTS.join(', ')}`);
  const bad = names.filter((n) => !(REWARD_VARIANTS as readonly string[]).includes(n));
  if (bad.length) throw new UsageError(`unknown method${bad.length > 1 ? 's' : ''} ${bad.map((b) => `"${b}"`).join(', ')}; known: ${REWARD_VARIANTS.join(', ')}`);
  if (new Set(names).size !== names.length) throw new UsageError(`--methods lists a method twice: "${text}"`);
  return names as RewardVariant[];
}

export interface ExperimentHost {
  /** The pipeline's host: GPU, backbone, env slots (default: the Node host of train/eval). */
  makeDeps(modelId: string): Promise<PipelineDeps & { dispose(): Promise<void> }>;
  /** Whether standard output is a terminal (draws the progress bar). */
  isTTY(): boolean;
  /** Where the bar is drawn. */
  writeBar(text: string): void;
  options?: PipelineOptions;
}

const nodeHost: ExperimentHost = {
  makeDeps: (model) => nodeDeps(model),
  isTTY: () => Boolean(process.stdout.isTTY),
  writeBar: (t) => process.stdout.write(t),
};

function summaryLine(r: ResultsRow): string {
  const p = (m: number | null, s: number | null) => (m === null ? '–' : `${(100 * m).toFixed(1)} ± ${(100 * (s ?? 0)).toFixed(1)}`);
  return `  ${r.split.padEnd(12)} ${r.method.padEnd(15)} success ${p(r.success.mean, r.success.std).padEnd(13)} grounding ${p(r.grounding.mean, r.grounding.std).padEnd(13)} score ${r.score.mean === null ? '–' : r.score.mean.toFixed(3)}`;
}

export async function runExperimentCommand(args: string[], io: CliIO, host: ExperimentHost = nodeHost): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(help());
    return 0;
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args, strict: true, allowPositionals: false,
      options: {
        env: { type: 'string' }, methods: { type: 'string' }, seeds: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' },
        config: { type: 'string' }, tasks: { type: 'string' }, iterations: { type: 'string' }, k: { type: 'string' }, 'eval-tasks': { type: 'string' },
        'max-steps': { type: 'string' },
      },
    }).values;
  } catch (e) {
    throw new UsageError(`${e instanceof Error ? e.message : String(e)}\nusage: ${USAGE}`);
  }
  for (const f of ['env', 'methods', 'seeds'] as const) if (typeof values[f] !== 'string') throw new UsageError(`missing --${f}\nusage: ${USAGE}`);
  const env = values.env as string;
  if (!envNames().includes(env)) throw new UsageError(`unknown environment "${env}"; known: ${envNames().join(', ')}`);
  const methods = parseMethods(values.methods as string);
  const seeds = parseSeeds(values.seeds as string);

  // The shared config: --config, then the shorthand flags on top of it.
  let plan: PlannedRun[];
  const out = resolve(typeof values.out === 'string' ? values.out : join('experiments', env));
  try {
    const base = typeof values.config === 'string' ? (JSON.parse(JSON.stringify(runConfigFromJson(io.readFile(values.config)))) as Record<string, Record<string, unknown>>) : {};
    const section = (k: string) => ({ ...(base[k] ?? {}) });
    const input: Record<string, unknown> = { ...base };
    if (typeof values.tasks === 'string') input.tasks = { ...section('tasks'), count: positiveInt(values.tasks, 'tasks') };
    if (typeof values.iterations === 'string') input.ppo = { ...section('ppo'), iterations: positiveInt(values.iterations, 'iterations', 0) };
    if (typeof values.k === 'string') input.explore = { ...section('explore'), k: positiveInt(values.k, 'k') };
    if (typeof values['eval-tasks'] === 'string') input.eval = { ...section('eval'), tasks: positiveInt(values['eval-tasks'], 'eval-tasks', 0) };
    plan = planExperiment({ env, methods, seeds, base: input, out });
  } catch (e) {
    if (e instanceof RunConfigError) throw new UsageError(e.message);
    throw e;
  }
  const maxSteps = typeof values['max-steps'] === 'string' ? positiveInt(values['max-steps'], 'max-steps') : undefined;

  const tty = host.isTTY();
  const bar = tty ? new ProgressLine((t) => host.writeBar(t)) : null;
  const say = (text: string) => {
    bar?.clear();
    io.err(text);
  };
  const t0 = performance.now();
  const elapsed = () => (performance.now() - t0) / 1000;
  const deps = await host.makeDeps(plan[0].config.model);
  let current: Orchestrator | null = null;
  const cancel = () => current?.cancel();
  process.once('SIGINT', cancel);
  let resumed = 0;
  try {
    await runExperiment(plan, deps, {
      options: { ...host.options, ...(maxSteps ? { maxSteps } : {}) },
      onOrchestrator: (o) => { current = o; },
      onRunStart: (r) => { if (!tty) io.err(`run ${r.index + 1}/${plan.length}: ${r.method}, seed ${r.seed} (${r.dir})`); },
      onProgress: (overall, r, e) => bar?.update(overall, `run ${r.index + 1}/${plan.length} ${r.method} seed ${r.seed} · ${e.stage}${e.stage === 'ppo' ? ` iteration ${e.iteration}` : ''}`, elapsed()),
      onRunDone: (r) => {
        if (r.outcome.alreadyFinished) resumed++;
        const unseen = r.outcome.results['unseen-test'] ?? r.outcome.results.test ?? Object.values(r.outcome.results)[0];
        const what = unseen ? `success ${(100 * unseen.success_rate).toFixed(1)}%, grounding ${(100 * unseen.grounding).toFixed(1)}%` : 'no evaluation';
        say(`run ${r.index + 1}/${plan.length}: ${r.method}, seed ${r.seed}: ${r.outcome.alreadyFinished ? 'already finished' : `done in ${duration(r.seconds)}`} (${what})`);
      },
    });
  } catch (e) {
    bar?.clear();
    if (e instanceof RunCancelledError) {
      io.err(`cancelled; run the same command again to resume from the last checkpoint in ${out}`);
      return 130;
    }
    throw e;
  } finally {
    process.off('SIGINT', cancel);
    await deps.dispose();
  }
  bar?.clear();
  const seconds = elapsed();
  const results = await writeExperimentResults(out, plan, { command: `stepwise experiment ${args.join(' ')}`, seconds, maxSteps, resumed });
  if (values.json) io.out(JSON.stringify({ out, seconds, ...results }));
  else {
    io.out(`${methods.join(', ')} on ${env}, seeds ${seeds.join(', ')}: ${plan.length} runs in ${duration(seconds)}${resumed ? ` (${resumed} had finished before)` : ''}`);
    for (const r of results.rows) io.out(summaryLine(r));
    io.out(`results in ${join(out, 'results.md')}, ${join(out, 'results.json')} and ${join(out, 'metrics.jsonl')}`);
  }
  return 0;
}

export const experimentCommands: CommandGroup = {
  summary: 'compare methods over seeds: stepwise experiment --env household --methods spa,outcome,rloo,gigpo,bc --seeds 3 [--out dir] [--json]',
  run: (args, io) => runExperimentCommand(args, io),
};
