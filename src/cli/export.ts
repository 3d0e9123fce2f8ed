// `stepwise export`: a run's trajectories in a format other tools read. Scripts outside the
// project call this exact form:
//   stepwise export --run dir --format steps|spa|sharegpt|verl [--out file]
// Optional: --iteration N (only that iteration's trajectories; 0 is exploration). Without --out the
// data goes to standard output, so it can be piped; a count goes to standard error.
//
// The per-step format carries the training values of each step (r_t and the advantage) recomputed
// from the run's config over each iteration's batch, the way the lab's Trajectories screen
// exports them (ui/trajectories/trajectory-view.ts creditOf); ratio and clip are not stored with
// a trajectory and stay null.

import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EXPORT_FORMATS, exportTrajectories, type ExportFormat } from '../run/export';
import { FileRunStore } from '../run/persistence/file-store';
import type { Trajectory } from '../rl/trajectory';
import { creditOf, type CreditResult } from '../ui/trajectories/trajectory-view';
import type { CommandGroup } from './command-group';
import { UsageError, type CliIO } from './io';
import { positiveInt } from './node-run';

const USAGE = `stepwise export --run dir --format ${EXPORT_FORMATS.join('|')} [--out file] [--iteration N]`;

function help(): string {
  return [
    `usage: ${USAGE}`,
    '',
    'steps: per-step JSONL (one header line per trajectory, one line per step); spa: SPA-RL exploration JSON',
    '(id, iteration, conversations, agent_final_reward, success, turn_values); sharegpt: ShareGPT conversations;',
    'verl: verl-style rollout JSONL. Every format round-trips through `stepwise import`.',
  ].join('\n');
}

export async function runExportCommand(args: string[], io: CliIO): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(help());
    return 0;
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args, strict: true, allowPositionals: false, options: { run: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' }, iteration: { type: 'string' } } }).values;
  } catch (e) {
    throw new UsageError(`${e instanceof Error ? e.message : String(e)}\nusage: ${USAGE}`);
  }
  if (typeof values.run !== 'string') throw new UsageError(`missing --run\nusage: ${USAGE}`);
  if (typeof values.format !== 'string') throw new UsageError(`missing --format\nusage: ${USAGE}`);
  const format = values.format as ExportFormat;
  if (!EXPORT_FORMATS.includes(format)) throw new UsageError(`unknown format "${values.format}"; known: ${EXPORT_FORMATS.join(', ')}`);
  const dir = resolve(values.run);
  if (!existsSync(join(dir, 'run.json'))) throw new UsageError(`${dir} holds no run (no run.json)`);
  const iteration = typeof values.iteration === 'string' ? positiveInt(values.iteration, 'iteration', 0) : undefined;

  const store = await FileRunStore.openRunDir(dir);
  let trajs: Trajectory[];
  let run;
  try {
    [run] = await store.listRuns();
    trajs = await store.trajectories(run.id, iteration === undefined ? {} : { iteration });
  } finally {
    await store.close();
  }
  if (trajs.length === 0) throw new UsageError(`${dir} holds no trajectories${iteration === undefined ? '' : ` of iteration ${iteration}`}`);

  // r_t and A_t per iteration's batch, as in training (whitening and group baselines are per batch).
  const credit = new Map<number, CreditResult>();
  const creditIn = (t: Trajectory) => {
    let c = credit.get(t.iteration);
    if (!c) credit.set(t.iteration, (c = creditOf(trajs.filter((x) => x.iteration === t.iteration), run.config)));
    return c;
  };
  const text = exportTrajectories(trajs, format, {
    runId: run.id,
    annotate: format === 'steps' ? (t, k) => {
      const c = creditIn(t).credit.get(t.id)?.[k];
      return { reward_total: c?.reward ?? undefined, advantage: c?.advantage ?? undefined };
    } : undefined,
  });
  if (typeof values.out === 'string') {
    const file = resolve(values.out);
    const tmp = `${file}.tmp-${process.pid}`;
    writeFileSync(tmp, text);
    renameSync(tmp, file);
    io.err(`exported ${trajs.length} trajectories of ${run.label} as ${format} to ${file}`);
  } else {
    io.out(text);
    io.err(`exported ${trajs.length} trajectories of ${run.label} as ${format}`);
  }
  return 0;
}

export const exportCommands: CommandGroup = {
  summary: `write a run's trajectories for other tools: ${USAGE}`,
  run: runExportCommand,
};
