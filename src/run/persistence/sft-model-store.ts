// Where the browser keeps what a run's SFT stage makes: the exported model folder (the backbone
// of every later stage, and of branch/evaluate/annotate afterwards) and the stage's own checkpoint
// while it trains. Node keeps the same in <out>/model and <out>/sft (sft-host-node.ts).
//
// Its own IndexedDB database ("stepwise-sft"), not a new store in the run store's: a page that
// holds the run store open at its version is never asked to upgrade, and the run store's schema
// stays as it is. The cost is that deleting a run there leaves its model here; `retain` drops the
// models of runs that no longer exist (the SFT stage calls it before it adds one).
//
// Guarantees:
// - An export is written in one transaction with a manifest (bytes and CRC-32 per file), and the
//   same transaction drops the stage's checkpoint: a reader sees the old state or the whole new one.
// - `verifyExport` re-checks the manifest, so a damaged record is reported (and can be replaced),
//   never loaded.
// - A full disk is a StoreQuotaError, never a silently dropped write.

import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { SftCheckpointStore } from '../../rl/sft';
import { crc32 } from './checkpoint-file';
import { checkId, isQuotaError, StoreQuotaError } from './store';

export interface SftFileEntry { bytes: number; crc32: number }

/** A run's exported SFT model as stored. */
export interface StoredSftModel {
  runId: string;
  /** What decided the model (sft-host.ts sftRunKey); an export with another key is not reused. */
  key: string;
  createdAt: string;
  files: Record<string, Uint8Array>;
  manifest: Record<string, SftFileEntry>;
}

interface CheckpointRow { runId: string; bytes: Uint8Array }

interface SftDb extends DBSchema {
  models: { key: string; value: StoredSftModel };
  checkpoints: { key: string; value: CheckpointRow };
}

export const SFT_DB_NAME = 'stepwise-sft';
const VERSION = 1;

export interface SftModelStore {
  /** Stores the run's export whole (replacing any other) and drops the stage's checkpoint, in one step. */
  putExport(runId: string, key: string, files: Record<string, Uint8Array>): Promise<void>;
  /** The stored export, unchecked (see verifyExport), or undefined. */
  getExport(runId: string): Promise<StoredSftModel | undefined>;
  deleteExport(runId: string): Promise<void>;
  /** The SFT stage's checkpoint of a run (an interrupted stage resumes from it). */
  checkpoints(runId: string): SftCheckpointStore;
  /** Deletes exports and checkpoints of runs not in `runIds`; returns how many runs it dropped. */
  retain(runIds: ReadonlySet<string>): Promise<number>;
  close(): Promise<void>;
}

export function manifestOf(files: Record<string, Uint8Array>): Record<string, SftFileEntry> {
  return Object.fromEntries(Object.entries(files).map(([name, b]) => [name, { bytes: b.byteLength, crc32: crc32(b) }]));
}

/** Why a stored export cannot be used as it is (a file missing, cut short or changed), or null when it is whole. */
export function verifyExport(stored: StoredSftModel): string | null {
  if (!stored.files || typeof stored.files !== 'object' || !stored.manifest || typeof stored.manifest !== 'object') return 'the record has no files or no manifest';
  for (const [name, want] of Object.entries(stored.manifest)) {
    const got = stored.files[name];
    if (!(got instanceof Uint8Array)) return `${name} is missing`;
    if (got.byteLength !== want.bytes) return `${name} has ${got.byteLength} bytes, not the ${want.bytes} written`;
    if (crc32(got) !== want.crc32) return `${name} does not match its checksum`;
  }
  for (const name of Object.keys(stored.files)) if (!(name in stored.manifest)) return `${name} is not in the manifest`;
  return null;
}

/** Copies that own their bytes (a view into a larger buffer would store the whole buffer). */
function own(files: Record<string, Uint8Array>): Record<string, Uint8Array> {
  return Object.fromEntries(Object.entries(files).map(([name, b]) => [name, b.slice()]));
}

export class IdbSftModelStore implements SftModelStore {
  private constructor(private readonly db: IDBPDatabase<SftDb>) {}

  static async open(name = SFT_DB_NAME): Promise<IdbSftModelStore> {
    const db = await openDB<SftDb>(name, VERSION, {
      upgrade(db) {
        db.createObjectStore('models', { keyPath: 'runId' });
        db.createObjectStore('checkpoints', { keyPath: 'runId' });
      },
    });
    return new IdbSftModelStore(db);
  }

  private async guarded<T>(during: string, job: () => Promise<T>): Promise<T> {
    try {
      return await job();
    } catch (e) {
      // The run store's usage list is not reachable from here; the message still says what failed.
      if (isQuotaError(e)) throw new StoreQuotaError(during, [], e);
      throw e;
    }
  }

  async putExport(runId: string, key: string, files: Record<string, Uint8Array>): Promise<void> {
    checkId(runId, 'run id');
    const copy = own(files);
    const record: StoredSftModel = { runId, key, createdAt: new Date().toISOString(), files: copy, manifest: manifestOf(copy) };
    await this.guarded(`saving the SFT model of run ${runId}`, async () => {
      const tx = this.db.transaction(['models', 'checkpoints'], 'readwrite');
      await Promise.all([tx.objectStore('models').put(record), tx.objectStore('checkpoints').delete(runId), tx.done]);
    });
  }

  getExport(runId: string): Promise<StoredSftModel | undefined> {
    return this.db.get('models', runId);
  }

  async deleteExport(runId: string): Promise<void> {
    await this.db.delete('models', runId);
  }

  checkpoints(runId: string): SftCheckpointStore {
    checkId(runId, 'run id');
    return {
      read: async () => (await this.db.get('checkpoints', runId))?.bytes ?? null,
      write: (bytes) => this.guarded(`saving the SFT checkpoint of run ${runId}`, async () => {
        // One put: IndexedDB commits it whole or not at all, so the previous checkpoint survives a crash mid-write.
        await this.db.put('checkpoints', { runId, bytes: bytes.slice() });
      }),
    };
  }

  async retain(runIds: ReadonlySet<string>): Promise<number> {
    const tx = this.db.transaction(['models', 'checkpoints'], 'readwrite');
    const [models, ckpts] = await Promise.all([tx.objectStore('models').getAllKeys(), tx.objectStore('checkpoints').getAllKeys()]);
    const drop = new Set([...models, ...ckpts].filter((id) => !runIds.has(id)));
    await Promise.all([...[...drop].flatMap((id) => [tx.objectStore('models').delete(id), tx.objectStore('checkpoints').delete(id)]), tx.done]);
    return drop.size;
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
