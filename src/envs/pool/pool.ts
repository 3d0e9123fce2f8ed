// A pool of environment slots spread over workers. Each call (reset or step) sends one message
// per worker with the operations for all of its slots, and resolves when every worker has
// answered. The pool keeps an action log per slot; when a worker dies, a fresh one is started,
// each of its slots is rebuilt by replaying reset + logged actions (and checked against the last
// observation seen), and the batch that was in flight is sent again, so the caller never sees
// the crash and no trajectory is lost.

import type { Observation, StepResult } from '../env';
import type { Extras, Op, OpOk, OpResult, Request, Response, Spawner, WorkerPort } from './protocol';

export type { Extras, Spawner, WorkerPort } from './protocol';

export interface SlotTask {
  env: string;
  taskId: string;
  seed: number;
}

export interface SlotReset {
  observation: Observation;
  admissible?: string[];
  expert?: string | null;
  stateKey?: string;
}

export interface SlotStep extends StepResult {
  admissible?: string[];
  expert?: string | null;
  stateKey?: string;
}

export interface PoolOptions {
  /** Number of environment slots. */
  slots: number;
  /** Number of workers (default: min(slots, 2)). Slot i lives on worker i % workers. */
  workers?: number;
  spawn: Spawner;
  /** Extras returned with every reset and step unless a call overrides them. */
  want?: Extras;
  /** Give up on a worker that dies this many times in a row without completing a batch. */
  maxConsecutiveRestarts?: number;
}

interface SlotLog {
  task: SlotTask | null;
  actions: string[];
  lastText: string;
}

interface Pending {
  req: Request;
  resolve: (r: OpResult[]) => void;
  reject: (e: Error) => void;
}

interface WorkerState {
  port: WorkerPort;
  gen: number;
  slots: number[];
  /** The caller's batch on this worker, if one is in flight. */
  pending: Pending | null;
  /** Id of the replay request while the worker is being rebuilt. */
  replayId: number;
  deathsInARow: number;
  broken: Error | null;
}

export class PoolError extends Error {
  override name = 'PoolError';
}

export class EnvPool {
  readonly slots: number;
  readonly workerCount: number;
  /** Workers restarted so far (for tests, metrics and the UI). */
  restarts = 0;
  /** Messages sent to workers so far (replays included). */
  messages = 0;

  private readonly spawn: Spawner;
  private readonly want: Extras;
  private readonly maxRestarts: number;
  private readonly logs: SlotLog[];
  private readonly workers: WorkerState[];
  private nextId = 1;
  private closed = false;
  /** Calls run one at a time, so each worker has at most one batch in flight. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(opts: PoolOptions) {
    if (!Number.isInteger(opts.slots) || opts.slots < 1) throw new PoolError(`slots must be a positive integer, got ${opts.slots}`);
    const workers = opts.workers ?? Math.min(opts.slots, 2);
    if (!Number.isInteger(workers) || workers < 1) throw new PoolError(`workers must be a positive integer, got ${workers}`);
    this.slots = opts.slots;
    this.workerCount = Math.min(workers, opts.slots);
    this.spawn = opts.spawn;
    this.want = opts.want ?? {};
    this.maxRestarts = opts.maxConsecutiveRestarts ?? 5;
    this.logs = Array.from({ length: opts.slots }, () => ({ task: null, actions: [], lastText: '' }));
    this.workers = [];
    for (let w = 0; w < this.workerCount; w++) {
      const slots: number[] = [];
      for (let s = w; s < opts.slots; s += this.workerCount) slots.push(s);
      const state: WorkerState = { port: null as unknown as WorkerPort, gen: 0, slots, pending: null, replayId: 0, deathsInARow: 0, broken: null };
      this.workers.push(state);
      this.attach(w);
    }
  }

  /** Reset the given slots (null leaves a slot as it is). Resolves with one entry per slot. */
  reset(tasks: readonly (SlotTask | null)[], want: Extras = this.want): Promise<(SlotReset | null)[]> {
    this.checkLength(tasks.length);
    return this.serial(async () => {
      const ops: (Op | null)[] = tasks.map((t, slot) =>
        t ? { op: 'reset', slot, env: t.env, taskId: t.taskId, seed: t.seed } : null,
      );
      const results = await this.dispatch(ops, want);
      const errors: string[] = [];
      const out = results.map((r, slot): SlotReset | null => {
        const t = tasks[slot];
        if (!r || !t) return null;
        const log = this.logs[slot];
        if (!r.ok) {
          log.task = null;
          log.actions = [];
          errors.push(`slot ${slot} (${t.env} ${t.taskId}): ${r.error}`);
          return null;
        }
        const observation = r.observation as Observation;
        log.task = { ...t };
        log.actions = [];
        log.lastText = observation.text;
        return withExtras({ observation }, r);
      });
      if (errors.length) throw new PoolError(`reset failed: ${errors.join('; ')}`);
      return out;
    });
  }

  /** Step the given slots (null skips a slot). Resolves with one entry per slot. */
  step(actions: readonly (string | null)[], want: Extras = this.want): Promise<(SlotStep | null)[]> {
    this.checkLength(actions.length);
    for (let slot = 0; slot < actions.length; slot++) {
      const a = actions[slot];
      if (a === null) continue;
      if (typeof a !== 'string') return Promise.reject(new PoolError(`slot ${slot}: action must be a string`));
      if (!this.logs[slot].task) return Promise.reject(new PoolError(`slot ${slot} has no episode; reset it first`));
    }
    return this.serial(async () => {
      const ops: (Op | null)[] = actions.map((action, slot) => (action === null ? null : { op: 'step', slot, action }));
      const results = await this.dispatch(ops, want);
      const errors: string[] = [];
      const out = results.map((r, slot): SlotStep | null => {
        const action = actions[slot];
        if (!r || action === null) return null;
        if (!r.ok) {
          errors.push(`slot ${slot}: ${r.error}`);
          return null;
        }
        const result = r.result as StepResult;
        const log = this.logs[slot];
        log.actions.push(action);
        log.lastText = result.observation.text;
        return withExtras({ ...result }, r);
      });
      if (errors.length) throw new PoolError(`step failed: ${errors.join('; ')}`);
      return out;
    });
  }

  /** The actions taken in a slot since its last reset (what a restart replays). */
  actionLog(slot: number): { task: SlotTask | null; actions: string[] } {
    const log = this.logs[slot];
    return { task: log.task && { ...log.task }, actions: log.actions.slice() };
  }

  /** Kill a worker as a crash would (tests and fault drills). The pool restarts it. */
  killWorker(w: number): void {
    this.workers[w].port.terminate();
  }

  /** Make a worker die from an uncaught error inside it (tests). */
  crashWorker(w: number): void {
    const s = this.workers[w];
    this.messages++;
    s.port.post({ id: 0, ops: [{ op: 'crash', slot: s.slots[0] }], want: {} });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.workers) {
      w.pending?.reject(new PoolError('pool closed'));
      w.pending = null;
      w.port.terminate();
    }
  }

  private checkLength(n: number): void {
    if (this.closed) throw new PoolError('pool is closed');
    if (n !== this.slots) throw new PoolError(`expected one entry per slot (${this.slots}), got ${n}`);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Send each worker its share of the ops in one message; results come back indexed by slot. */
  private async dispatch(ops: readonly (Op | null)[], want: Extras): Promise<(OpResult | null)[]> {
    const out: (OpResult | null)[] = new Array(ops.length).fill(null);
    const jobs: Promise<void>[] = [];
    for (let w = 0; w < this.workers.length; w++) {
      const mine: Op[] = [];
      for (const s of this.workers[w].slots) {
        const op = ops[s];
        if (op) mine.push(op);
      }
      if (mine.length === 0) continue;
      jobs.push(
        this.send(w, mine, want).then((results) => {
          for (let i = 0; i < mine.length; i++) out[mine[i].slot] = results[i];
        }),
      );
    }
    await Promise.all(jobs);
    return out;
  }

  private send(w: number, ops: Op[], want: Extras): Promise<OpResult[]> {
    const state = this.workers[w];
    if (state.broken) return Promise.reject(state.broken);
    return new Promise<OpResult[]>((resolve, reject) => {
      const req: Request = { id: this.nextId++, ops, want };
      state.pending = { req, resolve, reject };
      // While a replay is running the batch waits; the replay's completion posts it.
      if (state.replayId === 0) this.post(state, req);
    });
  }

  private post(state: WorkerState, req: Request): void {
    this.messages++;
    state.port.post(req);
  }

  private attach(w: number): void {
    const state = this.workers[w];
    const gen = ++state.gen;
    const port = this.spawn();
    state.port = port;
    port.onMessage((msg) => this.onMessage(w, gen, msg));
    port.onDeath((reason) => this.onDeath(w, gen, reason));
  }

  private onMessage(w: number, gen: number, msg: Response): void {
    const state = this.workers[w];
    if (gen !== state.gen || this.closed) return;
    if (state.replayId !== 0 && msg.id === state.replayId) {
      this.finishReplay(w, msg.results);
      return;
    }
    const p = state.pending;
    if (p && msg.id === p.req.id) {
      state.pending = null;
      state.deathsInARow = 0;
      p.resolve(msg.results);
    }
  }

  private onDeath(w: number, gen: number, reason: string): void {
    const state = this.workers[w];
    if (gen !== state.gen || this.closed) return;
    this.restarts++;
    state.deathsInARow++;
    if (state.deathsInARow > this.maxRestarts) {
      this.fail(state, new PoolError(`env worker ${w} died ${state.deathsInARow} times in a row; last: ${reason}`));
      return;
    }
    this.attach(w);
    const replay: Op[] = [];
    for (const slot of state.slots) {
      const log = this.logs[slot];
      if (!log.task) continue;
      replay.push({ op: 'replay', slot, env: log.task.env, taskId: log.task.taskId, seed: log.task.seed, actions: log.actions.slice() });
    }
    if (replay.length === 0) {
      state.replayId = 0;
      if (state.pending) this.post(state, state.pending.req);
      return;
    }
    const req: Request = { id: this.nextId++, ops: replay, want: {} };
    state.replayId = req.id;
    this.post(state, req);
  }

  private finishReplay(w: number, results: OpResult[]): void {
    const state = this.workers[w];
    state.replayId = 0;
    let i = 0;
    for (const slot of state.slots) {
      const log = this.logs[slot];
      if (!log.task) continue;
      const r = results[i++];
      if (!r || !r.ok) {
        this.fail(state, new PoolError(`replaying slot ${slot} after a worker restart failed: ${r && !r.ok ? r.error : 'no result'}`));
        return;
      }
      if (r.lastText !== log.lastText) {
        this.fail(
          state,
          new PoolError(
            `replaying slot ${slot} (${log.task.env} ${log.task.taskId}) after a worker restart did not reproduce the episode; ` +
              'the environment is not deterministic',
          ),
        );
        return;
      }
    }
    if (state.pending) this.post(state, state.pending.req);
  }

  private fail(state: WorkerState, err: Error): void {
    state.broken = err;
    const p = state.pending;
    state.pending = null;
    p?.reject(err);
  }
}

function withExtras<T extends object>(base: T, r: OpOk): T & { admissible?: string[]; expert?: string | null; stateKey?: string } {
  const out = base as T & { admissible?: string[]; expert?: string | null; stateKey?: string };
  if (r.admissible !== undefined) out.admissible = r.admissible;
  if (r.expert !== undefined) out.expert = r.expert;
  if (r.stateKey !== undefined) out.stateKey = r.stateKey;
  return out;
}
