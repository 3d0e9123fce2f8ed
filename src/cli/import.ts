// `stepwise import`: trajectories from another tool into a run directory. Scripts outside the
// project call this exact form:
//   stepwise import --format spa --file f.json --into dir
// (--format also takes steps, sharegpt and verl: whatever `stepwise export` writes.)
//
// The whole file is validated first (run/export.ts importTrajectories). Malformed input exits 2
// with a message naming what is wrong and where, and writes nothing: not a file, not a directory.
// A directory that already holds a run gets the trajectories appended (ids must be new to it);
// otherwise a run record is created for them, labelled with the file, so that `stepwise export`
// and the lab read it like any run.

import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ENV_REGISTRY } from '../envs/registry';
import { defaultRunConfig } from '../run/config';
import { EXPORT_FORMATS, ImportError, importTrajectories, type ExportFormat } from '../run/export';
import { FileRunStore, readRunJson } from '../run/persistence/file-store';
import type { RunRecord } from '../run/persistence/store';
import type { Trajectory } from '../rl/trajectory';
import type { CommandGroup } from './command-group';
import { UsageError, type CliIO } from './io';

const USAGE = `stepwise import --format ${EXPORT_FORMATS.join('|')} --file f.json --into dir`;

/** A run id from the file's name ("imported-spa-rollouts_json"): letters, digits, '_', '-', '.'. */
export function importedRunId(format: ExportFormat, file: string): string {
  const stem = basename(file).replace(/[^\w.-]+/g, '_').replace(/^\.+/, '').slice(0, 150) || 'file';
  return `imported-${format}-${stem}`;
}

export async function runImportCommand(args: string[], io: CliIO): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(`usage: ${USAGE}\n\nValidates the whole file first; malformed input exits 2 and writes nothing.`);
    return 0;
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args, strict: true, allowPositionals: false, options: { format: { type: 'string' }, file: { type: 'string' }, into: { type: 'string' } } }).values;
  } catch (e) {
    throw new UsageError(`${e instanceof Error ? e.message : String(e)}\nusage: ${USAGE}`);
  }
  for (const f of ['format', 'file', 'into'] as const) if (typeof values[f] !== 'string') throw new UsageError(`missing --${f}\nusage: ${USAGE}`);
  const format = values.format as ExportFormat;
  if (!EXPORT_FORMATS.includes(format)) throw new UsageError(`unknown format "${values.format}"; known: ${EXPORT_FORMATS.join(', ')}`);
  const file = resolve(values.file as string);
  const dir = resolve(values.into as string);

  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
  let trajs: Trajectory[];
  try {
    trajs = importTrajectories(text, format);
  } catch (e) {
    if (e instanceof ImportError) throw new UsageError(`${file}: ${e.message}`);
    throw e;
  }

  // Everything that could refuse the import is checked before the first write.
  const existing = existsSync(join(dir, 'run.json')) ? readRunJson(dir) : null;
  const store = await FileRunStore.openRunDir(dir);
  try {
    let run: RunRecord;
    if (existing) {
      run = existing;
      const have = new Set((await store.trajectories(run.id)).map((t) => t.id));
      const clash = trajs.find((t) => have.has(t.id));
      if (clash) throw new UsageError(`${file}: trajectory id ${JSON.stringify(clash.id)} is already in ${dir}; nothing was imported`);
    } else {
      const now = new Date().toISOString();
      const config = defaultRunConfig();
      if (ENV_REGISTRY.has(trajs[0].env)) config.env = trajs[0].env;
      run = {
        id: importedRunId(format, file), label: `${basename(file)} (imported)`, config, status: 'finished', createdAt: now, updatedAt: now,
        extra: { imported: { file: basename(file), format } },
      };
      await store.putRun(run);
    }
    await store.appendTrajectories(run.id, trajs);
    io.out(`imported ${trajs.length} trajectories (${trajs.reduce((n, t) => n + t.steps.length, 0)} steps) into ${dir}${existing ? ` (run ${run.id})` : ''}`);
  } finally {
    await store.close();
  }
  return 0;
}

export const importCommands: CommandGroup = {
  summary: `read trajectories into a run directory: ${USAGE}`,
  run: runImportCommand,
};
