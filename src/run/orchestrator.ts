// The orchestrator: runs the pipeline of one run (pipeline.ts) and is what a caller holds while it
// runs. The same code runs in the browser's trainer worker (which owns the GPU device) and in
// Node (the CLI, tests): it imports nothing of either, and its inputs (GPU, backbone, env slots,
// store) are handed in.
//
// - Progress events: the stage, the fraction of the whole run done, and an ETA from the pace of
//   this session (work redone after a resume is not counted twice).
// - A metrics stream: every row as it is stored.
// - Control: pause (the pipeline stops at its next check: between decision rounds, minibatches
//   and epochs), resume, cancel (the pipeline throws RunCancelledError at its next check; what
//   was checkpointed stays, so a cancelled run can be resumed later like a crashed one).
// - The run record's status follows: running, paused, finished, cancelled, failed (with the
//   message).

import { runPipeline, type PipelineDeps, type PipelineOptions, type RunOutcome } from './pipeline';
import type { RunConfig } from './config';
import type { MetricRow, RunStatus, RunStore } from './persistence/store';
import { RunCancelledError, RunControl, type ProgressEvent } from './control';

export { RunCancelledError, RunControl, type ProgressEvent } from './control';

export interface OrchestratorOptions {
  runId: string;
  config: RunConfig;
  store: RunStore;
  deps: PipelineDeps;
  options?: PipelineOptions;
  label?: string;
  onProgress?: (e: ProgressEvent) => void;
  onMetrics?: (row: MetricRow) => void;
}

export class Orchestrator {
  readonly control = new RunControl();

  constructor(private readonly o: OrchestratorOptions) {}

  pause(): void {
    this.control.pause();
  }

  resume(): void {
    this.control.resume();
  }

  cancel(): void {
    this.control.cancel();
  }

  private async setStatus(status: RunStatus, error?: string): Promise<void> {
    const run = await this.o.store.getRun(this.o.runId);
    if (!run) return;
    await this.o.store.putRun({ ...run, status, updatedAt: new Date().toISOString(), ...(error ? { error } : {}) });
  }

  /** Runs (or resumes) the run to its end; rejects with RunCancelledError when cancelled. */
  async run(): Promise<RunOutcome> {
    const o = this.o;
    // Status writes are chained so that a quick pause/resume cannot land out of order.
    let statusChain: Promise<void> = Promise.resolve();
    const off = this.control.onChange((s) => {
      if (s === 'cancelled') return;
      statusChain = statusChain.then(() => this.setStatus(s)).catch(() => {});
    });
    try {
      const outcome = await runPipeline({
        runId: o.runId, config: o.config, store: o.store, deps: o.deps, options: o.options ?? {}, label: o.label,
        control: this.control, onProgress: o.onProgress ?? (() => {}), onMetrics: o.onMetrics ?? (() => {}),
      });
      off();
      await statusChain;
      return outcome;
    } catch (e) {
      off();
      await statusChain;
      if (e instanceof RunCancelledError) await this.setStatus('cancelled');
      else await this.setStatus('failed', e instanceof Error ? e.message : String(e)).catch(() => {});
      throw e;
    }
  }
}
