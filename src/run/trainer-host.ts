// The trainer worker's side of the protocol (protocol.ts), apart from its entry file so that a test
// can serve it over any HostEndpoint. It owns the one WebGPU device used for training: opened on
// the first request that needs it and kept for the worker's life (the page holds none).
//
// What works today: `gpu-check` (adapter report, the matmul check, a probe multiply) and the event
// log that `events` reads. The run commands (start, pause, resume, stop, branch, evaluate, import,
// export) answer a TrainerError 'not-available-yet' until the orchestrator is wired in here.

import { serveWorker, type HostEndpoint } from '../core/worker';
import { Gpu } from '../gpu';
import { multiplyOnGpu, runMatmulCheck } from './gpu-check';
import {
  TrainerError, encodeTrainerError,
  type EventsResponse, type GpuCheckReport, type TrainerEvent, type TrainerEventInput, type TrainerProtocol,
} from './protocol';

/** Events kept for pages that poll late; older ones are dropped (the store keeps the data). */
export const EVENT_LOG_CAPACITY = 10_000;

/** The worker's event log: events get increasing sequence numbers; pages read those after a seq. */
export class TrainerEventLog {
  private readonly events: TrainerEvent[] = [];
  private seq = 0;

  constructor(private readonly capacity = EVENT_LOG_CAPACITY) {}

  append(e: TrainerEventInput): TrainerEvent {
    const event = { ...e, seq: ++this.seq } as TrainerEvent;
    this.events.push(event);
    if (this.events.length > this.capacity) this.events.splice(0, this.events.length - this.capacity);
    return event;
  }

  since(seq: number): EventsResponse {
    const oldest = this.events[0]?.seq ?? this.seq + 1;
    // Sequence numbers are dense, so the first wanted event sits at a computable index.
    const from = Math.max(0, seq + 1 - oldest);
    return { events: this.events.slice(from), next: this.seq, oldest };
  }
}

export interface TrainerHostOptions {
  /** Opens the training device (default Gpu.create); tests pass their own. */
  openGpu?: () => Promise<Gpu>;
}

const notYet = (what: string) => (): never => {
  throw new TrainerError('not-available-yet', `${what} is not available yet: the trainer worker does not run the pipeline's orchestrator yet`);
};

export function serveTrainer(endpoint: HostEndpoint, options: TrainerHostOptions = {}): TrainerEventLog {
  const log = new TrainerEventLog();
  const open = options.openGpu ?? (() => Gpu.create());
  let device: Promise<Gpu> | null = null;

  const gpu = (): Promise<Gpu> => {
    if (!device) {
      const opening = open();
      device = opening;
      // A failed start is not cached: the next request tries again (the user may fix a flag).
      opening.then(
        (g) => g.handle.onLost((e) => {
          device = null;
          log.append({ type: 'error', runId: '', message: `the GPU device was lost (${e.message}); the next command opens a new one`, fatal: false });
        }),
        () => { if (device === opening) device = null; },
      );
    }
    return device;
  };

  serveWorker<TrainerProtocol>(endpoint, {
    'gpu-check': async (req, ctx) => {
      const g = await gpu();
      const report: GpuCheckReport = { adapter: g.info };
      if (req.probe) report.product = await multiplyOnGpu(g, req.probe);
      if (req.matmul) report.rows = await runMatmulCheck(g, (row) => ctx.progress(row));
      return report;
    },
    events: (req) => log.since(req.since),
    start: notYet('Training'),
    pause: notYet('Pause'),
    resume: notYet('Resume'),
    stop: notYet('Stop'),
    branch: notYet('Branching from a step'),
    evaluate: notYet('Evaluation'),
    import: notYet('Import into the trainer'),
    export: notYet('Export from the trainer'),
  }, { encodeError: encodeTrainerError });
  return log;
}
