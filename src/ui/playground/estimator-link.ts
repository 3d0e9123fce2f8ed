// The Playground's link to a trained progress estimator: the stored runs that have one (a method
// that trains it, a checkpoint, the environment being played), the trainer's `annotate` answer for
// the episode as it grows, and the run's checkpoint file out and in. Requests go through the
// trainer protocol; an imported checkpoint is written to the run store by the page, as other
// imports are (lab/store.ts).

import { importCheckpoint } from '../../run/checkpoint-transfer';
import type { RunRecord } from '../../run/persistence/store';
import type { AnnotateResult } from '../../run/protocol';
import { needsEstimator } from '../../rl/rewards';
import { download } from '../lab/files';
import { importRunId, labStore } from '../lab/store';
import { describeFailure, trainer } from '../trainer-client';

export interface EpisodeRef {
  env: string;
  taskId: string;
  seed: number;
  actions: string[];
}

export class EstimatorLink {
  /** Runs whose estimator can credit the current environment, newest first. */
  runs: RunRecord[] = [];
  runId = '';
  result: AnnotateResult | null = null;
  /** The episode `result` belongs to (its actions may lag the live episode while a request runs). */
  resultFor: EpisodeRef | null = null;
  busy = false;
  /** Listing runs or crediting steps failed. */
  error = '';
  /** A checkpoint export or import failed (kept apart: crediting succeeding must not hide it). */
  fileError = '';
  notice = '';

  private wanted: EpisodeRef | null = null;
  private running = false;

  constructor(private readonly changed: () => void) {}

  /** Lists the stored runs with an estimator checkpoint for `env`; keeps the selection if it is still one. */
  async refresh(env: string): Promise<void> {
    try {
      const store = await labStore();
      const all = (await store.listRuns()).filter((r) => r.config.env === env && needsEstimator(r.config.reward));
      const withCheckpoint = await Promise.all(all.map(async (r) => ((await store.checkpointIterations(r.id)).length ? r : null)));
      this.runs = withCheckpoint.filter((r): r is RunRecord => r !== null).reverse();
      if (!this.runs.some((r) => r.id === this.runId)) this.select('');
    } catch (e) {
      this.error = `Could not read the stored runs: ${describeFailure(e).message}`;
    }
    this.changed();
  }

  select(runId: string): void {
    this.runId = runId;
    this.result = null;
    this.resultFor = null;
    this.error = '';
    this.changed();
  }

  /** Asks for ĉ_t of the episode; while a request runs only the newest wish is kept. */
  annotate(episode: EpisodeRef): void {
    if (!this.runId) return;
    this.wanted = episode;
    if (!this.running) void this.loop();
  }

  private async loop(): Promise<void> {
    this.running = true;
    this.busy = true;
    this.changed();
    try {
      while (this.wanted && this.runId) {
        const want = this.wanted;
        const runId = this.runId;
        this.wanted = null;
        if (!want.actions.length) {
          this.result = null;
          this.resultFor = want;
          continue;
        }
        try {
          const r = await trainer().request('annotate', { runId, ...want });
          if (runId === this.runId) {
            this.result = r;
            this.resultFor = want;
            this.error = '';
          }
        } catch (e) {
          this.error = describeFailure(e).message;
        }
        this.changed();
      }
    } finally {
      this.running = false;
      this.busy = false;
      this.changed();
    }
  }

  async exportCheckpoint(): Promise<void> {
    if (!this.runId) return;
    this.fileError = '';
    this.notice = '';
    try {
      const file = await trainer().request('export', { runId: this.runId, what: 'checkpoint' });
      if (!file.bytes) throw new Error('the trainer sent no checkpoint bytes');
      download(file.filename, file.bytes);
      this.notice = `Saved ${file.filename}.`;
    } catch (e) {
      this.fileError = describeFailure(e).message;
    }
    this.changed();
  }

  /** Imports a checkpoint file as a new run and selects it when it can credit `env`. */
  async importCheckpoint(file: File, env: string): Promise<void> {
    this.fileError = '';
    this.notice = '';
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const { runId, label } = await importCheckpoint(await labStore(), bytes, importRunId('checkpoint', file.name));
      await this.refresh(env);
      if (this.runs.some((r) => r.id === runId)) {
        this.select(runId);
        this.notice = `Imported “${label}”; its estimator now credits your steps.`;
      } else {
        this.notice = `Imported “${label}”. It is for another environment or trains no estimator, so it is not listed here.`;
      }
    } catch (e) {
      this.fileError = `Nothing was imported: ${describeFailure(e).message}`;
    }
    this.changed();
  }
}
