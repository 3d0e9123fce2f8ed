// A checkpoint as a file people can move between browsers (the lab's checkpoint export and import
// buttons): the store's checkpoint byte format (persistence/checkpoint-file.ts: magic, version,
// header, CRC-checked blobs) with the run it belongs to in its metadata under "run": the label, the
// run config and the pipeline options. The heads' shapes follow from config and options, so an
// imported checkpoint can be played, branched, evaluated and used to credit steps like a run that
// was trained here.

import { packCheckpoint, unpackCheckpoint } from './persistence/checkpoint-file';
import { checkId, type Checkpoint, type Json, type RunRecord, type RunStore } from './persistence/store';
import { safeParseSavedRunConfig, type RunConfig } from './config';
import { TrainerError } from './protocol';

/** File name suffix of an exported checkpoint. */
export const CHECKPOINT_EXTENSION = '.swck';

export interface CheckpointFileRun {
  label: string;
  config: RunConfig;
  options: { [key: string]: Json };
}

function stem(label: string): string {
  return label.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'run';
}

/** The file for a run's checkpoint. */
export function checkpointFile(run: RunRecord, checkpoint: Checkpoint): { filename: string; bytes: Uint8Array } {
  const options = run.extra?.options;
  const about: { [key: string]: Json } = {
    label: run.label,
    config: run.config as unknown as Json,
    options: options && typeof options === 'object' && !Array.isArray(options) ? options : {},
  };
  const bytes = packCheckpoint({ ...checkpoint, meta: { ...checkpoint.meta, run: about } });
  const at = checkpoint.iteration < 0 ? 'before-ppo' : `it${checkpoint.iteration}`;
  return { filename: `${stem(run.label)}-${at}${CHECKPOINT_EXTENSION}`, bytes };
}

/** Reads a checkpoint file; every problem is a bad-request TrainerError that says what is wrong. */
export function readCheckpointFile(bytes: Uint8Array): { checkpoint: Checkpoint; run: CheckpointFileRun } {
  let c: Checkpoint;
  try {
    c = unpackCheckpoint(bytes);
  } catch (e) {
    throw new TrainerError('bad-request', `this is not a Stepwise checkpoint file: ${e instanceof Error ? e.message : String(e)}`);
  }
  const { run, ...meta } = c.meta;
  if (!run || typeof run !== 'object' || Array.isArray(run)) {
    throw new TrainerError('bad-request', 'the checkpoint does not say which run it belongs to (no "run" in its metadata); export it again from the lab');
  }
  // A saved run's config: fields it predates read as what it trained with, not today's defaults.
  const parsed = safeParseSavedRunConfig(run.config);
  if (!parsed.ok) throw new TrainerError('bad-request', `the checkpoint's run config is not valid here: ${parsed.error.message}`);
  const options = run.options && typeof run.options === 'object' && !Array.isArray(run.options) ? run.options : {};
  const label = typeof run.label === 'string' && run.label ? run.label : `${parsed.config.reward} · ${parsed.config.env} · seed ${parsed.config.seed}`;
  return { checkpoint: { ...c, meta }, run: { label, config: parsed.config, options } };
}

/**
 * Stores an imported checkpoint as a new finished run (record first, then the checkpoint; the
 * record is removed again if the checkpoint cannot be written). Returns the run's id and label.
 */
export async function importCheckpoint(store: RunStore, bytes: Uint8Array, runId: string): Promise<{ runId: string; label: string }> {
  checkId(runId, 'run id');
  const { checkpoint, run } = readCheckpointFile(bytes);
  if (await store.getRun(runId)) throw new TrainerError('bad-request', `there is already a run "${runId}"`);
  const now = new Date().toISOString();
  const label = `${run.label} (imported)`;
  await store.putRun({
    id: runId, label, config: run.config, status: 'finished', createdAt: now, updatedAt: now,
    iteration: Math.max(-1, checkpoint.iteration), stage: typeof checkpoint.meta.stage === 'string' ? checkpoint.meta.stage : undefined,
    extra: { options: run.options, imported: 'checkpoint' },
  });
  try {
    await store.saveCheckpoint(runId, checkpoint);
  } catch (e) {
    await store.deleteRun(runId).catch(() => {});
    throw e;
  }
  return { runId, label };
}
