import 'fake-indexeddb/auto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDB } from 'idb';
import { afterAll, describe, expect, it } from 'vitest';
import { trajectory } from '../../rl/test-trajectories';
import { defaultRunConfig } from '../config';
import { crc32, packCheckpoint, unpackCheckpoint } from './checkpoint-file';
import { FileRunStore } from './file-store';
import { IdbRunStore } from './idb-store';
import { isQuotaError, StoreQuotaError, type Checkpoint, type RunRecord, type RunStore } from './store';

const tmpRoots: string[] = [];
async function tmpDir(): Promise<string> {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), 'stepwise-store-'));
  tmpRoots.push(d);
  return d;
}
afterAll(async () => {
  for (const d of tmpRoots) await fs.rm(d, { recursive: true, force: true });
});

let dbCount = 0;
const backends: [string, () => Promise<RunStore>][] = [
  ['files', async () => FileRunStore.open(await tmpDir())],
  ['IndexedDB', () => IdbRunStore.open(`stepwise-test-${dbCount++}`)],
];

function run(id: string, createdAt = '2026-01-01T00:00:00.000Z'): RunRecord {
  return { id, label: `spa · household · ${id}`, config: defaultRunConfig(), status: 'running', createdAt, updatedAt: createdAt, iteration: -1 };
}

function ckpt(iteration: number, fill = iteration + 2): Checkpoint {
  return {
    iteration,
    createdAt: `2026-01-01T00:00:0${iteration + 1}.000Z`,
    meta: { stage: 'ppo', adamStep: iteration * 10, rng: [1, 2, 3] },
    blobs: { policy: new Uint8Array(1000).fill(fill), value: Uint8Array.of(1, 2, 3) },
  };
}

for (const [name, open] of backends) {
  describe(`run store contract: ${name}`, () => {
    it('runs: put, get, list oldest first, replace', async () => {
      const s = await open();
      await s.putRun(run('b', '2026-02-01T00:00:00.000Z'));
      await s.putRun(run('a', '2026-01-01T00:00:00.000Z'));
      expect((await s.listRuns()).map((r) => r.id)).toEqual(['a', 'b']);
      await s.putRun({ ...run('a'), status: 'finished', iteration: 9 });
      expect(await s.getRun('a')).toMatchObject({ status: 'finished', iteration: 9, config: defaultRunConfig() });
      expect(await s.getRun('zz')).toBeUndefined();
      await s.close();
    });

    it('a run saved before candidates.invalid existed reads back with 0, what it trained with (config.ts savedRunConfig)', async () => {
      const s = await open();
      const { candidates: _dropped, ...old } = defaultRunConfig();
      await s.putRun({ ...run('old'), config: old as unknown as RunRecord['config'] });
      await s.putRun(run('new'));
      expect((await s.getRun('old'))?.config).toEqual({ ...defaultRunConfig(), candidates: { invalid: 0 } });
      expect((await s.listRuns()).map((r) => [r.id, r.config.candidates.invalid])).toEqual([['new', 6], ['old', 0]]);
      await s.close();
    });

    it('trajectories come back whole, by iteration then write order, filterable by iteration', async () => {
      const s = await open();
      await s.putRun(run('r'));
      const t0 = trajectory('t0', 'A', 1, [{ progress: 0.5, key: 'k' }, { valid: false }]);
      const t1 = trajectory('t1', 'B', 0, [{}], { iteration: 1 });
      const t2 = trajectory('t2', 'A', 0.5, [{}, {}, {}], { iteration: 0, bootstrapValue: 0.25 });
      await s.appendTrajectories('r', [t0, t1]);
      await s.appendTrajectories('r', [t2]);
      expect(await s.trajectories('r', { iteration: 0 })).toEqual([t0, t2]);
      expect(await s.trajectories('r', { iteration: 1 })).toEqual([t1]);
      expect((await s.trajectories('r')).map((t) => t.id)).toEqual(['t0', 't2', 't1']);
      expect(await s.trajectories('other')).toEqual([]);
      await s.close();
    });

    it('metrics append in order', async () => {
      const s = await open();
      await s.putRun(run('m'));
      await s.appendMetrics('m', [{ iteration: 0, pg_loss: 0.5, success: 0.1 }]);
      await s.appendMetrics('m', [{ iteration: 1, pg_loss: 0.25, success: 0.2 }, { iteration: 2, pg_loss: 0.125, success: null }]);
      expect((await s.metrics('m')).map((r) => r.iteration)).toEqual([0, 1, 2]);
      expect((await s.metrics('m'))[2]).toEqual({ iteration: 2, pg_loss: 0.125, success: null });
      await s.close();
    });

    it('checkpoints: the latest is loaded byte for byte; same iteration replaces; prune keeps the newest', async () => {
      const s = await open();
      await s.putRun(run('c'));
      expect(await s.latestCheckpoint('c')).toBeUndefined();
      for (const it of [-1, 0, 1, 2]) await s.saveCheckpoint('c', ckpt(it));
      await s.saveCheckpoint('c', ckpt(1, 99));
      expect(await s.checkpointIterations('c')).toEqual([-1, 0, 1, 2]);
      expect(await s.latestCheckpoint('c')).toEqual(ckpt(2));
      await s.pruneCheckpoints('c', 2);
      expect(await s.checkpointIterations('c')).toEqual([1, 2]);
      await s.saveCheckpoint('c', { ...ckpt(3), blobs: {} });
      expect(await s.latestCheckpoint('c')).toEqual({ ...ckpt(3), blobs: {} });
      await s.close();
    });

    it('deleting a run removes everything of it and nothing of others', async () => {
      const s = await open();
      for (const id of ['x', 'y']) {
        await s.putRun(run(id));
        await s.appendTrajectories(id, [trajectory(`${id}0`, 'A', 1, [{}])]);
        await s.appendMetrics(id, [{ iteration: 0 }]);
        await s.saveCheckpoint(id, ckpt(0));
      }
      await s.deleteRun('x');
      expect((await s.listRuns()).map((r) => r.id)).toEqual(['y']);
      expect(await s.trajectories('x')).toEqual([]);
      expect(await s.metrics('x')).toEqual([]);
      expect(await s.latestCheckpoint('x')).toBeUndefined();
      expect(await s.trajectories('y')).toHaveLength(1);
      expect(await s.latestCheckpoint('y')).toEqual(ckpt(0));
      await s.close();
    });

    it('usage lists runs largest first with their counts', async () => {
      const s = await open();
      await s.putRun(run('small'));
      await s.putRun(run('big'));
      await s.saveCheckpoint('big', { ...ckpt(0), blobs: { w: new Uint8Array(50_000) } });
      await s.appendTrajectories('big', [trajectory('b0', 'A', 1, [{}]), trajectory('b1', 'A', 0, [{}])]);
      const u = await s.usage();
      expect(u.map((r) => r.runId)).toEqual(['big', 'small']);
      expect(u[0]).toMatchObject({ trajectories: 2, checkpoints: 1 });
      expect(u[0].bytes).toBeGreaterThan(50_000);
      await s.close();
    });

    it('rejects run ids that could escape the store', async () => {
      const s = await open();
      await expect(s.putRun(run('../evil'))).rejects.toThrow(/run id/);
      await s.close();
    });
  });
}

describe('torn writes: files', () => {
  it('a leftover temporary checkpoint (a write killed before its rename) is ignored; the previous one loads', async () => {
    const dir = await tmpDir();
    const s = await FileRunStore.open(dir);
    await s.putRun(run('r'));
    await s.saveCheckpoint('r', ckpt(3));
    const bytes = packCheckpoint(ckpt(4));
    await fs.writeFile(path.join(dir, 'r', 'checkpoints', 'ckpt-00000005.swck.tmp-999-dead'), bytes.subarray(0, bytes.length >> 1));
    const reopened = await FileRunStore.open(dir);
    expect(await reopened.latestCheckpoint('r')).toEqual(ckpt(3));
    expect(await reopened.checkpointIterations('r')).toEqual([3]);
    await reopened.pruneCheckpoints('r', 5);
    expect(await fs.readdir(path.join(dir, 'r', 'checkpoints'))).toEqual(['ckpt-00000004.swck']);
  });

  it('a truncated or damaged checkpoint under its final name is skipped, and said so', async () => {
    const dir = await tmpDir();
    const skipped: string[] = [];
    const s = await FileRunStore.open(dir, { onSkipped: (_f, why) => skipped.push(why) });
    await s.putRun(run('r'));
    await s.saveCheckpoint('r', ckpt(1));
    const full = packCheckpoint(ckpt(2));
    const file = path.join(dir, 'r', 'checkpoints', 'ckpt-00000003.swck');
    await fs.writeFile(file, full.subarray(0, full.length - 10));
    expect(await s.latestCheckpoint('r')).toEqual(ckpt(1));
    const flipped = full.slice();
    flipped[flipped.length - 1] ^= 0xff;
    await fs.writeFile(file, flipped);
    expect(await s.latestCheckpoint('r')).toEqual(ckpt(1));
    expect(skipped).toEqual([expect.stringMatching(/torn write/), expect.stringMatching(/checksum mismatch/)]);
  });

  it('a metrics line cut short by a crash is dropped on read and cut off before the next append', async () => {
    const dir = await tmpDir();
    const s = await FileRunStore.openRunDir(dir);
    await s.putRun(run('solo'));
    await s.appendMetrics('solo', [{ iteration: 0, success: 0.5 }]);
    await fs.appendFile(path.join(dir, 'metrics.jsonl'), '{"iteration": 1, "succ');
    expect(await s.metrics('solo')).toEqual([{ iteration: 0, success: 0.5 }]);
    await s.appendMetrics('solo', [{ iteration: 1, success: 0.75 }]);
    expect(await s.metrics('solo')).toEqual([{ iteration: 0, success: 0.5 }, { iteration: 1, success: 0.75 }]);
    expect(await fs.readFile(path.join(dir, 'metrics.jsonl'), 'utf8')).toBe('{"iteration":0,"success":0.5}\n{"iteration":1,"success":0.75}\n');
  });

  it('a run directory holds one run: the CLI layout, and another id is refused', async () => {
    const dir = await tmpDir();
    const s = await FileRunStore.openRunDir(dir);
    await s.putRun(run('solo'));
    await s.appendTrajectories('solo', [trajectory('t', 'A', 1, [{}], { iteration: 2 })]);
    await s.saveCheckpoint('solo', ckpt(0));
    expect((await fs.readdir(dir)).sort()).toEqual(['checkpoints', 'run.json', 'trajectories']);
    expect(await fs.readdir(path.join(dir, 'trajectories'))).toEqual(['it-000002.jsonl']);
    await expect(s.putRun(run('other'))).rejects.toThrow(/holds run "solo"/);
    expect((await (await FileRunStore.openRunDir(dir)).listRuns()).map((r) => r.id)).toEqual(['solo']);
  });
});

describe('torn writes: IndexedDB', () => {
  it('a checkpoint transaction aborted mid-write (a killed tab) leaves the previous checkpoint', async () => {
    const name = `stepwise-test-${dbCount++}`;
    const s = await IdbRunStore.open(name);
    await s.putRun(run('r'));
    await s.saveCheckpoint('r', ckpt(3));
    await s.close();
    // Open the database directly and abort a write of the next checkpoint after its put.
    const db = await openDB(name);
    const tx = db.transaction('checkpoints', 'readwrite');
    const put = tx.objectStore('checkpoints').put({ runId: 'r', iteration: 4, bytes: 0, ckpt: ckpt(4) });
    await put;
    tx.abort();
    await tx.done.catch(() => undefined);
    db.close();
    const reopened = await IdbRunStore.open(name);
    expect(await reopened.checkpointIterations('r')).toEqual([3]);
    expect(await reopened.latestCheckpoint('r')).toEqual(ckpt(3));
    await reopened.close();
  });
});

describe('checkpoint format and quota errors', () => {
  it('pack/unpack round-trips; CRC-32 matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(unpackCheckpoint(packCheckpoint(ckpt(7)))).toEqual(ckpt(7));
    expect(() => unpackCheckpoint(new Uint8Array(5))).toThrow(/prefix/);
  });

  it('recognises out-of-space errors and says what to delete', () => {
    expect(isQuotaError(Object.assign(new Error('x'), { name: 'QuotaExceededError' }))).toBe(true);
    expect(isQuotaError(Object.assign(new Error('x'), { code: 'ENOSPC' }))).toBe(true);
    expect(isQuotaError(new Error('other'))).toBe(false);
    const e = new StoreQuotaError('saving checkpoint 4 of run r', [
      { runId: 'old', label: 'outcome · household · seed 2', createdAt: '', trajectories: 900, checkpoints: 12, bytes: 3 * 1024 ** 2 },
    ]);
    expect(e.message).toBe('storage is full while saving checkpoint 4 of run r; nothing of this write was kept. ' +
      'Delete runs you no longer need, or prune their checkpoints: outcome · household · seed 2 (3.0 MiB, 12 checkpoints).');
  });
});
