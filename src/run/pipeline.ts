// The SPA pipeline of one run (DESIGN.md §1, issue 10 §3), stage by stage:
//
//   1. SFT of the backbone (optional, off by default; the SFT stage is handed in as a hook)
//   2. BC of the policy adapter on expert episodes of the training tasks
//   3. exploration: K rollouts per training task at the exploration temperature   } variants that
//   4. the progress estimator, with a held-out split; every step annotated with ĉ  } read ĉ only
//   5. PPO iterations: fresh rollouts with the current policy, ĉ (refit every k iterations),
//      rewards by the variant, step-level GAE, the update, diagnostics
//   6. greedy evaluation on every evaluation split
//
// Persistence: each finished unit (BC, the estimator, each PPO iteration) appends its
// trajectories and its metric row, then saves a checkpoint of all heads and their optimisers; a
// resumed run starts after the newest checkpoint (resume.ts). Seeds: every draw derives from the
// config seed and a name (episode ids, "ppo:<seed>:<iteration>", …), never from a shared stream,
// so a redone unit repeats exactly what the interrupted one did.
//
// Metric rows: {iteration, stage, …values} under the names of the trainer protocol's METRICS
// table (verl names for the update: actor/…, critic/…; outcome names success_rate, score,
// grounding_acc, episode_length; estimator/…; perf/…), plus bc/…, diag/… and timing/…. Rows for
// BC and the estimator carry iteration 0, PPO rows their iteration (1 …), and each evaluation
// split one row with its `split` at the last iteration.

import type { SplitName } from '../envs/env';
import type { EnvBatcher } from '../rl/rollout-envs';
import { getEnvSpec } from '../envs/registry';
import type { Gpu } from '../gpu';
import { AdamW } from '../nn';
import { expertEpisodes, expertFeatures, trainBc } from '../rl/bc';
import { diagnose, rolloutStats } from '../rl/diagnostics';
import { annotateProgress, trainEstimator, type EstimatorMetrics } from '../rl/estimator-stage';
import { evaluate, taskIdsOf, type EvalResult } from '../rl/evaluate';
import { DEFAULT_CAPACITY, DEFAULT_HEAD_HIDDEN, DEFAULT_KAPPA, PolicyModel, type Episode, type HeadsCapacity } from '../rl/policy-model';
import { PpoUpdater, type PpoSettings } from '../rl/ppo-stage';
import { needsEstimator, type RewardParams } from '../rl/rewards';
import { RolloutEngine, rolloutsOf, type CollectRequest } from '../rl/rollout';
import { BatchedDecider, type Decider, type DecisionState, type EpisodeBackbone } from '../rl/rollout-decider';
import type { Trajectory } from '../rl/trajectory';
import { evalSplits, type RunConfig } from './config';
import { ProgressTracker, type ProgressEvent, type RunControl } from './control';
import type { Json, MetricRow, RunRecord, RunStore } from './persistence/store';
import { findResumePoint, metricKey, stageRank, writeMeta, type CheckpointMeta, type Stage } from './resume';

/** The env reset seed of every evaluation episode: runs of different seeds face the same test episodes. */
export const EVAL_SEED = 0;
/** States per BC minibatch. */
export const BC_MINIBATCH = 32;
/** Checkpoints kept per run (the newest, and one before it in case the newest is damaged). */
export const KEEP_CHECKPOINTS = 2;

/** What the pipeline runs on, handed in by the host (trainer worker or Node). */
export interface PipelineDeps {
  gpu: Gpu;
  /** The frozen backbone: scores each live episode's candidates with φ, ψ and ℓ. */
  backbone: EpisodeBackbone;
  /** Width of φ and ψ (ModelInfo.featureDim). */
  featureDim: number;
  /** Environment slots the rollouts step (the env pool, or InlineEnvs). */
  envs: EnvBatcher;
  /**
   * Stage 1, when config.sft.enabled: fine-tunes the backbone (the SFT stage of rl/sft.ts wired
   * to the host's model files) and reports its metrics. A run that enables SFT without a hook fails.
   */
  sft?: (config: RunConfig, control: RunControl, progress: (fraction: number) => void) => Promise<Record<string, number>>;
}

/** Settings outside the run config (tests and benches shrink a run with them). */
export interface PipelineOptions {
  /** Decision cap per episode; overrides config.episode.maxSteps (see stepCap). */
  maxSteps?: number;
  headHidden?: number[];
  kappa?: number;
  capacity?: HeadsCapacity;
}

export interface RunOutcome {
  runId: string;
  /** Evaluation per split. */
  results: Partial<Record<SplitName, EvalResult>>;
  /** PPO iterations completed. */
  iterations: number;
  /** The stage the run resumed after (undefined: it started fresh). */
  resumedAfter?: Stage;
  alreadyFinished: boolean;
}

export interface PipelineContext {
  runId: string;
  config: RunConfig;
  store: RunStore;
  deps: PipelineDeps;
  options: PipelineOptions;
  label?: string;
  control: RunControl;
  onProgress: (e: ProgressEvent) => void;
  onMetrics: (row: MetricRow) => void;
}

/** Checks in with the run control before every decision round (pause and cancel mid-rollout). */
class ControlledDecider implements Decider {
  constructor(private readonly inner: Decider, private readonly control: RunControl, private readonly onRound: () => void) {}
  get profile() {
    return this.inner.profile;
  }
  async decide(states: DecisionState[]) {
    await this.control.checkpoint();
    const out = await this.inner.decide(states);
    this.onRound();
    return out;
  }
  end(episodes: string[]): void {
    this.inner.end(episodes);
  }
}

/** JSON-safe metric values: non-finite numbers become null. */
function clean(row: Record<string, unknown>): MetricRow {
  const fix = (v: unknown): Json => {
    if (typeof v === 'number') return Number.isFinite(v) ? v : null;
    if (Array.isArray(v)) return v.map(fix);
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (typeof v === 'object') return Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, fix(x)]));
    return null;
  };
  return fix(row) as MetricRow;
}

export function ppoSettings(c: RunConfig): PpoSettings {
  const p = c.ppo;
  return {
    epochs: p.epochs, minibatch: p.minibatch, lr: p.lr, gamma: p.gamma, lambda: p.lambda, clip: p.clip, valueClip: p.valueClip,
    vfCoef: p.vfCoef, entCoef: p.entCoef, klCoef: p.klCoef, klEstimator: p.klEstimator, klReference: p.klReference, maxGradNorm: p.maxGradNorm,
  };
}

export function rewardParams(c: RunConfig): RewardParams {
  return { alpha: c.alpha, beta: c.beta, gamma: c.ppo.gamma, stepWeight: c.gigpo.stepWeight, groupNorm: c.gigpo.groupNorm };
}

/** The training tasks of PPO iteration i (1-based): the next tasksPerIteration of the range, wrapping around. */
export function iterationTasks(trainIds: readonly string[], perIteration: number, i: number): string[] {
  const n = trainIds.length;
  const k = Math.min(perIteration, n);
  const start = ((i - 1) * k) % n;
  return Array.from({ length: k }, (_, j) => trainIds[(start + j) % n]);
}

const seconds = (t0: number) => (performance.now() - t0) / 1000;

/**
 * The decision cap of every episode of a run (BC demonstrations, exploration, PPO, evaluation):
 * the run option when one is given (the lab's step-cap control, the tour, tests), else the
 * config's episode.maxSteps, else (0) undefined, which leaves each env its own cap.
 */
export function stepCap(c: RunConfig, options: PipelineOptions): number | undefined {
  return options.maxSteps ?? (c.episode.maxSteps > 0 ? c.episode.maxSteps : undefined);
}

export async function runPipeline(ctx: PipelineContext): Promise<RunOutcome> {
  const { config: c, store, runId, deps, control } = ctx;
  const spec = getEnvSpec(c.env);
  const existing = await store.getRun(runId);
  if (existing?.status === 'finished') {
    const results = ((existing.extra?.results ?? {}) as unknown) as RunOutcome['results'];
    return { runId, results, iterations: existing.iteration ?? 0, alreadyFinished: true };
  }
  if (existing && JSON.stringify(existing.config) !== JSON.stringify(c)) {
    throw new Error(`run ${runId} was started with a different config; resume it with its own config (run.json) or start a new run`);
  }
  const point = await findResumePoint(store, runId);
  const resumed = point.resumed || existing !== undefined;
  const done = stageRank(point.meta?.stage);
  const now = new Date().toISOString();
  let record: RunRecord = existing
    ? { ...existing, status: 'running', updatedAt: now }
    : { id: runId, label: ctx.label ?? `${c.reward} · ${c.env} · seed ${c.seed}`, config: c, status: 'running', createdAt: now, updatedAt: now, iteration: 0 };
  const putRecord = async (patch: Partial<RunRecord>) => {
    record = { ...record, ...patch, updatedAt: new Date().toISOString() };
    await store.putRun(record);
  };
  await putRecord({});

  const rl = c.reward !== 'bc';
  const maxSteps = stepCap(c, ctx.options);
  const estimating = rl && needsEstimator(c.reward);
  const iterations = rl ? c.ppo.iterations : 0;
  const splits = evalSplits(c);
  const units: [string, number][] = [];
  if (c.sft.enabled) units.push(['sft', 2]);
  units.push(['bc', 1]);
  if (estimating) units.push(['explore', 1], ['estimator', 0.5]);
  for (let i = 1; i <= iterations; i++) units.push([`ppo:${i}`, 1]);
  for (const s of splits) units.push([`eval:${s}`, 0.5]);
  const progress = new ProgressTracker(units, ctx.onProgress);
  if (done >= stageRank('bc')) { progress.skip('sft'); progress.skip('bc'); }
  if (done >= stageRank('estimator')) { progress.skip('explore'); progress.skip('estimator'); }
  const startIteration = point.meta?.iteration ?? 0;
  for (let i = 1; i <= startIteration; i++) progress.skip(`ppo:${i}`);

  const model = new PolicyModel(deps.gpu, {
    featureDim: deps.featureDim, hidden: ctx.options.headHidden ?? DEFAULT_HEAD_HIDDEN, estimatorHidden: c.estimator.hidden,
    kappa: ctx.options.kappa ?? DEFAULT_KAPPA, seed: c.seed,
  }, ctx.options.capacity ?? DEFAULT_CAPACITY);
  const estimatorOpt = await AdamW.create(deps.gpu, model.sets.estimator, { lr: c.estimator.lr });
  const updater = rl ? await PpoUpdater.create(model, ppoSettings(c)) : null;
  const optimizers = { estimator: estimatorOpt, ...(updater ? updater.optimizers : {}) };
  try {
    if (point.checkpoint) model.load(point.checkpoint.blobs, optimizers);
    let meta: CheckpointMeta = point.meta ?? { stage: 'bc', iteration: 0, firstEntropy: null };

    let round: () => void = () => {};
    const decider = new ControlledDecider(new BatchedDecider(deps.backbone, await model.heads()), control, () => round());
    const engine = new RolloutEngine(decider, deps.envs, { invalid: c.candidates.invalid });
    const trainIds = taskIdsOf(spec, c.split, c.tasks.start, c.tasks.count);
    const check = () => control.checkpoint();

    const writeRow = async (row: Record<string, unknown>) => {
      const r = clean(row);
      if (resumed && point.metricKeys.has(metricKey(r))) return;
      await store.appendMetrics(runId, [r]);
      point.metricKeys.add(metricKey(r));
      ctx.onMetrics(r);
    };
    const writeTrajectories = async (trajs: Trajectory[], iteration: number) => {
      let fresh = trajs;
      if (resumed) {
        const have = new Set((await store.trajectories(runId, { iteration })).map((t) => t.id));
        fresh = trajs.filter((t) => !have.has(t.id));
      }
      if (fresh.length) await store.appendTrajectories(runId, fresh);
    };
    const save = async (m: CheckpointMeta, iteration: number) => {
      meta = m;
      await store.saveCheckpoint(runId, { iteration, createdAt: new Date().toISOString(), meta: writeMeta(m), blobs: await model.save(optimizers) });
      await store.pruneCheckpoints(runId, KEEP_CHECKPOINTS);
    };
    /** Rollouts with their features, in request order. */
    const collect = async (req: CollectRequest, key: string, stage: ProgressEvent['stage'], iteration: number): Promise<{ episodes: Episode[]; seconds: number; decisionsPerSecond: number }> => {
      const expected = req.episodes.length * Math.min(req.maxSteps ?? spec.maxSteps, 12);
      let rounds = 0;
      round = () => progress.report(key, Math.min(0.95, (++rounds * req.episodes.length) / Math.max(1, expected * 2)), { stage, iteration });
      const t0 = performance.now();
      const res = await engine.collect({ ...req, keepFeatures: true });
      round = () => {};
      const episodes = res.trajectories.map((trajectory, i) => ({ trajectory, features: res.features![i] }));
      return { episodes, seconds: seconds(t0), decisionsPerSecond: res.stats.decisionsPerSecond };
    };

    // 1–2. SFT and BC.
    if (done < stageRank('bc')) {
      if (c.sft.enabled) {
        if (!deps.sft) throw new Error('config.sft.enabled is set but this host has no SFT stage wired in; turn sft.enabled off to train the heads on the bundled model');
        await putRecord({ stage: 'sft' });
        const m = await deps.sft(c, control, (f) => progress.report('sft', f, { stage: 'sft', iteration: 0 }));
        await writeRow({ iteration: 0, stage: 'sft', ...Object.fromEntries(Object.entries(m).map(([k, v]) => [k.startsWith('sft/') ? k : `sft/${k}`, v])) });
      }
      await putRecord({ stage: 'bc' });
      const t0 = performance.now();
      progress.report('bc', 0, { stage: 'bc', iteration: 0, message: 'expert episodes' });
      const demos = expertEpisodes(spec, trainIds, c.seed, maxSteps, c.candidates.invalid);
      const { features, expert } = await expertFeatures(decider, demos, check);
      progress.report('bc', 0.3, { stage: 'bc', iteration: 0, message: 'training the adapter' });
      const bc = await trainBc(model, features, expert, {
        epochs: c.bc.epochs, steps: c.bc.steps, lr: c.bc.lr, minibatch: BC_MINIBATCH, seed: c.seed, checkpoint: check,
        onStep: (k, n) => progress.report('bc', 0.3 + 0.7 * (k / n), { stage: 'bc', iteration: 0 }),
      });
      // PPO's KL reference: the policy as BC leaves it, saved with every later checkpoint, so a
      // resumed run loads this one (model.load) instead of freezing a later policy.
      await model.freezeReference();
      await writeRow({ iteration: 0, stage: 'bc', ...bc, 'timing/stage_s': seconds(t0) });
      await save({ stage: 'bc', iteration: 0, firstEntropy: null }, -1);
    }

    // 3–4. Exploration and the estimator.
    if (estimating && done < stageRank('estimator')) {
      await putRecord({ stage: 'explore' });
      const tasks = trainIds.map((taskId) => ({ taskId, seed: c.seed }));
      const ex = await collect({
        env: c.env, episodes: rolloutsOf(tasks, c.explore.k, 'explore/'), iteration: 0, mode: { kind: 'sample', temperature: c.explore.temperature },
        seed: c.seed, maxSteps, checkpoint: 'bc',
      }, 'explore', 'explore', 0);
      progress.report('explore', 1, { stage: 'explore', iteration: 0 });
      await putRecord({ stage: 'estimator' });
      const t0 = performance.now();
      const est = await trainEstimator(model, estimatorOpt, ex.episodes, {
        epochs: c.estimator.epochs, heldOut: c.estimator.heldOut, seed: c.seed, tag: 'explore', checkpoint: check,
        onEpoch: (k, n) => progress.report('estimator', k / n, { stage: 'estimator', iteration: 0 }),
      });
      const trajs = ex.episodes.map((e) => e.trajectory);
      const diag = diagnose(trajs, null);
      await writeTrajectories(trajs, 0);
      await writeRow({
        iteration: 0, stage: 'estimator', ...rolloutStats(trajs), ...est, ...diag,
        'timing/rollout_s': ex.seconds, 'timing/estimator_s': seconds(t0), 'perf/env_steps_per_s': ex.decisionsPerSecond,
      });
      await save({ stage: 'estimator', iteration: 0, firstEntropy: diag['diag/entropy_normalized'] }, -1);
    }

    // 5. PPO.
    for (let i = meta.iteration + 1; updater && i <= iterations; i++) {
      await putRecord({ stage: 'ppo', iteration: i - 1 });
      const tIter = performance.now();
      const key = `ppo:${i}`;
      const tasks = iterationTasks(trainIds, c.ppo.tasksPerIteration, i).map((taskId) => ({ taskId, seed: c.seed }));
      const ro = await collect({
        env: c.env, episodes: rolloutsOf(tasks, c.explore.k, `it${i}/`), iteration: i, mode: { kind: 'sample', temperature: c.explore.temperature },
        seed: c.seed, maxSteps, checkpoint: `it${i - 1}`,
      }, key, 'ppo', i);
      const trajs = ro.episodes.map((e) => e.trajectory);
      let est: EstimatorMetrics | Record<string, never> = {};
      const tEst = performance.now();
      if (estimating) {
        const refit = c.estimator.refitEvery > 0 && i % c.estimator.refitEvery === 0;
        if (refit) est = await trainEstimator(model, estimatorOpt, ro.episodes, { epochs: c.estimator.epochs, heldOut: c.estimator.heldOut, seed: c.seed, tag: `it${i}`, checkpoint: check });
        else await annotateProgress(model, ro.episodes);
      }
      const estimatorSeconds = seconds(tEst);
      const diag = diagnose(trajs, meta.firstEntropy);
      const firstEntropy = meta.firstEntropy ?? diag['diag/entropy_normalized'];
      progress.report(key, 0.8, { stage: 'ppo', iteration: i, message: 'update' });
      const tUp = performance.now();
      const ppo = await updater.update(ro.episodes, c.reward, rewardParams(c), `${c.seed}:${i}`, check);
      const updateSeconds = seconds(tUp);
      await writeTrajectories(trajs, i);
      await writeRow({
        iteration: i, stage: 'ppo', ...rolloutStats(trajs), ...ppo, ...est, ...diag,
        'timing/rollout_s': ro.seconds, 'timing/estimator_s': estimatorSeconds, 'perf/update_s': updateSeconds, 'timing/iteration_s': seconds(tIter),
        'perf/env_steps_per_s': ro.decisionsPerSecond,
      });
      await save({ stage: 'ppo', iteration: i, firstEntropy }, i);
      progress.report(key, 1, { stage: 'ppo', iteration: i });
    }

    // 6. Evaluation.
    await putRecord({ stage: 'eval', iteration: iterations });
    const results: RunOutcome['results'] = {};
    for (const split of splits) {
      const key = `eval:${split}`;
      let rounds = 0;
      round = () => progress.report(key, Math.min(0.95, ++rounds / 20), { stage: 'eval', iteration: iterations, message: split });
      const tEval = performance.now();
      const { result } = await evaluate(engine, { env: spec, split, count: c.eval.tasks, seed: EVAL_SEED, maxSteps });
      round = () => {};
      results[split] = result;
      await writeRow({
        iteration: iterations, stage: 'eval', split, success_rate: result.success_rate, score: result.score, grounding_acc: result.grounding,
        episode_length: result.mean_length, tasks: result.tasks, solved: result.solved, 'timing/stage_s': seconds(tEval),
      });
      progress.report(key, 1, { stage: 'eval', iteration: iterations, message: split });
    }
    await putRecord({ status: 'finished', stage: 'eval', iteration: iterations, extra: { ...(record.extra ?? {}), results: results as unknown as Json } });
    return { runId, results, iterations, resumedAfter: point.meta?.stage, alreadyFinished: false };
  } finally {
    updater?.destroy();
    estimatorOpt.destroy();
    model.destroy();
  }
}
