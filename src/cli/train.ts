// `stepwise train`: one run of the SPA pipeline (or a baseline) in Node. Scripts outside the
// project call this exact form:
//   stepwise train --env household --method spa --seed 1 [--config file.json] [--out dir]
//                  [--iterations N] [--tasks N] [--max-steps N] [--json]
// --reward is another name for --method. The run lives in --out (default runs/<env>-<method>-s<seed>):
// run.json, metrics.jsonl (one JSON object per row, each with `iteration` and `stage`),
// trajectories/ and checkpoints/. Running the same command again on the same --out resumes the
// run from its last checkpoint; a finished run says so and exits 0. Progress goes to standard
// error; the result (or, with --json, one JSON object) to standard output.

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseRunConfig, runConfigFromJson, RunConfigError, type RunConfig } from '../run/config';
import { Orchestrator, RunCancelledError, type ProgressEvent } from '../run/orchestrator';
import { FileRunStore, readRunJson } from '../run/persistence/file-store';
import type { CommandGroup } from './command-group';
import { UsageError, type CliIO } from './io';
import { duration, nodeDeps, positiveInt } from './node-run';

const USAGE = 'stepwise train --env household --method spa --seed 1 [--config file.json] [--out dir] [--iterations N] [--tasks N] [--max-steps N] [--json]';

function help(): string {
  return [
    `usage: ${USAGE}`,
    '',
    'Runs BC, exploration, the progress estimator, PPO with the chosen reward (--method or --reward: spa, outcome,',
    'rloo, gigpo, bc, progress-only, grounding-only) and the greedy evaluation, on the bundled model unless the',
    'config names another. --config reads a run config (JSON; flags override it). The run is written to --out',
    '(default runs/<env>-<method>-s<seed>); the same command again resumes it, and a finished run exits 0.',
    '--max-steps N sets episode.maxSteps, the cap on every episode (default 15; 0 keeps the environment\'s own cap).',
    'The defaults are a ~2-minute demo run; --config with larger tasks.count, explore.k, ppo.iterations, eval.tasks (0 =',
    'whole split) scales it up. Ctrl-C cancels; the checkpoint stays.',
    'A config with sft.enabled first fine-tunes the bundled model (sft.steps, sft.lr; the rest from its recipe) from its',
    'own weights, writes it to <out>/model and runs every later stage on it; a resumed run reuses that folder.',
  ].join('\n');
}

function formatProgress(e: ProgressEvent): string {
  const it = e.stage === 'ppo' || e.stage === 'eval' ? ` iteration ${e.iteration}` : '';
  const eta = e.etaSeconds === null ? '' : `, about ${duration(e.etaSeconds)} left`;
  return `[${(100 * e.fraction).toFixed(0).padStart(3)}%] ${e.stage}${it}${e.message ? ` (${e.message})` : ''}${eta}`;
}

async function run(args: string[], io: CliIO): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(help());
    return 0;
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args, strict: true, allowPositionals: false,
      options: {
        env: { type: 'string' }, method: { type: 'string' }, reward: { type: 'string' }, seed: { type: 'string' }, config: { type: 'string' },
        out: { type: 'string' }, iterations: { type: 'string' }, tasks: { type: 'string' }, 'max-steps': { type: 'string' }, json: { type: 'boolean' },
      },
    }).values;
  } catch (e) {
    throw new UsageError(`${e instanceof Error ? e.message : String(e)}\nusage: ${USAGE}`);
  }
  if (typeof values.method === 'string' && typeof values.reward === 'string' && values.method !== values.reward) {
    throw new UsageError(`--method and --reward name the same setting; got "${values.method}" and "${values.reward}"`);
  }
  let config: RunConfig;
  try {
    const base = typeof values.config === 'string' ? (JSON.parse(JSON.stringify(runConfigFromJson(io.readFile(values.config)))) as Record<string, unknown>) : {};
    const method = values.method ?? values.reward;
    const input: Record<string, unknown> = { ...base };
    if (typeof values.env === 'string') input.env = values.env;
    if (typeof method === 'string') input.reward = method;
    if (typeof values.seed === 'string') input.seed = positiveInt(values.seed, 'seed', 0);
    if (typeof values.iterations === 'string') input.ppo = { ...(base.ppo as object), iterations: positiveInt(values.iterations, 'iterations', 0) };
    if (typeof values.tasks === 'string') input.tasks = { ...(base.tasks as object), count: positiveInt(values.tasks, 'tasks') };
    // --max-steps is the config's episode cap, so it is stored in run.json and a resume keeps it.
    if (typeof values['max-steps'] === 'string') input.episode = { ...(base.episode as object), maxSteps: positiveInt(values['max-steps'], 'max-steps', 0) };
    config = parseRunConfig(input);
  } catch (e) {
    if (e instanceof RunConfigError) throw new UsageError(e.message);
    throw e;
  }
  const out = resolve(typeof values.out === 'string' ? values.out : join('runs', `${config.env}-${config.reward}-s${config.seed}`));

  // A run already in --out is resumed with its own config; flags that would change it are an error.
  let runId = `${config.env}-${config.reward}-s${config.seed}`;
  if (existsSync(join(out, 'run.json'))) {
    const stored = readRunJson(out);
    if (JSON.stringify(stored.config) !== JSON.stringify(config)) {
      throw new UsageError(`${out} holds a run with a different config (${stored.label}); resume it with the same flags, or choose another --out`);
    }
    runId = stored.id;
    if (stored.status === 'finished') {
      io.out(values.json ? JSON.stringify({ out, status: 'finished', alreadyFinished: true, results: stored.extra?.results ?? {} }) : `the run in ${out} already finished; its results are in ${join(out, 'metrics.jsonl')}`);
      return 0;
    }
  }

  const store = await FileRunStore.openRunDir(out);
  const deps = await nodeDeps(config.model, undefined, { out, config });
  const t0 = performance.now();
  let last = '';
  const orchestrator = new Orchestrator({
    runId, config, store, deps, options: {},
    onProgress: (e) => {
      const line = formatProgress(e);
      // One line per change of whole percent or stage, not one per decision round.
      if (line !== last) io.err(line);
      last = line;
    },
    onMetrics: (row) => {
      if (row.stage === 'ppo') io.err(`iteration ${row.iteration}: success ${fmt(row.success_rate)}, grounding ${fmt(row.grounding_acc)}, pg_loss ${fmt(row['actor/pg_loss'])}, vf_loss ${fmt(row['critic/vf_loss'])}, entropy ${fmt(row['actor/entropy'])}`);
      if (typeof row['diag/warning'] === 'string') io.err(`warning: ${row['diag/warning']}`);
    },
  });
  const cancel = () => orchestrator.cancel();
  process.once('SIGINT', cancel);
  try {
    const outcome = await orchestrator.run();
    const seconds = (performance.now() - t0) / 1000;
    if (values.json) io.out(JSON.stringify({ out, status: 'finished', alreadyFinished: false, iterations: outcome.iterations, resumedAfter: outcome.resumedAfter ?? null, seconds, results: outcome.results }));
    else {
      io.out(`${config.reward} on ${config.env}, seed ${config.seed}: ${outcome.iterations} PPO iterations in ${duration(seconds)}${outcome.resumedAfter ? ` (resumed after ${outcome.resumedAfter})` : ''}`);
      for (const [split, r] of Object.entries(outcome.results)) {
        io.out(`  ${split}: success ${(100 * r.success_rate).toFixed(1)}% (${r.solved}/${r.tasks}), grounding ${(100 * r.grounding).toFixed(1)}%, score ${r.score.toFixed(3)}, mean length ${r.mean_length.toFixed(1)}`);
      }
      io.out(`run written to ${out}`);
    }
    return 0;
  } catch (e) {
    if (e instanceof RunCancelledError) {
      io.err(`cancelled; run the same command again to resume from the last checkpoint in ${out}`);
      return 130;
    }
    throw e;
  } finally {
    process.off('SIGINT', cancel);
    await store.close();
    await deps.dispose();
  }
}

function fmt(v: unknown): string {
  return typeof v === 'number' ? v.toFixed(3) : '–';
}

export const trainCommands: CommandGroup = {
  summary: 'train a policy: stepwise train --env household --method spa --seed 1 [--config f.json] [--out dir] [--json]',
  run,
};
