// The run store: where runs, their trajectories, metrics and checkpoints live. Two backends share
// this contract: IndexedDB in the browser (idb-store.ts) and files in Node (file-store.ts).
//
// Guarantees every backend keeps:
// - A write is all or nothing. A run record or a checkpoint is either wholly visible after a crash
//   or not at all; a half-written checkpoint is never loaded, and the latest complete one is.
//   Each appended trajectory and metric row is whole or absent (IndexedDB also keeps a batch
//   together; files may keep the first records of a batch cut short by a crash).
// - Appends are ordered: metric rows come back in the order they were written, trajectories by
//   iteration and then in the order they were written.
// - Running out of space is a StoreQuotaError that says which runs hold the space, never a
//   silently dropped write.

import type { Trajectory } from '../../rl/trajectory';
import { savedRunConfig, type RunConfig } from '../config';

/** JSON-serialisable data (what run records, metric rows and checkpoint metadata may hold). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export type RunStatus = 'created' | 'running' | 'paused' | 'finished' | 'failed' | 'cancelled';

export interface RunRecord {
  id: string;
  /** Human label for lists ("spa · household · seed 1"). */
  label: string;
  config: RunConfig;
  status: RunStatus;
  /** ISO times. */
  createdAt: string;
  updatedAt: string;
  /** The stage the run is in, or stopped in ("explore", "estimator", "ppo", "eval", …). */
  stage?: string;
  /** Last completed PPO iteration (−1 before the first). */
  iteration?: number;
  /** Failure message when status is "failed". */
  error?: string;
  /** Anything else the orchestrator keeps (final results, timings). */
  extra?: { [key: string]: Json };
}

/** One metrics row: an iteration (or stage event) and named values (verl/TRL names). */
export interface MetricRow {
  iteration: number;
  [name: string]: Json;
}

export interface Checkpoint {
  /** The PPO iteration it was taken after (−1 for before PPO, e.g. after BC). */
  iteration: number;
  createdAt: string;
  /** Small structured state: optimiser step counts, RNG positions, stage, parameter layout. */
  meta: { [key: string]: Json };
  /** Named binary payloads (e.g. safetensors files of the policy, value and estimator heads). */
  blobs: { [name: string]: Uint8Array };
}

export interface RunUsage {
  runId: string;
  label: string;
  createdAt: string;
  trajectories: number;
  checkpoints: number;
  /** Approximate bytes held by the run. */
  bytes: number;
}

export interface RunStore {
  /** Creates or replaces the run record. */
  putRun(run: RunRecord): Promise<void>;
  getRun(id: string): Promise<RunRecord | undefined>;
  /** All runs, oldest first. */
  listRuns(): Promise<RunRecord[]>;
  /** Removes the run and everything stored for it, in one step. */
  deleteRun(id: string): Promise<void>;

  /** Appends a batch (see the atomicity note above); ids should be unique within the run. */
  appendTrajectories(runId: string, trajs: readonly Trajectory[]): Promise<void>;
  /** The run's trajectories by iteration, then in write order; optionally of one iteration only. */
  trajectories(runId: string, filter?: { iteration?: number }): Promise<Trajectory[]>;

  appendMetrics(runId: string, rows: readonly MetricRow[]): Promise<void>;
  metrics(runId: string): Promise<MetricRow[]>;

  /** Stores a checkpoint atomically, replacing one of the same iteration. */
  saveCheckpoint(runId: string, ckpt: Checkpoint): Promise<void>;
  /** The complete checkpoint with the highest iteration; incomplete writes are never returned. */
  latestCheckpoint(runId: string): Promise<Checkpoint | undefined>;
  /** Iterations of the complete checkpoints, ascending. */
  checkpointIterations(runId: string): Promise<number[]>;
  /** Deletes all but the newest `keep` checkpoints. */
  pruneCheckpoints(runId: string, keep: number): Promise<void>;

  /** What each run holds, largest first (for a quota message or a storage screen). */
  usage(): Promise<RunUsage[]>;
  close(): Promise<void>;
}

/**
 * A run record as a backend reads it back: its config as the run was trained (config.ts
 * savedRunConfig), so a run saved before a config field existed is not given that field's
 * default for new runs. Every backend's getRun and listRuns return records through this.
 */
export function savedRunRecord(run: RunRecord): RunRecord {
  return { ...run, config: savedRunConfig(run.config) };
}

/**
 * How every StoreQuotaError message starts. The message is what crosses the trainer worker's
 * boundary and is kept in a failed run's record, so the lab recognises it by this (isStorageFullMessage).
 */
export const STORAGE_FULL_PREFIX = 'storage is full while ';

/** Raised when the backing storage is full. `runs` says what holds the space, largest first. */
export class StoreQuotaError extends Error {
  constructor(readonly during: string, readonly runs: RunUsage[], override readonly cause?: unknown) {
    const list = runs.slice(0, 5).map((r) => `${r.label || r.runId} (${formatBytes(r.bytes)}, ${r.checkpoints} checkpoints)`).join(', ');
    super(`${STORAGE_FULL_PREFIX}${during}; nothing of this write was kept. ` +
      (runs.length ? `Delete runs you no longer need, or prune their checkpoints: ${list}.` : 'Free some disk or browser storage.'));
    this.name = 'StoreQuotaError';
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/** What a StoreQuotaError's message says the store was doing (its `during`), or null for any other message. */
export function storageFullDuring(message: string): string | null {
  const at = message.indexOf(STORAGE_FULL_PREFIX);
  if (at < 0) return null;
  const rest = message.slice(at + STORAGE_FULL_PREFIX.length);
  const end = rest.indexOf('; nothing of this write was kept');
  return end < 0 ? null : rest.slice(0, end);
}

/** Whether an error means "out of space" (IndexedDB's QuotaExceededError, Node's ENOSPC/EDQUOT). */
export function isQuotaError(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const { name, code } = e as { name?: unknown; code?: unknown };
  return name === 'QuotaExceededError' || code === 'ENOSPC' || code === 'EDQUOT' || code === 22;
}

/** Rejects a checkpoint the backends cannot order or store. */
export function checkCheckpoint(c: Checkpoint): void {
  if (!Number.isInteger(c.iteration) || c.iteration < -1) throw new RangeError(`checkpoint iteration must be an integer ≥ −1, got ${c.iteration}`);
  for (const [name, b] of Object.entries(c.blobs)) {
    if (!(b instanceof Uint8Array)) throw new TypeError(`checkpoint blob "${name}" must be a Uint8Array`);
  }
}

/** Rejects ids that could escape a directory or collide with the store's own files. */
export function checkId(id: string, what: string): void {
  if (!/^[\w.-]{1,200}$/.test(id) || id.startsWith('.')) throw new RangeError(`${what} "${id}" must be 1–200 letters, digits, '_', '-' or '.', not starting with '.'`);
}
