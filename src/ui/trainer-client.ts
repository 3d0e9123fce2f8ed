// The page's one connection to the trainer worker. Every screen that needs training, the GPU, or
// run events goes through `trainer()`: commands are typed requests of the trainer protocol
// (src/run/protocol.ts), and events arrive through `onEvent`, read by polling the worker's event
// log while anyone listens (protocol.ts says why polling). The page holds no GPU device itself.
//
// When the worker crashes, listeners get an error event and the next command starts a new worker.

import { browserWorkerPort } from '../core/worker/browser';
import { WorkerClient, WorkerCrashedError, type RequestOptions } from '../core/worker';
import {
  TrainerError, decodeTrainerError,
  type GpuCheckReport, type TrainerEvent, type TrainerProtocol,
} from '../run/protocol';

type Method = keyof TrainerProtocol;
type Req<M extends Method> = TrainerProtocol[M]['request'];
type Res<M extends Method> = TrainerProtocol[M]['response'];
type Prog<M extends Method> = TrainerProtocol[M] extends { progress: infer G } ? G : never;

/** How often the event log is read while a screen listens. */
const POLL_MS = 250;

export class TrainerClient {
  private client: WorkerClient<TrainerProtocol> | null = null;
  private readonly listeners = new Set<(e: TrainerEvent) => void>();
  private since = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private polling = false;
  private adapter: Promise<GpuCheckReport> | null = null;

  private connect(): WorkerClient<TrainerProtocol> {
    if (this.client && this.client.state === 'running') return this.client;
    // The literal new Worker(new URL(…)) form is what Vite bundles as a worker.
    const worker = new Worker(new URL('../run/trainer.worker.ts', import.meta.url), { type: 'module', name: 'trainer' });
    const client = new WorkerClient<TrainerProtocol>(browserWorkerPort(worker), { name: 'trainer worker', decodeError: decodeTrainerError });
    client.onCrash((e) => {
      this.adapter = null;
      this.since = 0;
      this.emit({ seq: 0, runId: '', type: 'error', message: `${e.message}; the next command starts a new trainer worker`, fatal: true });
    });
    this.client = client;
    return client;
  }

  request<M extends Method>(method: M, payload: Req<M>, options: RequestOptions<Prog<M>, Res<M>> = {}): Promise<Res<M>> {
    return this.connect().request(method, payload, options);
  }

  /** The adapter the trainer trains on (opens its device once; shared by the header and the GPU screen). */
  gpuInfo(): Promise<GpuCheckReport> {
    this.adapter ??= this.request('gpu-check', {}).catch((e: unknown) => {
      this.adapter = null;
      throw e;
    });
    return this.adapter;
  }

  /** Listens to run events; returns the unsubscribe. Polling runs while anyone listens. */
  onEvent(listener: (e: TrainerEvent) => void): () => void {
    this.listeners.add(listener);
    this.schedule();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.timer) { clearTimeout(this.timer); this.timer = null; }
    };
  }

  private emit(e: TrainerEvent): void {
    for (const l of [...this.listeners]) l(e);
  }

  private schedule(): void {
    if (this.timer || this.polling || this.listeners.size === 0) return;
    this.timer = setTimeout(() => { this.timer = null; void this.poll(); }, POLL_MS);
  }

  private async poll(): Promise<void> {
    // Only a live worker is polled: listening alone never starts one.
    if (!this.client || this.client.state !== 'running') { this.schedule(); return; }
    this.polling = true;
    try {
      const r = await this.client.request('events', { since: this.since });
      this.since = r.next;
      for (const e of r.events) this.emit(e);
    } catch (e) {
      if (!(e instanceof WorkerCrashedError)) console.warn('[stepwise] trainer events:', e);
    } finally {
      this.polling = false;
      this.schedule();
    }
  }
}

let shared: TrainerClient | null = null;

/** The page's trainer connection. */
export function trainer(): TrainerClient {
  shared ??= new TrainerClient();
  return shared;
}

/** A failure as one line for people; TrainerErrors keep their code in `code`. */
export function describeFailure(e: unknown): { code: string; message: string } {
  if (e instanceof TrainerError) return { code: e.code, message: e.message };
  return { code: 'internal', message: e instanceof Error ? e.message : String(e) };
}
