// One experiment: every (method, seed) run of one environment through the pipeline, one after
// another on the same host (backbone, GPU and env slots loaded once), each in its own run
// directory out/runs/<method>-s<seed> (the layout of `stepwise train --out`, so `stepwise eval
// --run` and `stepwise export --run` read them), then the results files (experiment-results.ts).
//
// Resuming is per run: a finished run is not run again (the pipeline says it already finished),
// an interrupted one resumes from its last checkpoint, one not started yet starts. So running the
// same experiment again after a crash or Ctrl-C only does what is left.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseRunConfig, type RunConfig } from '../run/config';
import { Orchestrator, type ProgressEvent } from '../run/orchestrator';
import { FileRunStore, readRunJson } from '../run/persistence/file-store';
import type { PipelineDeps, PipelineOptions, RunOutcome } from '../run/pipeline';
import type { RewardVariant } from '../rl/rewards';
import { UsageError } from './io';

export interface ExperimentSpec {
  env: string;
  methods: readonly RewardVariant[];
  seeds: readonly number[];
  /** What every run shares (a partial run config); env, reward and seed are set per run. */
  base: Record<string, unknown>;
  /** The experiment's directory. */
  out: string;
}

export interface PlannedRun {
  /** 0-based position in the experiment. */
  index: number;
  method: RewardVariant;
  seed: number;
  runId: string;
  dir: string;
  config: RunConfig;
}

export interface FinishedRun extends PlannedRun {
  outcome: RunOutcome;
  /** Wall time of this invocation's part of the run. */
  seconds: number;
}

export interface ExperimentHooks {
  options?: PipelineOptions;
  /** Each progress event of the run in progress, with the experiment's overall fraction done. */
  onProgress?: (overall: number, run: PlannedRun, e: ProgressEvent) => void;
  onRunStart?: (run: PlannedRun) => void;
  onRunDone?: (run: FinishedRun) => void;
  /** Handed each run's orchestrator while it runs (to cancel it). */
  onOrchestrator?: (o: Orchestrator | null) => void;
}

export const runIdOf = (env: string, method: string, seed: number) => `${env}-${method}-s${seed}`;

/**
 * Every run of the experiment with its validated config, in order (methods outer, seeds inner).
 * Fails before anything runs when a config is invalid or a run directory holds a run with
 * another config.
 */
export function planExperiment(spec: ExperimentSpec): PlannedRun[] {
  const runs: PlannedRun[] = [];
  for (const method of spec.methods) {
    for (const seed of spec.seeds) {
      const config = parseRunConfig({ ...spec.base, env: spec.env, reward: method, seed });
      const dir = join(spec.out, 'runs', `${method}-s${seed}`);
      const runId = runIdOf(spec.env, method, seed);
      const file = join(dir, 'run.json');
      if (existsSync(file)) {
        const stored = readRunJson(dir);
        if (stored.id !== runId || JSON.stringify(stored.config) !== JSON.stringify(config)) {
          throw new UsageError(`${dir} holds a run with a different config (${stored.label}); re-run the experiment with the flags it was started with, or choose another --out`);
        }
      }
      runs.push({ index: runs.length, method, seed, runId, dir, config });
    }
  }
  return runs;
}

/** Runs (or resumes) every run of the plan in order; finished runs return at once. */
export async function runExperiment(plan: readonly PlannedRun[], deps: PipelineDeps, hooks: ExperimentHooks = {}): Promise<FinishedRun[]> {
  const done: FinishedRun[] = [];
  for (const run of plan) {
    hooks.onRunStart?.(run);
    const store = await FileRunStore.openRunDir(run.dir);
    const t0 = performance.now();
    try {
      const o = new Orchestrator({
        runId: run.runId, config: run.config, store, deps, options: hooks.options,
        onProgress: (e) => hooks.onProgress?.((run.index + e.fraction) / plan.length, run, e),
      });
      hooks.onOrchestrator?.(o);
      const outcome = await o.run();
      const finished = { ...run, outcome, seconds: (performance.now() - t0) / 1000 };
      done.push(finished);
      hooks.onRunDone?.(finished);
    } finally {
      hooks.onOrchestrator?.(null);
      await store.close();
    }
  }
  return done;
}
