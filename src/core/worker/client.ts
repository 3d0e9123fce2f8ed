// The owner's side of a worker: typed requests with ids, progress reports, transferables, and the
// one crash rule. A worker that throws outside a handler, fails to load, exits on its own or sends
// a message that cannot be read is terminated first, then reported to every onCrash listener, and
// then every request still waiting on it is rejected with a WorkerCrashedError. Reporting before
// rejecting lets an owner that restarts workers (the env pool) have the new worker in place by the
// time the rejected callers look for it.

import {
  WorkerClosedError,
  WorkerCrashedError,
  decodeError as decodeRemoteError,
  isReplyEnvelope,
  type Method,
  type ProgressOf,
  type Protocol,
  type RequestEnvelope,
  type RequestOf,
  type ResponseOf,
} from './protocol';
import type { WorkerPort } from './port';

export interface WorkerClientOptions {
  /** Names the worker in errors: 'env worker 1', 'model worker'. */
  name?: string;
  /** Rebuilds a handler's failure from what the host's encodeError sent (default: a RemoteError). */
  decodeError?: (raw: unknown) => Error;
}

export interface RequestOptions<G, R = unknown> {
  /** Buffers moved to the worker instead of copied; the caller's copies become empty. */
  transfer?: readonly Transferable[];
  onProgress?: (progress: G) => void;
  /**
   * Runs as the answer arrives, before the promise settles and before any later event of this
   * worker. An owner that must account for an answer before a crash that follows it (the env
   * pool's action log) does it here: promise callbacks may run after that crash is reported.
   */
  onResponse?: (response: R) => void;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  onProgress?: (progress: never) => void;
  onResponse?: (response: never) => void;
}

export type WorkerState = 'running' | 'crashed' | 'closed';

export class WorkerClient<P extends Protocol<P>> {
  readonly name: string;
  private readonly decode: (raw: unknown) => Error;
  private readonly pending = new Map<number, Pending>();
  private readonly crashListeners: Array<(error: WorkerCrashedError) => void> = [];
  private nextId = 1;
  private status: WorkerState = 'running';
  private crashError: WorkerCrashedError | null = null;

  constructor(
    /** The transport underneath; terminating it directly counts as a crash (fault drills use that). */
    readonly port: WorkerPort,
    options: WorkerClientOptions = {},
  ) {
    this.name = options.name ?? 'worker';
    this.decode = options.decodeError ?? decodeRemoteError;
    port.onMessage((m) => this.receive(m));
    port.onError((reason) => this.crash(reason));
    port.onExit((reason) => this.crash(reason));
  }

  get state(): WorkerState {
    return this.status;
  }

  /** Requests sent and not yet answered. */
  get inFlight(): number {
    return this.pending.size;
  }

  request<M extends Method<P>>(method: M, payload: RequestOf<P, M>, options: RequestOptions<ProgressOf<P, M>, ResponseOf<P, M>> = {}): Promise<ResponseOf<P, M>> {
    if (this.status === 'crashed') return Promise.reject(this.crashError);
    if (this.status === 'closed') return Promise.reject(new WorkerClosedError(this.name));
    const id = this.nextId++;
    return new Promise<ResponseOf<P, M>>((resolve, reject) => {
      // Stored untyped: one map holds the requests of every method.
      this.pending.set(id, {
        resolve: resolve as (v: unknown) => void,
        reject,
        onProgress: options.onProgress as ((p: never) => void) | undefined,
        onResponse: options.onResponse as ((r: never) => void) | undefined,
      });
      const envelope: RequestEnvelope = { id, method, payload };
      try {
        this.port.post(envelope, options.transfer);
      } catch (e) {
        // Not cloneable (a function, a class instance the runtime refuses): the worker never saw it.
        this.pending.delete(id);
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  /** Called once, after the worker was terminated and before the waiting requests are rejected. */
  onCrash(listener: (error: WorkerCrashedError) => void): void {
    this.crashListeners.push(listener);
  }

  /** Terminates the worker on purpose; waiting requests are rejected with a WorkerClosedError. */
  close(): void {
    if (this.status !== 'running') return;
    this.status = 'closed';
    this.port.terminate();
    this.rejectAll(new WorkerClosedError(this.name));
  }

  private receive(message: unknown): void {
    if (this.status !== 'running') return;
    if (!isReplyEnvelope(message)) {
      this.crash(`sent a message that is not a reply: ${preview(message)}`);
      return;
    }
    const p = this.pending.get(message.id);
    // An id not waiting: a request that already failed on the caller's side (post threw).
    if (!p) return;
    if (message.kind === 'progress') {
      p.onProgress?.(message.value as never);
      return;
    }
    this.pending.delete(message.id);
    if (message.kind === 'ok') {
      try {
        p.onResponse?.(message.value as never);
      } catch (e) {
        p.reject(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      p.resolve(message.value);
    }
    else p.reject(this.decode(message.error));
  }

  private crash(reason: string): void {
    if (this.status !== 'running') return;
    this.status = 'crashed';
    this.port.terminate();
    const error = new WorkerCrashedError(this.name, reason);
    this.crashError = error;
    try {
      for (const l of this.crashListeners) l(error);
    } finally {
      this.rejectAll(error);
    }
  }

  private rejectAll(error: Error): void {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const p of waiting) p.reject(error);
  }
}

function preview(x: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(x) ?? String(x);
  } catch {
    s = String(x);
  }
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}
