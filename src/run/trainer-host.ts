// The trainer worker's side of the protocol (protocol.ts), apart from its entry file so that a test
// can serve it over any HostEndpoint. It owns the one WebGPU device used for training: opened on
// the first request that needs it and kept for the worker's life (the page holds none).
//
// Runs: `start` opens the device, writes the run record and returns at once; the backbone loads
// (the "download" stage) and the orchestrator runs in the background, one run at a time. What it
// does reaches the page as events in the log `events` reads: status changes, progress per stage
// with an ETA for the stage, metric rows, trajectories as they are stored, the entropy-collapse
// warning, and errors. Everything is written to the run store (IndexedDB in the browser) as the
// pipeline goes, so a run that a reload, a crash or a lost device interrupted is listed by
// `unfinished` and continues from its last checkpoint with `start {resume}` or `resume`, redoing
// at most the unit (one PPO iteration) that was in progress.
//
// The backbone is a separate concern handed in by the entry (loadBackbone): in the browser it is
// the LLM worker (transformers.js and its own device, DESIGN.md §3), reached through BackboneClient.
// A lost training device stops the run (failed, resumable) without touching the backbone; a
// crashed LLM worker fails the run the same way and the next run loads the model again.
//
// Requests are answered one at a time (the core host's rule), so a command returns quickly and
// leaves the long work to the background run; `branch` and `evaluate` are the exceptions, and
// events wait while they run.

import { serveWorker, type HostEndpoint } from '../core/worker';
import { getEnvSpec } from '../envs/registry';
import { Gpu } from '../gpu';
import { evaluate as evaluateSplit } from '../rl/evaluate';
import { needsEstimator } from '../rl/rewards';
import { RolloutEngine } from '../rl/rollout';
import { BatchedDecider, type EpisodeBackbone } from '../rl/rollout-decider';
import { InlineEnvs, type EnvBatcher } from '../rl/rollout-envs';
import type { Trajectory } from '../rl/trajectory';
import { EpisodeAnnotator } from './annotate';
import { branchTrajectory, runModel } from './branch';
import { checkpointFile } from './checkpoint-transfer';
import { evalSplits, safeParseRunConfig, type RunConfig } from './config';
import { Orchestrator, RunCancelledError, type ProgressEvent } from './orchestrator';
import { EVAL_SEED, type PipelineOptions } from './pipeline';
import { readMeta, stageRank } from './resume';
import type { SftModelStore } from './persistence/sft-model-store';
import { browserSftHook, lookupSftExport, sftModelId, startingBackbone, type BrowserSftRun, type LoadedBackbone, type TrainerSftOptions } from './sft-host-browser';
import type { Json, MetricRow, RunRecord, RunStatus, RunStore } from './persistence/store';
import { multiplyOnGpu, runMatmulCheck } from './gpu-check';
import {
  STAGES, TrainerError, encodeTrainerError,
  type EvalResult, type EventsResponse, type GpuCheckReport, type RunOptions, type RunState, type Stage, type TrainerEvent,
  type TrainerEventInput, type TrainerProtocol, type UnfinishedRun,
} from './protocol';

/** Events kept for pages that poll late; older ones are dropped (the store keeps the data). */
export const EVENT_LOG_CAPACITY = 10_000;
/** Trajectory events whose trajectories the log keeps; older ones keep their iteration and lose the payload (the store has it). */
export const TRAJECTORY_EVENTS_KEPT = 2;
/** Least time between two progress events of one stage (the last one of a stage always goes out). */
export const PROGRESS_INTERVAL_MS = 200;
/** Environment slots of a run when the entry gives no env factory. */
export const DEFAULT_SLOTS = 16;

/** The worker's event log: events get increasing sequence numbers; pages read those after a seq. */
export class TrainerEventLog {
  private readonly events: TrainerEvent[] = [];
  private seq = 0;

  constructor(private readonly capacity = EVENT_LOG_CAPACITY, private readonly trajectoryEventsKept = TRAJECTORY_EVENTS_KEPT) {}

  append(e: TrainerEventInput): TrainerEvent {
    const event = { ...e, seq: ++this.seq } as TrainerEvent;
    this.events.push(event);
    if (this.events.length > this.capacity) this.events.splice(0, this.events.length - this.capacity);
    if (event.type === 'trajectories') this.thinTrajectories();
    return event;
  }

  /** Keeps the payload of the newest trajectory events only: a long run would otherwise hold every trajectory twice. */
  private thinTrajectories(): void {
    let seen = 0;
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i];
      if (e.type !== 'trajectories') continue;
      if (++seen > this.trajectoryEventsKept && e.trajectories.length) this.events[i] = { ...e, trajectories: [] };
    }
  }

  since(seq: number): EventsResponse {
    const oldest = this.events[0]?.seq ?? this.seq + 1;
    // Sequence numbers are dense, so the first wanted event sits at a computable index.
    const from = Math.max(0, seq + 1 - oldest);
    return { events: this.events.slice(from), next: this.seq, oldest };
  }
}

// LoadedBackbone (a loaded frozen backbone, as the entry provides it) lives beside the SFT stage, which loads them too.
export type { LoadedBackbone } from './sft-host-browser';

export interface TrainerHostOptions {
  /** Opens the training device (default Gpu.create); tests pass their own. */
  openGpu?: () => Promise<Gpu>;
  /** Opens the run store (default: IndexedDB through idb-store). */
  openStore?: () => Promise<RunStore>;
  /**
   * Loads the frozen backbone of a model id, reporting the download as 0…1. The browser entry
   * loads it in the LLM worker; without one, the run commands answer not-available-yet.
   */
  loadBackbone?: (modelId: string, onProgress: (fraction: number, detail?: string) => void) => Promise<LoadedBackbone>;
  /** The environment slots of one run (default: InlineEnvs in this worker); closed after the run when it has close(). */
  envs?: () => EnvBatcher & { close?(): void };
  /** Pipeline settings under every run's own (tests). */
  pipeline?: PipelineOptions;
  /**
   * The SFT stage (sft-host-browser.ts): how to read the bundled model's files and load a model
   * from bytes. Without it, a run with sft.enabled fails with the pipeline's "no SFT stage" message.
   */
  sft?: TrainerSftOptions;
}

interface LiveRun {
  runId: string;
  config: RunConfig;
  status: RunStatus;
  stage?: Stage;
  iteration: number;
  /** Set before the orchestrator exists (while the backbone loads), applied when it does. */
  wanted: 'running' | 'paused' | 'cancelled';
  orchestrator: Orchestrator | null;
  /** Settles when the run has stopped, whatever the reason. */
  settled: Promise<void>;
  /** Why the run must end as failed even if it stopped as cancelled (a lost GPU device). */
  fatal?: string;
  /** The backbone cache key the run scores with when it is not config.model (its SFT model). */
  backboneKey?: string;
}

const UNFINISHED: readonly RunStatus[] = ['created', 'running', 'paused', 'failed', 'cancelled'];

function runIdFor(c: RunConfig): string {
  return `${c.env}-${c.reward}-s${c.seed}-${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 3).toString(36).padStart(3, '0')}`;
}

/** The run's RunOptions as stored in its record (extra.options), checked. */
export function storedOptions(record: RunRecord): RunOptions {
  const o = record.extra?.options;
  if (!o || typeof o !== 'object' || Array.isArray(o)) return {};
  const r = o as { [k: string]: Json };
  const out: RunOptions = {};
  if (typeof r.maxSteps === 'number') out.maxSteps = r.maxSteps;
  if (Array.isArray(r.headHidden) && r.headHidden.every((x) => typeof x === 'number')) out.headHidden = r.headHidden as number[];
  return out;
}

function checkOptions(o: RunOptions | undefined): RunOptions {
  if (!o) return {};
  const out: RunOptions = {};
  if (o.maxSteps !== undefined) {
    if (!Number.isInteger(o.maxSteps) || o.maxSteps < 1 || o.maxSteps > 10_000) throw new TrainerError('bad-request', `options.maxSteps must be an integer in 1…10000, got ${o.maxSteps}`);
    out.maxSteps = o.maxSteps;
  }
  if (o.headHidden !== undefined) {
    if (!Array.isArray(o.headHidden) || o.headHidden.length > 4 || !o.headHidden.every((h) => Number.isInteger(h) && h >= 1 && h <= 4096)) {
      throw new TrainerError('bad-request', `options.headHidden must be 0–4 integer widths in 1…4096, got ${JSON.stringify(o.headHidden)}`);
    }
    out.headHidden = [...o.headHidden];
  }
  return out;
}

/** Per-stage fraction and ETA from the pipeline's progress (which counts PPO per iteration and evaluation per split). */
class StageProgress {
  private readonly starts = new Map<Stage, { t: number; f: number }>();
  private readonly lastSent = new Map<Stage, number>();

  constructor(private readonly config: RunConfig, private readonly now: () => number = () => performance.now()) {}

  map(e: ProgressEvent): { stage: Stage; fraction: number; etaS: number | null; detail?: string } | null {
    if (!(STAGES as readonly string[]).includes(e.stage)) return null;
    const stage = e.stage as Stage;
    let fraction = e.stageFraction;
    let detail = e.message;
    if (stage === 'ppo') {
      const n = Math.max(1, this.config.ppo.iterations);
      fraction = (Math.max(0, e.iteration - 1) + e.stageFraction) / n;
      detail = `iteration ${e.iteration} of ${n}${e.message ? ` · ${e.message}` : ''}`;
    } else if (stage === 'eval') {
      const splits = evalSplits(this.config);
      const i = e.message ? splits.indexOf(e.message as (typeof splits)[number]) : -1;
      if (i >= 0) fraction = (i + e.stageFraction) / splits.length;
    }
    return { stage, fraction: Math.min(1, Math.max(0, fraction)), etaS: this.eta(stage, fraction), detail };
  }

  /** Seconds left in the stage at this session's pace in it. */
  eta(stage: Stage, fraction: number): number | null {
    const t = this.now();
    const s = this.starts.get(stage);
    if (!s) {
      this.starts.set(stage, { t, f: fraction });
      return null;
    }
    const gained = fraction - s.f;
    return gained > 1e-6 ? ((t - s.t) / 1000 / gained) * (1 - fraction) : null;
  }

  /** Whether a progress event of this stage should go out now. */
  due(stage: Stage, fraction: number): boolean {
    const t = this.now();
    const last = this.lastSent.get(stage);
    if (fraction < 1 && last !== undefined && t - last < PROGRESS_INTERVAL_MS) return false;
    this.lastSent.set(stage, t);
    return true;
  }
}

export function serveTrainer(endpoint: HostEndpoint, options: TrainerHostOptions = {}): TrainerEventLog {
  const log = new TrainerEventLog();
  const open = options.openGpu ?? (() => Gpu.create());
  let device: Promise<Gpu> | null = null;
  let storeOpening: Promise<RunStore> | null = null;
  let live: LiveRun | null = null;
  const backbones = new Map<string, Promise<LoadedBackbone>>();
  /** Credits hand-played episodes (annotate) with one run's checkpoint; replaced when another run or checkpoint is asked for. */
  let annotator: EpisodeAnnotator | null = null;
  let annotatorGpu: Gpu | null = null;

  const gpu = (): Promise<Gpu> => {
    if (!device) {
      const opening = open();
      device = opening;
      // A failed start is not cached: the next request tries again (the user may fix a flag).
      opening.then(
        (g) => g.handle.onLost((e) => {
          if (device === opening) device = null;
          const run = live;
          if (run && run.status !== 'finished') {
            // The run's buffers died with the device: stop it; it ends as failed and can be resumed on a new device.
            run.fatal = `the GPU device was lost (${e.message}); the run stopped and can be resumed from its last checkpoint`;
            log.append({ type: 'error', runId: run.runId, message: run.fatal, fatal: true });
            run.wanted = 'cancelled';
            run.orchestrator?.cancel();
          } else {
            log.append({ type: 'error', runId: '', message: `the GPU device was lost (${e.message}); the next command opens a new one`, fatal: false });
          }
        }),
        () => { if (device === opening) device = null; },
      );
    }
    return device;
  };

  const store = (): Promise<RunStore> => {
    storeOpening ??= (options.openStore ?? (async () => (await import('./persistence/idb-store')).IdbRunStore.open()))().catch((e: unknown) => {
      storeOpening = null;
      throw e;
    });
    return storeOpening;
  };

  /** The backbone cached under `key` (a model id, or a run's SFT model id), else `load`ed; `fresh` drops a cached one first. */
  const cachedBackbone = async (key: string, load: () => Promise<LoadedBackbone>, fresh = false): Promise<LoadedBackbone> => {
    const cached = backbones.get(key);
    if (cached) {
      const b = await cached.catch(() => null);
      if (b?.alive() && !fresh) return b;
      backbones.delete(key);
      if (b) void b.dispose().catch(() => {});
    }
    // One model at a time: others are released unless the live run scores with them.
    for (const [id, b] of backbones) {
      if ((id === live?.config.model || id === live?.backboneKey) && live.status !== 'finished') continue;
      backbones.delete(id);
      void b.then((x) => x.dispose()).catch(() => {});
    }
    const loading = load();
    backbones.set(key, loading);
    loading.catch(() => { if (backbones.get(key) === loading) backbones.delete(key); });
    return loading;
  };

  const backboneFor = async (modelId: string, onProgress: (fraction: number, detail?: string) => void = () => {}): Promise<LoadedBackbone> => {
    const load = options.loadBackbone;
    if (!load) throw new TrainerError('not-available-yet', 'this trainer has no backbone loader, so it cannot run the pipeline');
    return cachedBackbone(modelId, () => load(modelId, onProgress));
  };

  let sftStoreOpening: Promise<SftModelStore> | null = null;
  const sftStore = (): Promise<SftModelStore> => {
    sftStoreOpening ??= (options.sft?.openStore ?? (async () => (await import('./persistence/sft-model-store')).IdbSftModelStore.open()))().catch((e: unknown) => {
      sftStoreOpening = null;
      throw e;
    });
    return sftStoreOpening;
  };

  /** What the SFT stage of one run needs from this host. */
  const sftRun = async (runId: string, g: Gpu, sft: TrainerSftOptions, onBackbone: (key: string) => void = () => {}): Promise<BrowserSftRun> => ({
    runId, gpu: g, store: await sftStore(), runs: await store(), sft,
    backbone: (key, load, fresh) => {
      onBackbone(key);
      return cachedBackbone(key, load, fresh);
    },
    notice: (message) => log.append({ type: 'error', runId, message, fatal: false }),
  });

  /** The backbone of a stored run: its SFT model when it has one (its heads were trained on that model's features). */
  const runBackbone = async (r: RunRecord): Promise<LoadedBackbone> => {
    if (!r.config.sft.enabled) return backboneFor(r.config.model);
    const sft = options.sft;
    if (!sft) throw new TrainerError('not-available-yet', `run "${r.id}" scores with its SFT model, and this trainer has no SFT stage to load it`);
    const found = await lookupSftExport(await sftStore(), r.id, r.config);
    if (found.state !== 'ok') {
      throw new TrainerError('bad-request', `run "${r.id}" has no usable SFT model (${found.state === 'none' ? 'none is stored' : found.reason}); resume the run to train it again`);
    }
    const id = sftModelId(r.id);
    return cachedBackbone(id, () => sft.loadFiles(id, found.files, () => {}));
  };

  const stateOf = (r: LiveRun): RunState => ({ runId: r.runId, status: r.status, ...(r.stage ? { stage: r.stage } : {}), iteration: r.iteration });
  const setStatus = (r: LiveRun, status: RunStatus) => {
    if (r.status === status) return;
    r.status = status;
    log.append({ type: 'status', runId: r.runId, status, ...(r.stage ? { stage: r.stage } : {}) });
  };
  const isLive = (r: LiveRun | null): boolean => r !== null && (r.status === 'created' || r.status === 'running' || r.status === 'paused');

  /** The store as the pipeline sees it, with every stored batch of trajectories also sent as an event. */
  const reporting = (s: RunStore, runId: string): RunStore => new Proxy(s, {
    get(target, prop, receiver) {
      if (prop === 'appendTrajectories') {
        return async (id: string, trajs: readonly Trajectory[]) => {
          await target.appendTrajectories(id, trajs);
          if (id === runId && trajs.length) log.append({ type: 'trajectories', runId, iteration: trajs[0].iteration, trajectories: [...trajs] });
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });

  /** Starts a new run or continues a stored one; returns once the run record is written and the device is open. */
  const launch = async (config: RunConfig, runId: string, resuming: boolean, runOptions: RunOptions, label?: string): Promise<RunState> => {
    const previous = live;
    if (previous && isLive(previous)) throw new TrainerError('bad-request', `run ${previous.runId} is ${previous.status} in this worker; stop it before starting another`);
    if (previous) await previous.settled;
    const s = await store();
    const g = await gpu();
    const now = new Date().toISOString();
    const existing = await s.getRun(runId);
    if (!existing) {
      await s.putRun({
        id: runId, label: label ?? `${config.reward} · ${config.env} · seed ${config.seed}`, config, status: 'created', createdAt: now, updatedAt: now,
        iteration: 0, extra: { options: runOptions as { [k: string]: Json } },
      });
    }
    const run: LiveRun = {
      runId, config, status: 'created', iteration: existing?.iteration ?? -1, wanted: 'running', orchestrator: null, settled: Promise.resolve(),
    };
    live = run;
    setStatus(run, 'running');
    const progress = new StageProgress(config);
    const sendProgress = (stage: Stage, fraction: number, etaS: number | null, detail?: string) => {
      if (!progress.due(stage, fraction)) return;
      run.stage = stage;
      log.append({ type: 'progress', runId, stage, fraction, etaS, ...(detail ? { detail } : {}) });
    };

    const go = async (): Promise<void> => {
      let envs: (EnvBatcher & { close?(): void }) | null = null;
      try {
        if (resuming) await reportDone(s, runId, config, sendProgress);
        const download = (f: number, detail?: string) => sendProgress('download', f, progress.eta('download', f), detail);
        // An SFT run starts on its stored export when a resumed run has a usable one, else on the bundled model.
        const sft = config.sft.enabled && options.sft
          ? await sftRun(runId, g, options.sft, (key) => { run.backboneKey = key; })
          : null;
        const switching = sft ? await startingBackbone(sft, config, () => backboneFor(config.model, download), download) : null;
        const b = switching?.loaded ?? await backboneFor(config.model, download);
        sendProgress('download', 1, 0, b.modelId);
        if (run.wanted === 'cancelled') throw new RunCancelledError();
        envs = options.envs?.() ?? new InlineEnvs(DEFAULT_SLOTS);
        const stage = sft && switching ? browserSftHook(sft, switching) : undefined;
        // The stage's last progress event names the model the later stages score with (the LLM worker's own ModelInfo when it has one).
        const sftHook: typeof stage = stage && switching ? (async (...args) => {
          const m = await stage(...args);
          sendProgress('sft', 1, 0, `scoring with ${switching.info?.modelId ?? switching.modelId}`);
          return m;
        }) : undefined;
        const orchestrator = new Orchestrator({
          runId, config, store: reporting(s, runId), label,
          deps: { gpu: g, backbone: switching ?? b.backbone, featureDim: b.featureDim, envs, ...(sftHook ? { sft: sftHook } : {}) },
          options: { ...options.pipeline, ...runOptions },
          onProgress: (e) => {
            const p = progress.map(e);
            if (p) sendProgress(p.stage, p.fraction, p.etaS, p.detail);
          },
          onMetrics: (row) => onMetrics(run, row),
        });
        orchestrator.control.onChange((state) => {
          if (state === 'paused') setStatus(run, 'paused');
          else if (state === 'running') setStatus(run, 'running');
        });
        run.orchestrator = orchestrator;
        if (run.wanted === 'paused') orchestrator.pause();
        if (sftHook && switching && switching.modelId !== sftModelId(runId) && await pastSft(s, runId)) {
          // The pipeline skips SFT for a run past BC, but its export is gone or unusable: the heads
          // were trained on that model's features, so it is trained again (deterministic on the same adapter) first.
          await sftHook(config, orchestrator.control, (f) => sendProgress('sft', f, progress.eta('sft', f)));
        }
        const outcome = await orchestrator.run();
        run.iteration = outcome.iterations;
        setStatus(run, 'finished');
      } catch (e) {
        if (run.fatal) {
          await markFailed(s, runId, run.fatal);
          setStatus(run, 'failed');
        } else if (e instanceof RunCancelledError) {
          // The orchestrator records 'cancelled' itself; a run cancelled while its backbone loaded has only our record.
          const rec = await s.getRun(runId).catch(() => undefined);
          if (rec && rec.status !== 'cancelled') await s.putRun({ ...rec, status: 'cancelled', updatedAt: new Date().toISOString() }).catch(() => {});
          setStatus(run, 'cancelled');
        } else {
          const { message } = encodeTrainerError(e);
          await markFailed(s, runId, message);
          log.append({ type: 'error', runId, message: `${message}; the run stopped and can be resumed from its last checkpoint`, fatal: true });
          setStatus(run, 'failed');
        }
      } finally {
        envs?.close?.();
      }
    };
    run.settled = go();
    return { ...stateOf(run), ...(resuming ? {} : { iteration: -1 }) };
  };

  /** A resumed run's stages finished by an earlier session, as done (the pipeline skips them silently). */
  const reportDone = async (s: RunStore, runId: string, config: RunConfig, send: (stage: Stage, fraction: number, etaS: number | null, detail?: string) => void) => {
    const ckpt = await s.latestCheckpoint(runId);
    if (!ckpt) return;
    const meta = readMeta(ckpt);
    const done = stageRank(meta.stage);
    if (done >= stageRank('bc')) {
      if (config.sft.enabled) send('sft', 1, 0);
      send('bc', 1, 0);
    }
    if (done >= stageRank('estimator') && needsEstimator(config.reward)) {
      send('explore', 1, 0);
      send('estimator', 1, 0);
    }
    if (meta.iteration > 0 && config.ppo.iterations > 0) send('ppo', meta.iteration / config.ppo.iterations, null, `resumed after iteration ${meta.iteration}`);
  };

  /** Whether the run's checkpoint is past SFT (the pipeline will not call the SFT stage). */
  const pastSft = async (s: RunStore, runId: string): Promise<boolean> => {
    const ckpt = await s.latestCheckpoint(runId);
    return ckpt !== undefined && stageRank(readMeta(ckpt).stage) >= stageRank('bc');
  };

  const markFailed = async (s: RunStore, runId: string, error: string) => {
    const rec = await s.getRun(runId).catch(() => undefined);
    if (rec) await s.putRun({ ...rec, status: 'failed', error, updatedAt: new Date().toISOString() }).catch(() => {});
  };

  const onMetrics = (run: LiveRun, row: MetricRow) => {
    if (row.stage === 'ppo') run.iteration = row.iteration;
    log.append({ type: 'metrics', runId: run.runId, rows: [row] });
    if (row['diag/entropy_collapse'] === true) {
      const value = row['diag/entropy_normalized'];
      log.append({
        type: 'warning', runId: run.runId, kind: 'entropy-collapse', iteration: row.iteration,
        message: typeof row['diag/warning'] === 'string' ? row['diag/warning'] : `the policy's entropy collapsed at iteration ${row.iteration}`,
        ...(typeof value === 'number' ? { value } : {}),
      });
    }
  };

  /** A stored run, or no-such-run. */
  const stored = async (runId: string): Promise<RunRecord> => {
    const r = await (await store()).getRun(runId);
    if (!r) throw new TrainerError('no-such-run', `there is no run "${runId}" in this browser's store`);
    return r;
  };

  /** Continues a stored, unfinished run from its last checkpoint. */
  const continueRun = async (runId: string): Promise<RunState> => {
    const r = await stored(runId);
    if (r.status === 'finished') return { runId, status: 'finished', ...(r.stage ? { stage: r.stage as Stage } : {}), iteration: r.iteration ?? -1 };
    return launch(r.config, runId, true, storedOptions(r), r.label);
  };

  const liveOrStored = async (runId: string, what: string): Promise<LiveRun> => {
    if (live?.runId === runId) return live;
    const r = await stored(runId);
    throw new TrainerError('bad-request', `run "${runId}" is not running in this worker (it is ${r.status}); ${what}`);
  };

  /** The run's newest checkpoint, its record and the backbone: what branch and evaluate play with. */
  const playable = async (runId: string) => {
    const r = await stored(runId);
    const s = await store();
    const checkpoint = await s.latestCheckpoint(runId);
    if (!checkpoint) throw new TrainerError('bad-request', `run "${runId}" has no checkpoint yet (the first one is written after behaviour cloning)`);
    const [g, b] = await Promise.all([gpu(), runBackbone(r)]);
    return { record: r, store: s, checkpoint, gpu: g, backbone: b, runOptions: { ...options.pipeline, ...storedOptions(r) } };
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

    start: async (req) => {
      if (!options.loadBackbone) throw new TrainerError('not-available-yet', 'Training is not available: this trainer has no backbone loader');
      if (req.resume) return continueRun(req.resume);
      const parsed = safeParseRunConfig(req.config);
      if (!parsed.ok) throw new TrainerError('bad-request', parsed.error.message);
      return launch(parsed.config, runIdFor(parsed.config), false, checkOptions(req.options), req.label);
    },
    pause: async ({ runId }) => {
      const r = await liveOrStored(runId, 'there is nothing to pause');
      if (r.status === 'running' || r.status === 'created') {
        r.wanted = 'paused';
        if (r.orchestrator) r.orchestrator.pause();
        else setStatus(r, 'paused');
      }
      return stateOf(r);
    },
    resume: async ({ runId }) => {
      // A run this worker is not running (a reload, a crash, a lost device) continues from its checkpoint.
      const r = live;
      if (r?.runId !== runId || !isLive(r)) return continueRun(runId);
      if (r.status === 'paused') {
        r.wanted = 'running';
        if (r.orchestrator) r.orchestrator.resume();
        else setStatus(r, 'running');
      }
      return stateOf(r);
    },
    stop: async ({ runId }) => {
      const here = live;
      if (here?.runId !== runId || !isLive(here)) {
        const r = await stored(runId);
        if (r.status === 'finished' || r.status === 'cancelled') return { runId, status: r.status, iteration: r.iteration ?? -1 };
        // A run left behind by a closed tab: mark it stopped so that it is not offered as interrupted.
        await (await store()).putRun({ ...r, status: 'cancelled', updatedAt: new Date().toISOString() });
        return { runId, status: 'cancelled', iteration: r.iteration ?? -1 };
      }
      here.wanted = 'cancelled';
      here.orchestrator?.cancel();
      // The run stops at its next check; the 'cancelled' status event says when.
      return stateOf(here);
    },
    unfinished: async () => {
      const runs = await (await store()).listRuns();
      return runs
        .filter((r) => UNFINISHED.includes(r.status))
        .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
        .map((r): UnfinishedRun => {
          const here = live?.runId === r.id && isLive(live) ? live : null;
          return {
            runId: r.id, label: r.label, updatedAt: r.updatedAt, status: here?.status ?? r.status, iteration: here?.iteration ?? r.iteration ?? -1,
            ...(r.stage ? { stage: r.stage as Stage } : {}), ...(r.error ? { error: r.error } : {}), live: here !== null,
          };
        });
    },
    branch: async (req, ctx) => {
      const p = await playable(req.runId);
      const original = (await p.store.trajectories(req.runId)).find((t) => t.id === req.trajectoryId);
      if (!original) throw new TrainerError('no-such-run', `run "${req.runId}" has no trajectory "${req.trajectoryId}"`);
      return branchTrajectory(
        { gpu: p.gpu, backbone: p.backbone.backbone, featureDim: p.backbone.featureDim },
        { config: p.record.config, options: p.runOptions, checkpoint: p.checkpoint },
        original,
        { step: req.step, action: req.action, continuation: req.continuation, onProgress: (fraction) => ctx.progress({ fraction }) },
      );
    },
    evaluate: async (req, ctx) => {
      const p = await playable(req.runId);
      const c = p.record.config;
      const env = getEnvSpec(c.env);
      for (const split of req.splits) if (env.splits[split] === undefined) throw new TrainerError('bad-request', `${c.env} has no ${split} split`);
      const model = runModel(p.gpu, p.backbone.featureDim, { config: c, options: p.runOptions }, p.checkpoint);
      try {
        // The run's own candidate sets (its invalid distractors), so this matches the pipeline's evaluation.
        const engine = new RolloutEngine(new BatchedDecider(p.backbone.backbone, await model.heads()), new InlineEnvs(DEFAULT_SLOTS), { invalid: c.candidates.invalid });
        const out: EvalResult[] = [];
        for (const split of req.splits) {
          ctx.progress({ split, fraction: 0 });
          const { result } = await evaluateSplit(engine, { env, split, count: req.tasks ?? c.eval.tasks, seed: EVAL_SEED, maxSteps: p.runOptions.maxSteps });
          out.push({ split, ...result });
          ctx.progress({ split, fraction: 1 });
        }
        return out;
      } finally {
        model.destroy();
      }
    },
    annotate: async (req) => {
      const p = await playable(req.runId);
      const key = EpisodeAnnotator.key(req.runId, p.checkpoint.iteration);
      // A new device (the old one was lost) needs new buffers too.
      if (annotator?.key !== key || annotatorGpu !== p.gpu) {
        annotator?.destroy();
        annotator = null;
        annotatorGpu = p.gpu;
        annotator = EpisodeAnnotator.create({ gpu: p.gpu, backbone: p.backbone.backbone, featureDim: p.backbone.featureDim },
          { config: p.record.config, options: p.runOptions, checkpoint: p.checkpoint }, req.runId);
      }
      return annotator.annotate(req);
    },
    import: () => {
      throw new TrainerError('not-available-yet', 'Import through the trainer is not available yet: the page imports into the store itself');
    },
    export: async (req) => {
      if (req.what !== 'checkpoint') throw new TrainerError('not-available-yet', 'Trajectory export through the trainer is not available yet: the page exports from the store itself');
      const r = await stored(req.runId);
      const checkpoint = await (await store()).latestCheckpoint(req.runId);
      if (!checkpoint) throw new TrainerError('bad-request', `run "${req.runId}" has no checkpoint yet (the first one is written after behaviour cloning)`);
      if (req.iteration !== undefined && req.iteration !== checkpoint.iteration) {
        throw new TrainerError('bad-request', `run "${req.runId}" exports only its latest checkpoint (iteration ${checkpoint.iteration}), not ${req.iteration}`);
      }
      return checkpointFile(r, checkpoint);
    },
  }, { encodeError: encodeTrainerError });
  return log;
}
