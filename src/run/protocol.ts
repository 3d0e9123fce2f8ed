// The messages between the lab's page and the trainer worker (DESIGN.md §3). The page holds no GPU
// device and no run state: it sends commands and reads events, and nothing else crosses. The
// trainer worker owns the one WebGPU device used for training, the orchestrator and the run store
// writes. The transport is the core one (src/core/worker): typed requests with ids, progress
// reports, and its crash rule.
//
// Why events are polled: the core host answers requests one at a time, in arrival order, so a
// request that stayed open to stream a run's events would hold back every later command (pause,
// stop) until the run ended. Commands therefore return at once, the worker queues what happens in
// an event log with sequence numbers, and the page asks for `events` since the last one it saw.
// A page that reconnects (a reload) asks from 0 and sees what the log still holds.

import type { AdapterSummary } from '../gpu';
import type { SplitName } from '../envs/env';
import type { Trajectory } from '../rl/trajectory';
import type { RunConfig } from './config';
import type { ExportFormat } from './export';
import type { MetricRow, RunStatus } from './persistence/store';

// ---- metrics --------------------------------------------------------------------------------------

/**
 * The metric names of one row (DESIGN.md §1; verl/TRL names where one exists). A row holds the
 * ones its stage produced; charts and tables read exactly these keys.
 */
export const METRICS = {
  // environment outcome of the iteration's rollouts (or of an evaluation, see EVAL_STAGE)
  success: 'success_rate',
  score: 'score',
  grounding: 'grounding_acc',
  length: 'episode_length',
  // progress estimator, after each fit
  estMseTrain: 'estimator/mse_train',
  estMseHeldOut: 'estimator/mse_heldout',
  estMaeTrain: 'estimator/mae_train',
  estMaeHeldOut: 'estimator/mae_heldout',
  /** Mean Σ_{k≤t} ĉ_k over successful trajectories at t = 0…CALIBRATION_POINTS−1 of normalised time (an array). */
  calibrationSuccess: 'estimator/calib_success',
  /** The same partial sums over failed trajectories (an array). */
  calibrationFailed: 'estimator/calib_failed',
  /** Pearson correlation of ĉ_t with g_t over the iteration's steps. */
  progressGroundingCorr: 'estimator/corr_c_g',
  // PPO update (verl's names)
  pgLoss: 'actor/pg_loss',
  vfLoss: 'critic/vf_loss',
  entropy: 'actor/entropy',
  approxKl: 'actor/approx_kl',
  clipfrac: 'actor/pg_clipfrac',
  gradNorm: 'actor/grad_norm',
  explainedVar: 'critic/explained_var',
  // throughput
  envStepsPerS: 'perf/env_steps_per_s',
  llmTokensPerS: 'perf/llm_tokens_per_s',
  updateS: 'perf/update_s',
} as const;

export type MetricName = (typeof METRICS)[keyof typeof METRICS];

/** Points of normalised time (0 … 1) at which the calibration partial sums are sampled. */
export const CALIBRATION_POINTS = 11;

/**
 * Rows carry the stage that wrote them in `stage`. An evaluation row has stage 'eval', the split
 * in `split`, and the outcome metrics; the paper-style results table is built from these.
 */
export const EVAL_STAGE = 'eval';

// ---- stages and events ------------------------------------------------------------------------------

export const STAGES = ['download', 'sft', 'bc', 'explore', 'estimator', 'ppo', 'eval'] as const;
export type Stage = (typeof STAGES)[number];

export const STAGE_LABEL: Record<Stage, string> = {
  download: 'Model download',
  sft: 'SFT',
  bc: 'Behaviour cloning',
  explore: 'Exploration',
  estimator: 'Progress estimator',
  ppo: 'PPO',
  eval: 'Evaluation',
};

interface EventBase {
  /** Position in the worker's event log, from 1; increasing. */
  seq: number;
  /** The run it concerns; '' for the worker itself (a lost GPU device). */
  runId: string;
}

export type TrainerEvent =
  | EventBase & { type: 'status'; status: RunStatus; stage?: Stage }
  /** fraction ∈ [0, 1] of the stage; etaS = seconds left in the stage, null while unknown. */
  | EventBase & { type: 'progress'; stage: Stage; fraction: number; etaS: number | null; detail?: string }
  | EventBase & { type: 'metrics'; rows: MetricRow[] }
  /** Trajectories as they are stored; the viewer reads more from the store when it needs them. */
  | EventBase & { type: 'trajectories'; iteration: number; trajectories: Trajectory[] }
  | EventBase & { type: 'warning'; kind: WarningKind; iteration: number; message: string; value?: number }
  /** fatal: the run stopped (status 'failed' follows); otherwise the run carried on. */
  | EventBase & { type: 'error'; message: string; fatal: boolean };

export type TrainerEventType = TrainerEvent['type'];

export type WarningKind =
  /** The policy's entropy fell below a fraction of its start (RAGEN's "echo trap"). */
  | 'entropy-collapse'
  /** The store is nearly full; `message` says what to delete. */
  | 'storage';

/** An event as the worker appends it, before it gets its sequence number. */
export type TrainerEventInput = TrainerEvent extends infer E ? E extends TrainerEvent ? Omit<E, 'seq'> : never : never;

// ---- requests ---------------------------------------------------------------------------------------

export interface RunRef {
  runId: string;
}

export interface RunState {
  runId: string;
  status: RunStatus;
  stage?: Stage;
  /** Last completed PPO iteration, −1 before the first. */
  iteration: number;
}

export interface StartRequest {
  config: RunConfig;
  /** Resume this stored run from its last checkpoint instead of starting a new one. */
  resume?: string;
  /** Human label; the worker makes one from the config when absent. */
  label?: string;
  /**
   * Settings outside the run config (the pipeline's PipelineOptions), kept with the run so a
   * resume, a branch or an evaluation use the same ones. Tests shrink a run with them.
   */
  options?: RunOptions;
}

/** The pipeline settings a page may set (all optional; the pipeline's defaults otherwise). */
export interface RunOptions {
  /** Decision cap per episode (default: the environment's own). */
  maxSteps?: number;
  /** Hidden widths of the policy adapter and the value head. */
  headHidden?: number[];
}

/** A stored run that did not finish: what a page offers to resume when it opens. */
export interface UnfinishedRun extends RunState {
  label: string;
  updatedAt: string;
  /** Why it stopped, when it failed (a lost GPU device, a crashed model worker, …). */
  error?: string;
  /** True when this worker is running (or pausing) it now; false for a run a closed tab or a crash left behind. */
  live: boolean;
}

export interface BranchRequest extends RunRef {
  trajectoryId: string;
  /** Replay the environment to this step (0-based), then act differently. */
  step: number;
  /** The action to take at `step`; absent: sample one from the policy. */
  action?: string;
  /**
   * How the policy plays after `step`: 'sample' (default) at the run's exploration temperature,
   * seeded by the request so the same request gives the same branch, or 'greedy'.
   */
  continuation?: 'sample' | 'greedy';
}

export interface BranchResult {
  /** The branch: steps up to `step` replayed, then the new action and the policy's continuation, annotated with ĉ_t. */
  trajectory: Trajectory;
  /** The original trajectory, annotated by the same estimator, for the side-by-side view. */
  original: Trajectory;
  /**
   * Whether ĉ_t (StepRecord.progress) was written: only runs whose method trains the progress
   * estimator (spa, progress-only) have one. Absent means true, for older workers.
   */
  annotated?: boolean;
  /** The checkpoint (PPO iteration, −1 = before PPO) whose policy and estimator were used. */
  checkpointIteration?: number;
}

/**
 * ĉ_t for an episode a person plays (the Playground): the worker replays the environment from
 * (env, taskId, seed) with these actions and credits every step with the run's estimator. Pages
 * send the whole action list after each step; a list that extends the previous one costs only the
 * new steps.
 */
export interface AnnotateRequest extends RunRef {
  env: string;
  taskId: string;
  seed: number;
  /** The actions taken so far, in order; any text (an action outside the admissible list is scored as one more candidate). */
  actions: string[];
}

export interface AnnotateResult {
  /** ĉ_t per action (empty when `annotated` is false). */
  progress: number[];
  /** g_t per action, as the replay found it. */
  valid: boolean[];
  /** False when the run's method trains no progress estimator (only spa and progress-only do). */
  annotated: boolean;
  /** The checkpoint (PPO iteration, −1 = before PPO) whose estimator credited the steps. */
  checkpointIteration: number;
  /** The checkpoint's pipeline stage ('bc' means the estimator is still untrained). */
  checkpointStage: string;
}

export interface EvaluateRequest extends RunRef {
  splits: SplitName[];
  /** Tasks per split; 0 = the whole split. */
  tasks?: number;
}

/** One split's greedy evaluation (the CLI's `stepwise eval` prints the same fields). */
export interface EvalResult {
  split: SplitName;
  tasks: number;
  solved: number;
  success_rate: number;
  grounding: number;
  score: number;
  mean_length: number;
}

export interface ImportRequest extends RunRef {
  format: ExportFormat;
  text: string;
}

export type ExportRequest = RunRef & (
  | { what: 'trajectories'; format: ExportFormat; iteration?: number }
  | { what: 'checkpoint'; iteration?: number }
);

export interface ExportResult {
  filename: string;
  /** Text formats come as text, checkpoints as bytes (safetensors). */
  text?: string;
  bytes?: Uint8Array;
}

export interface GpuCheckRequest {
  /** Also run the matmul check: every kernel variant against float64, rows arrive as progress. */
  matmul?: boolean;
  /** Multiply these matrices on the trainer's device (row-major A: M×K, B: K×N); for independent checks. */
  probe?: { a: number[]; b: number[]; M: number; N: number; K: number };
}

export interface MatmulCheckRow {
  shape: string;
  variant: string;
  ms: number;
  gflops: number;
  maxRelErr: number;
  ok: boolean;
}

export interface GpuCheckReport {
  adapter: AdapterSummary;
  /** Present when `matmul` was asked. */
  rows?: MatmulCheckRow[];
  /** Present when `probe` was given: C = A·B, M×N row-major. */
  product?: number[];
}

export interface EventsRequest {
  /** Return the events with seq > since. */
  since: number;
}

export interface EventsResponse {
  events: TrainerEvent[];
  /** The seq to ask from next time. */
  next: number;
  /** Events before this seq were dropped from the log (the page missed them and should reload from the store). */
  oldest: number;
}

/** The trainer worker's methods (a Protocol for WorkerClient / serveWorker). */
export interface TrainerProtocol {
  'gpu-check': { request: GpuCheckRequest; response: GpuCheckReport; progress: MatmulCheckRow };
  start: { request: StartRequest; response: RunState };
  pause: { request: RunRef; response: RunState };
  resume: { request: RunRef; response: RunState };
  stop: { request: RunRef; response: RunState };
  branch: { request: BranchRequest; response: BranchResult; progress: { fraction: number } };
  evaluate: { request: EvaluateRequest; response: EvalResult[]; progress: { split: SplitName; fraction: number } };
  import: { request: ImportRequest; response: { runId: string; trajectories: number } };
  export: { request: ExportRequest; response: ExportResult };
  events: { request: EventsRequest; response: EventsResponse };
  /** The stored runs that did not finish (running when the tab closed, paused, failed, cancelled), newest first. */
  unfinished: { request: Record<string, never>; response: UnfinishedRun[] };
  /** ĉ_t of a hand-played episode under a run's latest checkpoint (additive: older workers answer bad method). */
  annotate: { request: AnnotateRequest; response: AnnotateResult };
}

export type TrainerCommand = keyof TrainerProtocol;

// ---- errors -----------------------------------------------------------------------------------------

export type TrainerErrorCode =
  /** The command exists in the protocol but the worker cannot do it yet. */
  | 'not-available-yet'
  /** WebGPU could not start in the worker; `cause` and `fix` say why and how to fix it. */
  | 'no-webgpu'
  | 'no-such-run'
  /** The request was malformed or not allowed in the run's state (e.g. resume of a running run). */
  | 'bad-request'
  | 'storage-full'
  | 'internal';

/** A command's failure as the page sees it: a code to branch on, and a message for people. */
export class TrainerError extends Error {
  override name = 'TrainerError';
  constructor(
    readonly code: TrainerErrorCode,
    message: string,
    /** For 'no-webgpu': GpuUnavailableError's cause and fix, so the page can show the how-to. */
    readonly details: { cause?: string; fix?: string } = {},
  ) {
    super(message);
  }
}

interface EncodedTrainerError {
  name: string;
  code: TrainerErrorCode;
  message: string;
  cause?: string;
  fix?: string;
}

/** The worker side: any failure as plain data with a code (the host's encodeError). */
export function encodeTrainerError(e: unknown): EncodedTrainerError {
  if (e instanceof TrainerError) return { name: e.name, code: e.code, message: e.message, ...e.details };
  if (e instanceof Error && e.name === 'GpuUnavailableError') {
    const g = e as Error & { cause?: unknown; fix?: unknown };
    return { name: e.name, code: 'no-webgpu', message: e.message, cause: String(g.cause), fix: typeof g.fix === 'string' ? g.fix : undefined };
  }
  if (e instanceof Error && e.name === 'StoreQuotaError') return { name: e.name, code: 'storage-full', message: e.message };
  return { name: e instanceof Error ? e.name : 'Error', code: 'internal', message: e instanceof Error ? e.message : String(e) };
}

const CODES: readonly TrainerErrorCode[] = ['not-available-yet', 'no-webgpu', 'no-such-run', 'bad-request', 'storage-full', 'internal'];

/** The page side: what encodeTrainerError sent, as a TrainerError (the client's decodeError). */
export function decodeTrainerError(raw: unknown): TrainerError {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Partial<EncodedTrainerError>;
  const code = CODES.includes(r.code as TrainerErrorCode) ? (r.code as TrainerErrorCode) : 'internal';
  const message = typeof r.message === 'string' ? r.message : `the trainer failed with ${JSON.stringify(raw)}`;
  return new TrainerError(code, message, {
    cause: typeof r.cause === 'string' ? r.cause : undefined,
    fix: typeof r.fix === 'string' ? r.fix : undefined,
  });
}
