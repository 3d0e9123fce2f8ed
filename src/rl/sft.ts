// The SFT stage: next-token loss on the environments' expert episodes (train splits), rendered
// as the policy's prompts, on the WGSL transformer. AdamW with warmup + cosine and global-norm
// clipping (nn/transformer, nn/lr-schedule), held-out loss on every test split, progress events,
// and safetensors checkpoints from which an interrupted run resumes to the same weights.
//
// Determinism: the data (expert episodes, tokenizer) is a pure function of the options, the
// batch order of epoch e is a shuffle seeded by (seed, e), the learning rate a pure function of
// the step, and the checkpoint holds the parameters and the whole optimiser state. So the
// weights after step s depend only on (options, s), whether or not the run was interrupted, on
// the same adapter with the same matmul variant.

import { type SeededRng, Mulberry32 } from '../core/random';
import { hashString } from '../core/hash';
import type { EnvSpec, SplitName } from '../envs/env';
import { getEnvSpec } from '../envs/registry';
import type { Gpu } from '../gpu';
import type { MatmulVariant } from '../kernels/matmul';
import { learningRateAt, type LrSchedule } from '../nn/lr-schedule';
import { createTransformer, type TransformerConfig, type TransformerInit, type TransformerPlan } from '../nn/transformer';
import type { TransformerWeights } from '../nn/transformer-params';
import { HELD_OUT_SPLITS } from '../policy/env-corpus';
import type { PromptOptions } from '../policy/prompts';
import { type SftBatch, type SftDataStats, type SftTokenizer, buildSftData, packSequences } from './sft-data';

/**
 * The prompt SFT trains on and the SFT'd policy should be prompted with: no admissible list and a
 * history long enough for any expert episode, so the prompt only grows by appending and one
 * sequence trains every step of an episode (5x fewer tokens per loss token than the default
 * prompt with its admissible list; the policy scores admissible candidates anyway).
 */
export const SFT_PROMPT_OPTIONS: PromptOptions = { historyLength: 40, showAdmissible: false };

export interface SftOptions {
  /** Environments whose train splits are learned (default: all three). */
  envs?: string[];
  model: TransformerConfig;
  /** Initial weights: seeded, or given (e.g. the bundled model's). */
  init: TransformerInit;
  tokenizer: SftTokenizer;
  prompt?: PromptOptions;
  /** Expert episodes per environment from the start of its train split (default: all). */
  trainEpisodes?: number;
  /** Expert episodes per held-out split for the held-out loss (default 20). */
  heldOutEpisodes?: number;
  steps: number;
  /** Most tokens in one packed batch. */
  batchTokens: number;
  /** Longest sequence kept (default batchTokens); longer ones are left out and counted. */
  maxLength?: number;
  /** Peak learning rate, warmup steps and the floor the cosine ends at. */
  lr: { peak: number; warmupSteps: number; floor?: number };
  weightDecay?: number;
  maxGradNorm?: number;
  /** Seeds the batch order (the initial weights have their own seed in `init`). */
  seed: number;
  /** Held-out evaluation every this many steps (0: only at the end). */
  evalEvery?: number;
  /** Checkpoint every this many steps (0: only when a run is interrupted or ends). */
  checkpointEvery?: number;
  checkpoints?: SftCheckpointStore;
  /** Forces one matmul variant so the bytes do not depend on the autotuner's timing. */
  matmulVariant?: MatmulVariant;
}

/** Where checkpoints go: a file in Node (sft-checkpoint-file), IndexedDB or memory in the browser. */
export interface SftCheckpointStore {
  /** The last checkpoint written, or null. */
  read(): Promise<Uint8Array | null>;
  /** Replaces the last checkpoint; a reader sees the old or the new one, never a torn one. */
  write(bytes: Uint8Array): Promise<void>;
}

export interface SftHeldOut {
  env: string;
  split: SplitName;
  loss: number;
  accuracy: number;
  lossTokens: number;
  sequences: number;
}

export type SftProgress =
  | { kind: 'data'; train: SftDataStats[]; heldOut: SftDataStats[]; batchesPerEpoch: number; seconds: number }
  | { kind: 'resumed'; step: number }
  | { kind: 'step'; step: number; steps: number; loss: number; lr: number; gradNorm: number; tokens: number; lossTokens: number; tokensPerSecond: number; etaSeconds: number; elapsedSeconds: number }
  | { kind: 'eval'; step: number; heldOut: SftHeldOut[]; loss: number }
  | { kind: 'checkpoint'; step: number; bytes: number };

export interface SftHooks {
  gpu: Gpu;
  onProgress?: (event: SftProgress) => void;
  /** Aborting stops after the current step, writes a checkpoint (when there is a store) and rejects. */
  signal?: AbortSignal;
}

export interface SftResult {
  /** Steps done in total (including those before a resume). */
  steps: number;
  resumedFrom: number;
  weights: TransformerWeights;
  /** Mean training loss over the last tenth of the run (at least one step) of this session. */
  trainLoss: number;
  losses: number[];
  heldOut: SftHeldOut[];
  /** Held-out loss over every held-out loss token of all splits. */
  heldOutLoss: number;
  /** ln V: the loss of a uniform guess over the vocabulary. */
  uniformLoss: number;
  train: SftDataStats[];
  tokens: number;
  seconds: number;
}

export class SftAbortedError extends Error {
  override readonly name = 'SftAbortedError';
  constructor(readonly step: number) {
    super(`SFT interrupted after step ${step}`);
  }
}

const DEFAULT_ENVS = ['household', 'webshop', 'virtualhome'];

/** What decides the weights; a checkpoint of a different run is refused on resume. */
function fingerprint(o: SftOptions): string {
  const init = 'seed' in o.init ? { seed: o.init.seed, std: o.init.std } : { weights: 'given' };
  const key = {
    envs: o.envs ?? DEFAULT_ENVS, model: o.model, init, prompt: o.prompt ?? SFT_PROMPT_OPTIONS, trainEpisodes: o.trainEpisodes ?? null,
    steps: o.steps, batchTokens: o.batchTokens, maxLength: o.maxLength ?? o.batchTokens, lr: o.lr, weightDecay: o.weightDecay ?? null,
    maxGradNorm: o.maxGradNorm ?? null, seed: o.seed, matmulVariant: o.matmulVariant ?? 'auto',
  };
  return JSON.stringify(key);
}

/** The batch of global step s: epoch ⌊s/B⌋ visits the B batches in an order seeded by (seed, epoch). */
export function batchOrder(batches: number, seed: number, epoch: number): number[] {
  const rng: SeededRng = new Mulberry32(hashString(`sft-batch-order:${seed}:${epoch}`));
  return rng.shuffle(Array.from({ length: batches }, (_, i) => i));
}

function validate(o: SftOptions): void {
  if (!Number.isInteger(o.steps) || o.steps <= 0) throw new RangeError(`SFT: steps must be a positive integer, got ${o.steps}`);
  if (!Number.isInteger(o.batchTokens) || o.batchTokens <= 1) throw new RangeError(`SFT: batchTokens must be an integer > 1, got ${o.batchTokens}`);
  if ((o.maxLength ?? o.batchTokens) > o.batchTokens) throw new RangeError(`SFT: maxLength (${o.maxLength}) exceeds batchTokens (${o.batchTokens})`);
}

async function evaluate(plan: TransformerPlan, sets: Array<{ env: string; split: SplitName; batches: SftBatch[]; sequences: number }>): Promise<{ heldOut: SftHeldOut[]; loss: number }> {
  const heldOut: SftHeldOut[] = [];
  let sum = 0;
  let n = 0;
  for (const set of sets) {
    let loss = 0, correct = 0, tokens = 0;
    for (const b of set.batches) {
      const r = await plan.evaluateLoss(b);
      loss += r.loss * r.lossTokens;
      correct += r.accuracy * r.lossTokens;
      tokens += r.lossTokens;
    }
    heldOut.push({ env: set.env, split: set.split, loss: loss / tokens, accuracy: correct / tokens, lossTokens: tokens, sequences: set.sequences });
    sum += loss;
    n += tokens;
  }
  return { heldOut, loss: n ? sum / n : NaN };
}

/** Runs (or resumes) SFT; resolves with the trained weights and the held-out losses. */
export async function runSft(options: SftOptions, hooks: SftHooks): Promise<SftResult> {
  validate(options);
  const t0 = performance.now();
  const emit = (e: SftProgress) => hooks.onProgress?.(e);
  const specs: EnvSpec[] = (options.envs ?? DEFAULT_ENVS).map(getEnvSpec);
  const prompt = options.prompt ?? SFT_PROMPT_OPTIONS;
  const maxLength = options.maxLength ?? options.batchTokens;

  const train = buildSftData(specs, options.tokenizer, { split: 'train', episodes: options.trainEpisodes, prompt, maxLength });
  if (!train.sequences.length) throw new Error('SFT: no training sequence (no train episodes, or every one longer than maxLength)');
  const batches = packSequences(train.sequences, options.batchTokens);
  const heldOutSets = specs.flatMap((spec) =>
    HELD_OUT_SPLITS.filter((s) => spec.splits[s]).map((split) => {
      const d = buildSftData([spec], options.tokenizer, { split, episodes: options.heldOutEpisodes ?? 20, prompt, maxLength });
      return { env: spec.name, split, batches: packSequences(d.sequences, options.batchTokens), sequences: d.sequences.length, stats: d.stats[0] };
    }),
  ).filter((s) => s.batches.length);
  emit({ kind: 'data', train: train.stats, heldOut: heldOutSets.map((s) => s.stats), batchesPerEpoch: batches.length, seconds: (performance.now() - t0) / 1000 });

  const all = [...batches, ...heldOutSets.flatMap((s) => s.batches)];
  const model = await createTransformer(hooks.gpu, options.model, options.init, {
    adam: { ...(options.weightDecay !== undefined ? { weightDecay: options.weightDecay } : {}), ...(options.maxGradNorm !== undefined ? { maxGradNorm: options.maxGradNorm } : {}), lr: options.lr.peak },
  });
  try {
    const plan = await model.plan({
      maxTokens: options.batchTokens,
      maxSequences: Math.max(...all.map((b) => b.lengths.length)),
      maxLossTokens: Math.max(...all.map((b) => b.lossTokens)),
      maxPositions: maxLength,
      backward: true,
      matmulVariant: options.matmulVariant ?? 'auto',
    });
    const fp = fingerprint(options);
    let start = 0;
    const stored = await options.checkpoints?.read();
    if (stored) {
      const meta = model.loadCheckpoint(stored);
      if (meta['sft.run'] !== fp) throw new Error('SFT: the checkpoint belongs to a different run (options differ); remove it or use another directory');
      start = Number(meta['sft.step']);
      if (!Number.isInteger(start) || start < 0 || start > options.steps) throw new Error(`SFT: the checkpoint's step "${meta['sft.step']}" is not in 0…${options.steps}`);
      emit({ kind: 'resumed', step: start });
    }
    const checkpoint = async (done: number) => {
      if (!options.checkpoints) return;
      const bytes = await model.saveCheckpoint({ 'sft.run': fp, 'sft.step': String(done) });
      await options.checkpoints.write(bytes);
      emit({ kind: 'checkpoint', step: done, bytes: bytes.byteLength });
    };

    const schedule: LrSchedule = { peak: options.lr.peak, warmupSteps: options.lr.warmupSteps, totalSteps: options.steps, floor: options.lr.floor };
    const losses: number[] = [];
    let order: number[] = [];
    let orderEpoch = -1;
    let tokens = 0;
    const tTrain = performance.now();
    for (let s = start; s < options.steps; s++) {
      if (hooks.signal?.aborted) {
        await checkpoint(s);
        throw new SftAbortedError(s);
      }
      const epoch = Math.floor(s / batches.length);
      if (epoch !== orderEpoch) {
        order = batchOrder(batches.length, options.seed, epoch);
        orderEpoch = epoch;
      }
      const lr = learningRateAt(s, schedule);
      const r = await plan.step(batches[order[s % batches.length]], lr);
      if (!Number.isFinite(r.loss)) throw new Error(`SFT: the loss is ${r.loss} at step ${s}`);
      losses.push(r.loss);
      tokens += r.tokens;
      const elapsed = (performance.now() - tTrain) / 1000;
      const done = s + 1 - start;
      emit({
        kind: 'step', step: s + 1, steps: options.steps, loss: r.loss, lr, gradNorm: r.gradNorm, tokens: r.tokens, lossTokens: r.lossTokens,
        tokensPerSecond: tokens / Math.max(elapsed, 1e-9), etaSeconds: (elapsed / done) * (options.steps - s - 1), elapsedSeconds: elapsed,
      });
      if (options.evalEvery && (s + 1) % options.evalEvery === 0 && s + 1 < options.steps) emit({ kind: 'eval', step: s + 1, ...(await evaluate(plan, heldOutSets)) });
      if (options.checkpointEvery && (s + 1) % options.checkpointEvery === 0 && s + 1 < options.steps) await checkpoint(s + 1);
    }
    const final = await evaluate(plan, heldOutSets);
    emit({ kind: 'eval', step: options.steps, ...final });
    await checkpoint(options.steps);
    const tail = losses.slice(-Math.max(1, Math.ceil(losses.length / 10)));
    return {
      steps: options.steps, resumedFrom: start, weights: await model.exportWeights(),
      trainLoss: tail.length ? tail.reduce((a, b) => a + b, 0) / tail.length : NaN, losses,
      heldOut: final.heldOut, heldOutLoss: final.loss, uniformLoss: Math.log(options.model.vocabSize),
      train: train.stats, tokens, seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    model.destroy();
  }
}
