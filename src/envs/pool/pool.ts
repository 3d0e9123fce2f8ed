// A pool of environment slots spread over workers. A batch (any mix of resets and steps over
// the slots) goes out as one message per worker and resolves when every worker has answered.
// Batches on disjoint slots may be in flight together (so a caller can step one half of its
// slots while it thinks about the other); batches that share a slot run in call order.
//
// The pool keeps an action log per slot. When a worker dies, a fresh one is started, each of its
// slots is rebuilt by replaying reset + logged actions (checked against the last observation
// seen), and the batches that were in flight are sent again, so the caller never sees the crash
// and no trajectory is lost. Workers speak the core worker transport; its crash rule (a worker that
// throws, exits or sends something unreadable is terminated and reported) is what starts a restart.

import { WorkerClient } from '../../core/worker/client';
import type { Spawner } from '../../core/worker/port';
import { WorkerCrashedError } from '../../core/worker/protocol';
import type { Observation, StepResult } from '../env';
import type { EnvProtocol, Extras, Op, OpOk, OpResult } from './protocol';

export type { Spawner, WorkerPort } from '../../core/worker/port';
export type { Extras } from './protocol';

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
  plausible?: string[];
}

export interface SlotStep extends StepResult {
  admissible?: string[];
  expert?: string | null;
  stateKey?: string;
  plausible?: string[];
}

/** One slot's part of a batch: start an episode, take an action, or (null) nothing. */
export type SlotOp = { reset: SlotTask } | { step: string } | null;
export type SlotOutcome = ({ kind: 'reset' } & SlotReset) | ({ kind: 'step' } & SlotStep) | null;

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
  /** Settles when the last batch that touched this slot has been applied. */
  tail: Promise<unknown>;
}

type EnvClient = WorkerClient<EnvProtocol>;

interface WorkerState {
  client: EnvClient;
  slots: number[];
  /** Settles when the current worker takes batches: at once, or once its replay has finished. */
  ready: Promise<void>;
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
  private closed = false;

  constructor(opts: PoolOptions) {
    if (!Number.isInteger(opts.slots) || opts.slots < 1) throw new PoolError(`slots must be a positive integer, got ${opts.slots}`);
    const workers = opts.workers ?? Math.min(opts.slots, 2);
    if (!Number.isInteger(workers) || workers < 1) throw new PoolError(`workers must be a positive integer, got ${workers}`);
    this.slots = opts.slots;
    this.workerCount = Math.min(workers, opts.slots);
    this.spawn = opts.spawn;
    this.want = opts.want ?? {};
    this.maxRestarts = opts.maxConsecutiveRestarts ?? 5;
    this.logs = Array.from({ length: opts.slots }, () => ({ task: null, actions: [], lastText: '', tail: Promise.resolve() }));
    this.workers = [];
    for (let w = 0; w < this.workerCount; w++) {
      const slots: number[] = [];
      for (let s = w; s < opts.slots; s += this.workerCount) slots.push(s);
      // attach() sets the client at once; the placeholder only satisfies the type for that one line.
      this.workers.push({ client: null as unknown as EnvClient, slots, ready: Promise.resolve(), deathsInARow: 0, broken: null });
      this.attach(w);
    }
  }

  /** Reset the given slots (null leaves a slot as it is). Resolves with one entry per slot. */
  async reset(tasks: readonly (SlotTask | null)[], want: Extras = this.want): Promise<(SlotReset | null)[]> {
    const out = await this.batch(
      tasks.map((t) => (t ? { reset: t } : null)),
      want,
    );
    return out.map((o) => (o && o.kind === 'reset' ? strip(o) : null));
  }

  /** Step the given slots (null skips a slot). Resolves with one entry per slot. */
  async step(actions: readonly (string | null)[], want: Extras = this.want): Promise<(SlotStep | null)[]> {
    const out = await this.batch(
      actions.map((a) => (a === null ? null : { step: a })),
      want,
    );
    return out.map((o) => (o && o.kind === 'step' ? strip(o) : null));
  }

  /**
   * Any mix of resets and steps, one entry per slot: one message per worker. A slot that ended
   * its episode can be reset in the same batch in which the others step.
   */
  batch(items: readonly SlotOp[], want: Extras = this.want): Promise<SlotOutcome[]> {
    if (this.closed) return Promise.reject(new PoolError('pool is closed'));
    if (items.length !== this.slots) {
      return Promise.reject(new PoolError(`expected one entry per slot (${this.slots}), got ${items.length}`));
    }
    const ops: (Op | null)[] = new Array(items.length).fill(null);
    const touched: number[] = [];
    for (let slot = 0; slot < items.length; slot++) {
      const it = items[slot];
      if (it === null) continue;
      if ('reset' in it) {
        const t = it.reset;
        if (!t || typeof t.env !== 'string' || typeof t.taskId !== 'string' || !Number.isFinite(t.seed)) {
          return Promise.reject(new PoolError(`slot ${slot}: reset needs {env, taskId, seed}`));
        }
        ops[slot] = { op: 'reset', slot, env: t.env, taskId: t.taskId, seed: t.seed };
      } else {
        if (typeof it.step !== 'string') return Promise.reject(new PoolError(`slot ${slot}: action must be a string`));
        ops[slot] = { op: 'step', slot, action: it.step };
      }
      touched.push(slot);
    }
    // Wait for earlier batches on the same slots, then run; later ones wait for this one.
    const before = Promise.all(touched.map((s) => this.logs[s].tail));
    const run = before.then(() => this.runBatch(ops, want));
    const settled = run.catch(() => undefined);
    for (const s of touched) this.logs[s].tail = settled;
    return run;
  }

  private async runBatch(ops: (Op | null)[], want: Extras): Promise<SlotOutcome[]> {
    for (let slot = 0; slot < ops.length; slot++) {
      if (ops[slot]?.op === 'step' && !this.logs[slot].task) throw new PoolError(`slot ${slot} has no episode; reset it first`);
    }
    // The logs were already brought up to date as each worker answered (see record()).
    const results = await this.dispatch(ops, want);
    const errors: string[] = [];
    const out: SlotOutcome[] = new Array(ops.length).fill(null);
    for (let slot = 0; slot < ops.length; slot++) {
      const op = ops[slot];
      const r = results[slot];
      if (!op || !r) continue;
      if (!r.ok) {
        errors.push(op.op === 'reset' ? `slot ${slot} (${op.env} ${op.taskId}): ${r.error}` : `slot ${slot}: ${r.error}`);
        continue;
      }
      if (op.op === 'reset') out[slot] = withExtras({ kind: 'reset' as const, observation: r.observation as Observation }, r);
      else if (op.op === 'step') out[slot] = withExtras({ kind: 'step' as const, ...(r.result as StepResult) }, r);
    }
    if (errors.length) throw new PoolError(`batch failed: ${errors.join('; ')}`);
    return out;
  }

  /**
   * Apply a worker's answer to the slot logs, synchronously on arrival. Doing it later (after
   * the other workers answer) would leave a window in which this worker could die with its
   * batch already answered but not yet logged, and the replay would miss those actions.
   */
  private record(ops: Op[], results: OpResult[]): void {
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i];
      const r = results[i];
      const log = this.logs[op.slot];
      if (op.op === 'reset') {
        if (r && r.ok && r.observation) {
          log.task = { env: op.env, taskId: op.taskId, seed: op.seed };
          log.actions = [];
          log.lastText = r.observation.text;
        } else {
          log.task = null;
          log.actions = [];
        }
      } else if (op.op === 'step' && r && r.ok && r.result) {
        log.actions.push(op.action);
        log.lastText = r.result.observation.text;
      }
    }
  }

  /** The actions taken in a slot since its last reset (what a restart replays). */
  actionLog(slot: number): { task: SlotTask | null; actions: string[] } {
    const log = this.logs[slot];
    return { task: log.task && { ...log.task }, actions: log.actions.slice() };
  }

  /** Kill a worker as a crash would (tests and fault drills). The pool restarts it. */
  killWorker(w: number): void {
    // Terminating the port underneath the client is an exit the client did not ask for: a crash.
    this.workers[w].client.port.terminate();
  }

  /** Make a worker die from an uncaught error inside it (tests). */
  crashWorker(w: number): void {
    const s = this.workers[w];
    this.messages++;
    // The crash op answers before the worker dies; its answer (or the crash) matters to no one.
    s.client.request('batch', { ops: [{ op: 'crash', slot: s.slots[0] }], want: {} }).catch(() => undefined);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.workers) w.client.close();
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

  /**
   * One batch on one worker, sent again on the replacement worker for as long as workers crash
   * under it (the crash listener has the replacement and its replay in place before the crashed
   * client rejects this batch, and batches re-sent after a crash go out in their original order).
   */
  private async send(w: number, ops: Op[], want: Extras): Promise<OpResult[]> {
    const state = this.workers[w];
    for (;;) {
      if (state.broken) throw state.broken;
      try {
        await state.ready;
        this.messages++;
        // The log is brought up to date synchronously as the answer arrives: later, a crash of this
        // worker could already have started a replay that misses these actions.
        return await state.client.request('batch', { ops, want }, {
          onResponse: (results) => {
            state.deathsInARow = 0;
            this.record(ops, results);
          },
        });
      } catch (e) {
        if (this.closed) throw new PoolError('pool closed');
        if (state.broken) throw state.broken;
        if (e instanceof WorkerCrashedError) continue;
        throw e;
      }
    }
  }

  private attach(w: number): void {
    const state = this.workers[w];
    const client: EnvClient = new WorkerClient<EnvProtocol>(this.spawn(), { name: `env worker ${w}` });
    state.client = client;
    client.onCrash((e) => this.onCrash(w, client, e));
  }

  private onCrash(w: number, client: EnvClient, e: WorkerCrashedError): void {
    const state = this.workers[w];
    if (client !== state.client || this.closed) return;
    this.restarts++;
    state.deathsInARow++;
    if (state.deathsInARow > this.maxRestarts) {
      this.fail(state, new PoolError(`env worker ${w} died ${state.deathsInARow} times in a row; last: ${e.reason}`));
      return;
    }
    this.attach(w);
    state.ready = this.replay(w, state.client);
    // Callers see a failed replay through send(); when none is waiting it must not go unhandled.
    state.ready.catch(() => undefined);
  }

  /**
   * Rebuild every slot of a fresh worker from its log. Logs hold only completed batches, so
   * replaying them and then re-sending the batches still in flight reproduces exactly what the
   * dead worker would have done.
   */
  private async replay(w: number, client: EnvClient): Promise<void> {
    const state = this.workers[w];
    const replay: Op[] = [];
    for (const slot of state.slots) {
      const log = this.logs[slot];
      if (!log.task) continue;
      replay.push({ op: 'replay', slot, env: log.task.env, taskId: log.task.taskId, seed: log.task.seed, actions: log.actions.slice() });
    }
    if (replay.length === 0) return;
    this.messages++;
    const results = await client.request('batch', { ops: replay, want: {} });
    let i = 0;
    for (const slot of state.slots) {
      const log = this.logs[slot];
      if (!log.task) continue;
      const r = results[i++];
      let problem: string | null = null;
      if (!r || !r.ok) problem = `replaying slot ${slot} after a worker restart failed: ${r && !r.ok ? r.error : 'no result'}`;
      else if (r.lastText !== log.lastText) {
        problem =
          `replaying slot ${slot} (${log.task.env} ${log.task.taskId}) after a worker restart did not reproduce the episode; ` +
          'the environment is not deterministic';
      }
      if (problem) {
        const err = new PoolError(problem);
        this.fail(state, err);
        throw err;
      }
    }
  }

  /** Give up on a worker: every batch waiting on it, and every later one, fails with `err`. */
  private fail(state: WorkerState, err: Error): void {
    state.broken = err;
    state.client.close();
  }
}

type Extra = Pick<OpOk, 'admissible' | 'expert' | 'stateKey' | 'plausible'>;

function withExtras<T extends object>(base: T, r: OpOk): T & Extra {
  const out = base as T & Extra;
  if (r.admissible !== undefined) out.admissible = r.admissible;
  if (r.expert !== undefined) out.expert = r.expert;
  if (r.stateKey !== undefined) out.stateKey = r.stateKey;
  if (r.plausible !== undefined) out.plausible = r.plausible;
  return out;
}

/** Drop the `kind` tag for the reset()/step() views. */
function strip<T extends { kind: string }>(o: T): Omit<T, 'kind'> {
  const { kind, ...rest } = o;
  void kind;
  return rest;
}
