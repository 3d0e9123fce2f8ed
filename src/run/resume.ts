// Where an interrupted run picks up. The pipeline saves a checkpoint after each unit of work it
// must not redo (BC, the estimator, every PPO iteration), so a run resumes from the newest
// complete checkpoint and redoes at most the unit that was in progress, the PPO iteration
// included (verl's resume bugs #5725 and #7401 are what this guards against).
//
// Rows and trajectories written by a unit that is then redone are not written twice: the redone
// unit produces the same ones (everything is seeded), and the pipeline skips what the store
// already holds, keyed by (iteration, stage, split) for metric rows and by id for trajectories.

import type { Checkpoint, Json, MetricRow, RunStore } from './persistence/store';

/** Pipeline stages in order; a checkpoint names the last one it completed. */
export const STAGES = ['bc', 'estimator', 'ppo', 'eval'] as const;
export type Stage = (typeof STAGES)[number];

export interface CheckpointMeta {
  /** The last completed stage. */
  stage: Stage;
  /** The last completed PPO iteration (0 before PPO). */
  iteration: number;
  /** Normalised rollout entropy of the first diagnosed iteration (the collapse reference). */
  firstEntropy: number | null;
}

export interface ResumePoint {
  checkpoint: Checkpoint | undefined;
  meta: CheckpointMeta | undefined;
  /** Keys (see metricKey) of the rows already in the store. */
  metricKeys: Set<string>;
  /** Whether anything of the run was written before (then writes check for duplicates). */
  resumed: boolean;
}

export function metricKey(row: Pick<MetricRow, 'iteration'> & { stage?: Json; split?: Json }): string {
  return `${row.iteration}:${String(row.stage ?? '')}:${String(row.split ?? '')}`;
}

/** Index of a stage in STAGES, −1 for none (nothing completed). */
export function stageRank(stage: Stage | undefined): number {
  return stage === undefined ? -1 : STAGES.indexOf(stage);
}

/** Reads the checkpoint meta back, rejecting one this code did not write. */
export function readMeta(c: Checkpoint): CheckpointMeta {
  const m = c.meta as Record<string, Json>;
  const stage = m.stage as Stage;
  if (!STAGES.includes(stage) || typeof m.iteration !== 'number') {
    throw new Error(`checkpoint of iteration ${c.iteration} is not a pipeline checkpoint (stage ${JSON.stringify(m.stage)})`);
  }
  return { stage, iteration: m.iteration, firstEntropy: typeof m.firstEntropy === 'number' ? m.firstEntropy : null };
}

export function writeMeta(m: CheckpointMeta): { [key: string]: Json } {
  return { stage: m.stage, iteration: m.iteration, firstEntropy: m.firstEntropy };
}

export async function findResumePoint(store: RunStore, runId: string): Promise<ResumePoint> {
  const [checkpoint, rows] = await Promise.all([store.latestCheckpoint(runId), store.metrics(runId)]);
  return {
    checkpoint,
    meta: checkpoint ? readMeta(checkpoint) : undefined,
    metricKeys: new Set(rows.map(metricKey)),
    resumed: checkpoint !== undefined || rows.length > 0,
  };
}
