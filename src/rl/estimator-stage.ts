// Stage 4 (and every refit in stage 5): the progress estimator E(s, a) trained on
// L = mean over trajectories of (Σ_t ĉ_t − R)² (DESIGN.md §1.3), with a seeded held-out split
// of whole trajectories. Reports MSE and MAE on the training and the held-out trajectories (the
// original code only annotates in-sample), then annotates every step of every trajectory with
// ĉ_t (StepRecord.progress) for the reward variants that read it.

import { Mulberry32 } from '../core/random';
import { SPA_STAT_STRIDE } from '../kernels/spa';
import { EstimatorBatchBuffer, EstimatorTrainer, standardiseRows, type AdamW, type FeatureNorm } from '../nn';
import type { Episode, PolicyModel } from './policy-model';

export interface EstimatorOptions {
  epochs: number;
  /** Share of trajectories held out of training (0 holds none). */
  heldOut: number;
  seed: number;
  /** Names the split and shuffles (e.g. "explore", "it3"). */
  tag: string;
  /** Most steps in one training batch. */
  maxBatchSteps?: number;
  checkpoint?: () => Promise<void>;
  onEpoch?: (done: number, total: number) => void;
}

export interface EstimatorMetrics {
  'estimator/loss': number;
  'estimator/mse_train': number;
  'estimator/mae_train': number;
  'estimator/mse_heldout': number | null;
  'estimator/mae_heldout': number | null;
  'estimator/trajectories_train': number;
  'estimator/trajectories_heldout': number;
}

/**
 * x_t = [φ(s_t); ψ(a_t)] for every step of an episode, rows of 2·dim floats, standardised by the
 * adapter's normaliser when there is one (heads.ts FeatureNorm: on raw features the fit was
 * uneven across seeds, exploration MSE 0.14 on one and 1.6 on another).
 */
export function estimatorInputs(ep: Episode, dim: number, norm: FeatureNorm | null = null): Float32Array {
  const steps = ep.trajectory.steps;
  const x = new Float32Array(steps.length * 2 * dim);
  steps.forEach((s, t) => {
    const f = ep.features[t];
    const phi = f.phi, psi = f.psi.subarray(s.action * dim, (s.action + 1) * dim);
    x.set(norm ? standardiseRows(phi, norm.phiShift, norm.phiScale) : phi, t * 2 * dim);
    x.set(norm ? standardiseRows(psi, norm.psiShift, norm.psiScale) : psi, t * 2 * dim + dim);
  });
  return x;
}

/** Seeded held-out split of n trajectories: the held-out indices, at least one when the share is positive and n ≥ 2. */
export function heldOutSplit(n: number, share: number, key: string): { train: number[]; heldOut: number[] } {
  const k = share > 0 && n >= 2 ? Math.min(n - 1, Math.max(1, Math.round(share * n))) : 0;
  const order = Mulberry32.of(`heldout:${key}`).shuffle(Array.from({ length: n }, (_, i) => i));
  const held = new Set(order.slice(0, k));
  return { train: order.filter((i) => !held.has(i)).sort((a, b) => a - b), heldOut: [...held].sort((a, b) => a - b) };
}

/** Consecutive groups of whole trajectories with at most `max` steps each. */
function batchesOf(indices: readonly number[], stepsOf: (i: number) => number, max: number): number[][] {
  const out: number[][] = [];
  let cur: number[] = [];
  let n = 0;
  for (const i of indices) {
    const s = stepsOf(i);
    if (s > max) throw new RangeError(`a trajectory has ${s} steps; estimator batches hold at most ${max}`);
    if (cur.length && n + s > max) { out.push(cur); cur = []; n = 0; }
    cur.push(i);
    n += s;
  }
  if (cur.length) out.push(cur);
  return out;
}

/**
 * Trains the estimator (continuing from its current weights and the given optimiser's moments),
 * evaluates it on both parts of the split and annotates every step's ĉ_t in place.
 */
export async function trainEstimator(model: PolicyModel, optimizer: AdamW, episodes: readonly Episode[], o: EstimatorOptions): Promise<EstimatorMetrics> {
  const gpu = model.gpu;
  const d = model.spec.featureDim;
  const maxSteps = o.maxBatchSteps ?? 512;
  const xs = episodes.map((e) => estimatorInputs(e, d, model.adapter.norm));
  const stepsOf = (i: number) => episodes[i].trajectory.steps.length;
  const longest = Math.max(1, ...episodes.map((e) => e.trajectory.steps.length));
  const cap = Math.max(maxSteps, longest);
  const { train, heldOut } = heldOutSplit(episodes.length, o.heldOut, `${o.seed}:${o.tag}`);
  const [trainPlan, evalPlan] = await Promise.all([
    model.estimator.plan(gpu, { maxStates: cap, backward: true }),
    model.estimator.plan(gpu, { maxStates: cap, backward: false }),
  ]);
  const trainer = await EstimatorTrainer.create(gpu, { train: trainPlan, evaluate: evalPlan }, optimizer);
  const input = new EstimatorBatchBuffer(gpu, 2 * d, cap);
  const evalOut = gpu.empty([SPA_STAT_STRIDE], 'f32', 'estimator-eval');
  const load = (batch: number[]) => {
    const sizes = batch.map(stepsOf);
    const offsets = new Uint32Array(batch.length + 1);
    sizes.forEach((s, k) => { offsets[k + 1] = offsets[k] + s; });
    const x = new Float32Array(offsets[batch.length] * 2 * d);
    batch.forEach((i, k) => x.set(xs[i], offsets[k] * 2 * d));
    return input.load(x, offsets, batch.map((i) => episodes[i].trajectory.finalReward));
  };
  /** Trajectory-weighted MSE and MAE of the current estimator over some trajectories. */
  const evaluate = async (indices: number[]): Promise<{ mse: number; mae: number } | null> => {
    if (!indices.length) return null;
    let mse = 0, mae = 0;
    for (const b of batchesOf(indices, stepsOf, cap)) {
      trainer.evaluate(load(b), evalOut);
      const [m] = await gpu.readMany([evalOut]);
      mse += m[0] * b.length;
      mae += m[1] * b.length;
    }
    return { mse: mse / indices.length, mae: mae / indices.length };
  };
  try {
    let loss = NaN;
    for (let epoch = 0; epoch < o.epochs && train.length; epoch++) {
      await o.checkpoint?.();
      const order = Mulberry32.of(`estimator:${o.seed}:${o.tag}:${epoch}`).shuffle(train);
      // Only the last epoch's loss is reported; earlier epochs skip the readback, which would make
      // the host wait for each batch (the next load's queue write is ordered after it anyway).
      const last = epoch === o.epochs - 1;
      let sum = 0;
      for (const b of batchesOf(order, stepsOf, cap)) {
        trainer.record(load(b));
        if (last) sum += (await trainer.readMetrics()).mse * b.length;
      }
      if (last) loss = sum / train.length;
      o.onEpoch?.(epoch + 1, o.epochs);
    }
    const [tr, ho] = [await evaluate(train), await evaluate(heldOut)];
    await annotateProgress(model, episodes);
    return {
      'estimator/loss': loss,
      'estimator/mse_train': tr?.mse ?? NaN,
      'estimator/mae_train': tr?.mae ?? NaN,
      'estimator/mse_heldout': ho?.mse ?? null,
      'estimator/mae_heldout': ho?.mae ?? null,
      'estimator/trajectories_train': train.length,
      'estimator/trajectories_heldout': heldOut.length,
    };
  } finally {
    gpu.release(evalOut);
    input.destroy();
    trainer.destroy();
    trainPlan.destroy();
    evalPlan.destroy();
  }
}

/** Annotates ĉ_t with the current estimator, without training (variants that read ĉ between refits). */
export async function annotateProgress(model: PolicyModel, episodes: readonly Episode[]): Promise<void> {
  const d = model.spec.featureDim;
  const xs = episodes.map((e) => estimatorInputs(e, d, model.adapter.norm));
  const all = new Float32Array(xs.reduce((n, x) => n + x.length, 0));
  let at = 0;
  for (const x of xs) { all.set(x, at); at += x.length; }
  const c = await model.progress(all);
  let t = 0;
  for (const e of episodes) for (const s of e.trajectory.steps) s.progress = c[t++];
}
