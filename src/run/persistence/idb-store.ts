// The run store in IndexedDB (the browser), through `idb`. Every write is one transaction, so a
// checkpoint, a batch of trajectories or of metric rows is committed whole or not at all: a tab
// closed or a worker killed mid-write leaves the previous state.
//
// Stores (all keyed by run first, so a run's records are one key range):
//   runs          id
//   trajectories  [runId, seq]        seq = write order within the run; index byIteration
//   metrics       [runId, seq]
//   checkpoints   [runId, iteration]

import { openDB, type DBSchema, type IDBPDatabase, type IDBPObjectStore } from 'idb';
import type { Trajectory } from '../../rl/trajectory';
import {
  checkCheckpoint, checkId, isQuotaError, savedRunRecord, StoreQuotaError, type Checkpoint, type MetricRow, type RunRecord, type RunStore, type RunUsage,
} from './store';

interface TrajectoryRow { runId: string; seq: number; iteration: number; bytes: number; traj: Trajectory }
interface MetricsRow { runId: string; seq: number; row: MetricRow }
interface CheckpointRow { runId: string; iteration: number; bytes: number; ckpt: Checkpoint }

interface StepwiseDb extends DBSchema {
  runs: { key: string; value: RunRecord };
  trajectories: { key: [string, number]; value: TrajectoryRow; indexes: { byIteration: [string, number] } };
  metrics: { key: [string, number]; value: MetricsRow };
  checkpoints: { key: [string, number]; value: CheckpointRow };
}

export const DEFAULT_DB_NAME = 'stepwise';
const VERSION = 1;

/** Every key of one run in a store keyed [runId, number]. */
const runRange = (runId: string) => IDBKeyRange.bound([runId, -Infinity], [runId, Infinity]);

/** The next free seq of a run in a [runId, seq] store, read inside the writing transaction. */
async function nextSeq<N extends 'trajectories' | 'metrics'>(store: IDBPObjectStore<StepwiseDb, [N], N, 'readwrite'>, runId: string): Promise<number> {
  const last = await store.openCursor(runRange(runId), 'prev');
  return last ? last.primaryKey[1] + 1 : 0;
}

export class IdbRunStore implements RunStore {
  private constructor(private readonly db: IDBPDatabase<StepwiseDb>) {}

  static async open(name = DEFAULT_DB_NAME): Promise<IdbRunStore> {
    const db = await openDB<StepwiseDb>(name, VERSION, {
      upgrade(db) {
        db.createObjectStore('runs', { keyPath: 'id' });
        const t = db.createObjectStore('trajectories', { keyPath: ['runId', 'seq'] });
        t.createIndex('byIteration', ['runId', 'iteration']);
        db.createObjectStore('metrics', { keyPath: ['runId', 'seq'] });
        db.createObjectStore('checkpoints', { keyPath: ['runId', 'iteration'] });
      },
    });
    return new IdbRunStore(db);
  }

  /** Runs a write; QuotaExceededError becomes a StoreQuotaError listing what holds the space. */
  private async guarded<T>(during: string, job: () => Promise<T>): Promise<T> {
    try {
      return await job();
    } catch (e) {
      if (isQuotaError(e)) throw new StoreQuotaError(during, await this.usage().catch(() => []), e);
      throw e;
    }
  }

  async putRun(run: RunRecord): Promise<void> {
    checkId(run.id, 'run id');
    await this.guarded(`saving run ${run.id}`, () => this.db.put('runs', run));
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const run = await this.db.get('runs', id);
    return run && savedRunRecord(run);
  }

  async listRuns(): Promise<RunRecord[]> {
    const runs = (await this.db.getAll('runs')).map(savedRunRecord);
    return runs.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async deleteRun(id: string): Promise<void> {
    const tx = this.db.transaction(['runs', 'trajectories', 'metrics', 'checkpoints'], 'readwrite');
    await Promise.all([
      tx.objectStore('runs').delete(id),
      tx.objectStore('trajectories').delete(runRange(id)),
      tx.objectStore('metrics').delete(runRange(id)),
      tx.objectStore('checkpoints').delete(runRange(id)),
      tx.done,
    ]);
  }

  async appendTrajectories(runId: string, trajs: readonly Trajectory[]): Promise<void> {
    checkId(runId, 'run id');
    if (trajs.length === 0) return;
    await this.guarded(`saving trajectories of run ${runId}`, async () => {
      const tx = this.db.transaction('trajectories', 'readwrite');
      let seq = await nextSeq(tx.store, runId);
      // bytes: the JSON length, close to what IDB holds, for the storage usage list.
      const puts = trajs.map((traj) => tx.store.put({ runId, seq: seq++, iteration: traj.iteration, bytes: JSON.stringify(traj).length, traj }));
      await Promise.all([...puts, tx.done]);
    });
  }

  async trajectories(runId: string, filter: { iteration?: number } = {}): Promise<Trajectory[]> {
    const rows = filter.iteration === undefined
      ? await this.db.getAll('trajectories', runRange(runId))
      : await this.db.getAllFromIndex('trajectories', 'byIteration', [runId, filter.iteration]);
    return rows.sort((a, b) => a.iteration - b.iteration || a.seq - b.seq).map((r) => r.traj);
  }

  async appendMetrics(runId: string, rows: readonly MetricRow[]): Promise<void> {
    checkId(runId, 'run id');
    if (rows.length === 0) return;
    await this.guarded(`saving metrics of run ${runId}`, async () => {
      const tx = this.db.transaction('metrics', 'readwrite');
      let seq = await nextSeq(tx.store, runId);
      const puts = rows.map((row) => tx.store.put({ runId, seq: seq++, row }));
      await Promise.all([...puts, tx.done]);
    });
  }

  async metrics(runId: string): Promise<MetricRow[]> {
    return (await this.db.getAll('metrics', runRange(runId))).map((r) => r.row);
  }

  async saveCheckpoint(runId: string, ckpt: Checkpoint): Promise<void> {
    checkId(runId, 'run id');
    checkCheckpoint(ckpt);
    const bytes = Object.values(ckpt.blobs).reduce((a, b) => a + b.byteLength, 0);
    await this.guarded(`saving checkpoint ${ckpt.iteration} of run ${runId}`, () => this.db.put('checkpoints', { runId, iteration: ckpt.iteration, bytes, ckpt }));
  }

  async latestCheckpoint(runId: string): Promise<Checkpoint | undefined> {
    const cursor = await this.db.transaction('checkpoints').store.openCursor(runRange(runId), 'prev');
    return cursor?.value.ckpt;
  }

  async checkpointIterations(runId: string): Promise<number[]> {
    return (await this.db.getAllKeys('checkpoints', runRange(runId))).map((k) => k[1]);
  }

  async pruneCheckpoints(runId: string, keep: number): Promise<void> {
    const its = await this.checkpointIterations(runId);
    const drop = its.slice(0, Math.max(0, its.length - keep));
    if (drop.length === 0) return;
    const tx = this.db.transaction('checkpoints', 'readwrite');
    await Promise.all([...drop.map((it) => tx.store.delete([runId, it])), tx.done]);
  }

  async usage(): Promise<RunUsage[]> {
    const out: RunUsage[] = [];
    for (const run of await this.listRuns()) {
      const trajs = await this.db.getAll('trajectories', runRange(run.id));
      const ckpts = await this.db.getAll('checkpoints', runRange(run.id));
      // The record and metric rows count too (as JSON), as the file store counts run.json and
      // metrics.jsonl: a run imported without trajectories or checkpoints does not read as 0 B.
      const metrics = await this.db.getAll('metrics', runRange(run.id));
      const bytes = trajs.reduce((a, r) => a + r.bytes, 0) + ckpts.reduce((a, r) => a + r.bytes, 0) + JSON.stringify(run).length + JSON.stringify(metrics).length;
      out.push({ runId: run.id, label: run.label, createdAt: run.createdAt, trajectories: trajs.length, checkpoints: ckpts.length, bytes });
    }
    return out.sort((a, b) => b.bytes - a.bytes);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
