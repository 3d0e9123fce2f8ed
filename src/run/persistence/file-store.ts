// The run store on the file system (Node). One directory per run:
//
//   run.json                       the run record (replaced atomically)
//   metrics.jsonl                  one metric row per line (the CLI's documented output)
//   trajectories/it-000003.jsonl   one trajectory per line, a file per iteration
//   checkpoints/ckpt-00000004.swck one checkpoint per file (checkpoint-file.ts); the number is
//                                  iteration + 1, so the pre-PPO checkpoint (−1) sorts first
//
// Atomicity. Whole files (run.json, checkpoints) are written to a temporary name in the same
// directory, flushed to disk, then renamed over the final name: a reader sees the old file or the
// new one, never a mix. A crash can leave the temporary behind; loaders only read final names, so
// it is ignored (and pruneCheckpoints removes it). JSONL appends write each batch with one call;
// a crash can cut the last line short, so readers drop a final line without its newline, and the
// next append first cuts such a tail off, so no later line is glued to it.

import { randomBytes } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Trajectory } from '../../rl/trajectory';
import { CheckpointFormatError, packCheckpoint, unpackCheckpoint } from './checkpoint-file';
import {
  checkCheckpoint, checkId, isQuotaError, savedRunRecord, StoreQuotaError, type Checkpoint, type MetricRow, type RunRecord, type RunStore, type RunUsage,
} from './store';

const CKPT_EXT = '.swck';

export interface FileStoreOptions {
  /** Told about a checkpoint file that is skipped because it is incomplete or damaged. */
  onSkipped?: (file: string, reason: string) => void;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

async function writeAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const fh = await fs.open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (e) {
    await fh.close();
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  try {
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

/** Cuts a final line that has no newline (a torn append) off the file, if there is one. */
async function cutTornTail(file: string): Promise<void> {
  let fh;
  try {
    fh = await fs.open(file, 'r+');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  try {
    const { size } = await fh.stat();
    if (size === 0) return;
    const last = Buffer.alloc(1);
    await fh.read(last, 0, 1, size - 1);
    if (last[0] === 0x0a) return;
    // Scan backwards for the previous newline; the torn line starts after it.
    const chunk = Buffer.alloc(64 * 1024);
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - chunk.length);
      const { bytesRead } = await fh.read(chunk, 0, end - start, start);
      const nl = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (nl >= 0) { await fh.truncate(start + nl + 1); return; }
      end = start;
    }
    await fh.truncate(0);
  } finally {
    await fh.close();
  }
}

/** The complete lines of a JSONL file, parsed; a torn final line is dropped. */
async function readJsonl<T>(file: string): Promise<T[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const lines = text.split('\n');
  lines.pop(); // '' after the last newline, or the torn tail of an interrupted append
  return lines.map((line, i) => {
    try {
      return JSON.parse(line) as T;
    } catch {
      throw new Error(`${file}: line ${i + 1} is not JSON; the file was changed outside the store`);
    }
  });
}

/**
 * The run record in a single-run directory (its run.json), read back as getRun reads it: for the
 * CLI's checks before it opens a store. Throws ENOENT when the directory holds no run.
 */
export function readRunJson(dir: string): RunRecord {
  return savedRunRecord(JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8')) as RunRecord);
}

export class FileRunStore implements RunStore {
  // Appends to one file go one after another, so batches never interleave.
  private readonly queues = new Map<string, Promise<unknown>>();

  private constructor(
    private readonly root: string,
    /** Single-run mode: the run's files live directly in `root`. */
    private readonly single: boolean,
    private readonly opts: FileStoreOptions,
  ) {}

  /** Many runs, each in root/<runId>/. */
  static async open(root: string, opts: FileStoreOptions = {}): Promise<FileRunStore> {
    await fs.mkdir(root, { recursive: true });
    return new FileRunStore(root, false, opts);
  }

  /** One run whose files are directly in `dir` (the CLI's --out directory). */
  static async openRunDir(dir: string, opts: FileStoreOptions = {}): Promise<FileRunStore> {
    await fs.mkdir(dir, { recursive: true });
    return new FileRunStore(dir, true, opts);
  }

  private async dirOf(runId: string): Promise<string> {
    checkId(runId, 'run id');
    if (!this.single) return path.join(this.root, runId);
    const existing = await this.readRun(this.root);
    if (existing && existing.id !== runId) throw new Error(`${this.root} holds run "${existing.id}", not "${runId}"`);
    return this.root;
  }

  private async readRun(dir: string): Promise<RunRecord | undefined> {
    try {
      return savedRunRecord(JSON.parse(await fs.readFile(path.join(dir, 'run.json'), 'utf8')) as RunRecord);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  private serial<T>(key: string, job: () => Promise<T>): Promise<T> {
    const prev = this.queues.get(key) ?? Promise.resolve();
    const next = prev.then(job, job);
    this.queues.set(key, next.catch(() => undefined));
    return next;
  }

  /** Runs a write; "disk full" becomes a StoreQuotaError listing what holds the space. */
  private async guarded<T>(during: string, job: () => Promise<T>): Promise<T> {
    try {
      return await job();
    } catch (e) {
      if (isQuotaError(e)) throw new StoreQuotaError(during, await this.usage().catch(() => []), e);
      throw e;
    }
  }

  private append(file: string, lines: string[], during: string): Promise<void> {
    if (lines.length === 0) return Promise.resolve();
    return this.serial(file, () => this.guarded(during, async () => {
      await fs.mkdir(path.dirname(file), { recursive: true });
      await cutTornTail(file);
      await fs.appendFile(file, lines.join('\n') + '\n');
    }));
  }

  async putRun(run: RunRecord): Promise<void> {
    const dir = await this.dirOf(run.id);
    await this.guarded(`saving run ${run.id}`, async () => {
      await fs.mkdir(dir, { recursive: true });
      await writeAtomic(path.join(dir, 'run.json'), JSON.stringify(run, null, 2) + '\n');
    });
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const run = await this.readRun(await this.dirOf(id));
    return run?.id === id ? run : undefined;
  }

  async listRuns(): Promise<RunRecord[]> {
    const dirs = this.single ? [this.root] : (await fs.readdir(this.root, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => path.join(this.root, d.name));
    const runs = (await Promise.all(dirs.map((d) => this.readRun(d)))).filter((r): r is RunRecord => r !== undefined);
    return runs.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async deleteRun(id: string): Promise<void> {
    const dir = await this.dirOf(id);
    if (!this.single) {
      // Renamed away first, so a crash mid-delete never leaves a half-deleted run that still lists.
      const trash = path.join(this.root, `.deleted-${id}-${randomBytes(4).toString('hex')}`);
      try {
        await fs.rename(dir, trash);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw e;
      }
      await fs.rm(trash, { recursive: true, force: true });
      return;
    }
    await fs.rm(path.join(dir, 'run.json'), { force: true });
    for (const p of ['metrics.jsonl', 'trajectories', 'checkpoints']) await fs.rm(path.join(dir, p), { recursive: true, force: true });
  }

  async appendTrajectories(runId: string, trajs: readonly Trajectory[]): Promise<void> {
    const dir = await this.dirOf(runId);
    const byIteration = new Map<number, string[]>();
    for (const t of trajs) {
      if (!Number.isInteger(t.iteration) || t.iteration < 0) throw new RangeError(`trajectory ${t.id}: iteration must be an integer ≥ 0, got ${t.iteration}`);
      const lines = byIteration.get(t.iteration) ?? [];
      lines.push(JSON.stringify(t));
      byIteration.set(t.iteration, lines);
    }
    for (const [it, lines] of byIteration) {
      await this.append(path.join(dir, 'trajectories', `it-${pad(it, 6)}.jsonl`), lines, `saving trajectories of run ${runId}`);
    }
  }

  async trajectories(runId: string, filter: { iteration?: number } = {}): Promise<Trajectory[]> {
    const tdir = path.join(await this.dirOf(runId), 'trajectories');
    let files: string[];
    try {
      files = (await fs.readdir(tdir)).filter((f) => /^it-\d+\.jsonl$/.test(f)).sort();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    if (filter.iteration !== undefined) files = files.filter((f) => f === `it-${pad(filter.iteration!, 6)}.jsonl`);
    const parts = await Promise.all(files.map((f) => readJsonl<Trajectory>(path.join(tdir, f))));
    return parts.flat();
  }

  async appendMetrics(runId: string, rows: readonly MetricRow[]): Promise<void> {
    const dir = await this.dirOf(runId);
    await this.append(path.join(dir, 'metrics.jsonl'), rows.map((r) => JSON.stringify(r)), `saving metrics of run ${runId}`);
  }

  async metrics(runId: string): Promise<MetricRow[]> {
    return readJsonl<MetricRow>(path.join(await this.dirOf(runId), 'metrics.jsonl'));
  }

  private async checkpointFiles(runId: string): Promise<{ dir: string; files: string[] }> {
    const dir = path.join(await this.dirOf(runId), 'checkpoints');
    try {
      return { dir, files: (await fs.readdir(dir)).filter((f) => /^ckpt-\d+\.swck$/.test(f)).sort() };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { dir, files: [] };
      throw e;
    }
  }

  async saveCheckpoint(runId: string, ckpt: Checkpoint): Promise<void> {
    checkCheckpoint(ckpt);
    const dir = path.join(await this.dirOf(runId), 'checkpoints');
    const bytes = packCheckpoint(ckpt);
    await this.guarded(`saving checkpoint ${ckpt.iteration} of run ${runId}`, async () => {
      await fs.mkdir(dir, { recursive: true });
      await writeAtomic(path.join(dir, `ckpt-${pad(ckpt.iteration + 1, 8)}${CKPT_EXT}`), bytes);
    });
  }

  private async load(file: string): Promise<Checkpoint | undefined> {
    try {
      return unpackCheckpoint(new Uint8Array(await fs.readFile(file)));
    } catch (e) {
      if (!(e instanceof CheckpointFormatError)) throw e;
      (this.opts.onSkipped ?? ((f, why) => console.warn(`[stepwise] skipping checkpoint ${f}: ${why}`)))(file, e.message);
      return undefined;
    }
  }

  async latestCheckpoint(runId: string): Promise<Checkpoint | undefined> {
    const { dir, files } = await this.checkpointFiles(runId);
    for (const f of files.reverse()) {
      const c = await this.load(path.join(dir, f));
      if (c) return c;
    }
    return undefined;
  }

  async checkpointIterations(runId: string): Promise<number[]> {
    const { files } = await this.checkpointFiles(runId);
    return files.map((f) => Number(f.slice(5, -CKPT_EXT.length)) - 1);
  }

  async pruneCheckpoints(runId: string, keep: number): Promise<void> {
    const { dir, files } = await this.checkpointFiles(runId);
    const drop = files.slice(0, Math.max(0, files.length - keep));
    let all: string[] = [];
    try { all = await fs.readdir(dir); } catch { /* no checkpoints directory: nothing to prune */ }
    const temps = all.filter((f) => f.includes(`${CKPT_EXT}.tmp-`));
    await Promise.all([...drop, ...temps].map((f) => fs.rm(path.join(dir, f), { force: true })));
  }

  private async sizeOf(p: string): Promise<number> {
    const st = await fs.stat(p).catch(() => undefined);
    if (!st) return 0;
    if (!st.isDirectory()) return st.size;
    const names = await fs.readdir(p);
    return (await Promise.all(names.map((n) => this.sizeOf(path.join(p, n))))).reduce((a, b) => a + b, 0);
  }

  /** Complete lines over the run's trajectory files, without parsing them. */
  private async countTrajectories(runId: string): Promise<number> {
    const tdir = path.join(await this.dirOf(runId), 'trajectories');
    const files = await fs.readdir(tdir).catch(() => [] as string[]);
    let n = 0;
    for (const f of files.filter((x) => x.endsWith('.jsonl'))) {
      const buf = await fs.readFile(path.join(tdir, f));
      for (let i = 0; i < buf.length; i++) if (buf[i] === 0x0a) n++;
    }
    return n;
  }

  async usage(): Promise<RunUsage[]> {
    const out: RunUsage[] = [];
    for (const run of await this.listRuns()) {
      const dir = await this.dirOf(run.id);
      const parts = this.single ? ['run.json', 'metrics.jsonl', 'trajectories', 'checkpoints'].map((p) => path.join(dir, p)) : [dir];
      const bytes = (await Promise.all(parts.map((p) => this.sizeOf(p)))).reduce((a, b) => a + b, 0);
      out.push({
        runId: run.id, label: run.label, createdAt: run.createdAt, bytes,
        trajectories: await this.countTrajectories(run.id),
        checkpoints: (await this.checkpointFiles(run.id)).files.length,
      });
    }
    return out.sort((a, b) => b.bytes - a.bytes);
  }

  async close(): Promise<void> {
    await Promise.all(this.queues.values());
  }
}
