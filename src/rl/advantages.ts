// From trajectories and a reward assignment to the PPO batch: per step log π_old(a), advantage,
// V_old and return, in the kernels' column order (PPO_BATCH_COL). Two paths compute the same
// thing: the GPU path records the GAE and whitening kernels straight into the batch tensor, the
// CPU path runs their float64 references (tests, and callers without a device).
//
// Step-level GAE (γ, λ) runs over each trajectory's steps, not tokens:
//   δ_t = r_t + γ·V_{t+1} − V_t,  A_t = δ_t + γλ·A_{t+1},  G_t = A_t + V_t,
// where V_T is the trajectory's bootstrapValue (V of the state after the last step when the step
// cap cut it off; 0 when the env ended it, or when no value was recorded).
//
// Whitening: for reward variants (GAE advantages) the batch's advantages are whitened over every
// step of the batch, A ← (A − mean)/√(var + 1e-8) with the unbiased variance, as trl's
// masked_whiten and verl's GAE estimator do; returns stay unwhitened (the critic's target).
// Critic-free variants (gigpo) hand over advantages already normalised within their groups, and
// whitening them again across groups would undo that, so they are used as they are.

import type { Gpu, Tensor } from '../gpu';
import { PreparedGae, PreparedWhiten } from '../kernels/gae';
import { gaeRef, whitenRef } from '../kernels/gae.ref';
import { PPO_BATCH_COL, PPO_BATCH_STRIDE } from '../kernels/ppo';
import { offsetsFromSizes, uploadSegments } from '../kernels/segments';
import type { RewardAssignment } from './rewards';
import { totalSteps, type Trajectory } from './trajectory';

export interface AdvantageOptions {
  gamma: number;
  lambda: number;
  /** Whiten GAE advantages over the batch (default true; never applies to critic-free advantages). */
  whiten?: boolean;
}

/** The GAE kernel's inputs: flat per-step arrays with trajectory offsets. */
export interface GaeInputs {
  /** Trajectory i owns steps offsets[i] … offsets[i+1] − 1. */
  offsets: Uint32Array;
  rewards: Float32Array;
  values: Float32Array;
  /** One per trajectory: V after the last step, 0 when the episode ended. */
  bootstrap: Float32Array;
}

function checkLengths(trajs: readonly Trajectory[], perStep: readonly ArrayLike<number>[], what: string): void {
  if (perStep.length !== trajs.length) throw new RangeError(`${what}: ${perStep.length} arrays for ${trajs.length} trajectories`);
  perStep.forEach((r, i) => {
    if (r.length !== trajs[i].steps.length) throw new RangeError(`${what}: trajectory ${trajs[i].id} has ${trajs[i].steps.length} steps but ${r.length} values`);
  });
}

/** Flattens the batch for the GAE kernel (or its reference). */
export function gaeInputs(trajs: readonly Trajectory[], rewards: readonly ArrayLike<number>[]): GaeInputs {
  if (trajs.length === 0) throw new RangeError('GAE: the batch has no trajectories');
  checkLengths(trajs, rewards, 'GAE rewards');
  const offsets = offsetsFromSizes(trajs.map((t) => t.steps.length));
  const T = offsets[trajs.length];
  const r = new Float32Array(T), v = new Float32Array(T);
  trajs.forEach((t, i) => {
    const o = offsets[i];
    for (let k = 0; k < t.steps.length; k++) {
      r[o + k] = rewards[i][k];
      v[o + k] = t.steps[k].value;
    }
  });
  const bootstrap = Float32Array.from(trajs, (t) => (t.steps[t.steps.length - 1].done ? 0 : t.bootstrapValue ?? 0));
  return { offsets, rewards: r, values: v, bootstrap };
}

/** The host half of the batch: log π_old and V_old filled, advantage and return columns zero. */
export function ppoBatchSkeleton(trajs: readonly Trajectory[]): Float32Array {
  const batch = new Float32Array(totalSteps(trajs) * PPO_BATCH_STRIDE);
  let row = 0;
  for (const t of trajs) {
    for (const s of t.steps) {
      batch[row * PPO_BATCH_STRIDE + PPO_BATCH_COL.lpOld] = s.logpOld;
      batch[row * PPO_BATCH_STRIDE + PPO_BATCH_COL.valueOld] = s.value;
      row++;
    }
  }
  return batch;
}

function flatten(xs: readonly ArrayLike<number>[], T: number): Float64Array {
  const out = new Float64Array(T);
  let o = 0;
  for (const x of xs) {
    for (let k = 0; k < x.length; k++) out[o + k] = x[k];
    o += x.length;
  }
  return out;
}

export interface StepAdvantages {
  /** PPO_BATCH_STRIDE floats per step, in PPO_BATCH_COL order. */
  batch: Float32Array;
  /** Advantages before whitening, one per step (float64). */
  raw: Float64Array;
  returns: Float64Array;
  /** The whitening's mean and std, or null when the advantages were used as they came. */
  whitening: { mean: number; std: number } | null;
}

function put(batch: Float32Array, col: number, xs: ArrayLike<number>): void {
  for (let j = 0; j < xs.length; j++) batch[j * PPO_BATCH_STRIDE + col] = xs[j];
}

/** The float64 CPU path (the kernels' references). Throws for `none` (bc has no PPO batch). */
export function stepAdvantagesCpu(trajs: readonly Trajectory[], a: RewardAssignment, opts: AdvantageOptions): StepAdvantages {
  if (a.kind === 'none') throw new Error('no PPO batch: the variant assigns no reward (bc)');
  const batch = ppoBatchSkeleton(trajs);
  const T = batch.length / PPO_BATCH_STRIDE;
  if (a.kind === 'advantages') {
    checkLengths(trajs, a.advantages, 'advantages');
    checkLengths(trajs, a.returns, 'returns');
    const raw = flatten(a.advantages, T), returns = flatten(a.returns, T);
    put(batch, PPO_BATCH_COL.advantage, raw);
    put(batch, PPO_BATCH_COL.ret, returns);
    return { batch, raw, returns, whitening: null };
  }
  const g = gaeInputs(trajs, a.rewards);
  const { advantages, returns } = gaeRef(g.offsets, g.rewards, g.values, g.bootstrap, opts.gamma, opts.lambda);
  put(batch, PPO_BATCH_COL.ret, returns);
  if (opts.whiten === false) {
    put(batch, PPO_BATCH_COL.advantage, advantages);
    return { batch, raw: advantages, returns, whitening: null };
  }
  const w = whitenRef(advantages, new Float32Array(T).fill(1));
  put(batch, PPO_BATCH_COL.advantage, w.out);
  return { batch, raw: advantages, returns, whitening: { mean: w.mean, std: Math.sqrt(w.variance) } };
}

/** What the GPU path leaves on the device: the PPO batch, and the whitening statistics (mean, variance, count, std; see kernels/gae WHITEN_STATS) when whitened. */
export interface GpuStepBatch {
  steps: number;
  batch: Tensor;
  stats: Tensor | null;
  release(): void;
}

/**
 * Records GAE (into the batch's return column) and whitening (into its advantage column) on the
 * device; nothing is submitted until a result is read. Critic-free advantages are uploaded as
 * they are. Throws for `none`.
 */
export async function stepAdvantagesGpu(gpu: Gpu, trajs: readonly Trajectory[], a: RewardAssignment, opts: AdvantageOptions): Promise<GpuStepBatch> {
  if (a.kind === 'none') throw new Error('no PPO batch: the variant assigns no reward (bc)');
  const host = ppoBatchSkeleton(trajs);
  const T = host.length / PPO_BATCH_STRIDE;
  if (a.kind === 'advantages') {
    checkLengths(trajs, a.advantages, 'advantages');
    checkLengths(trajs, a.returns, 'returns');
    put(host, PPO_BATCH_COL.advantage, flatten(a.advantages, T));
    put(host, PPO_BATCH_COL.ret, flatten(a.returns, T));
    const batch = gpu.tensor(host, [T, PPO_BATCH_STRIDE]);
    return { steps: T, batch, stats: null, release: () => gpu.release(batch) };
  }
  if (opts.whiten === false) {
    // The GAE kernel writes advantages contiguously only; unwhitened ones come from the reference.
    const cpu = stepAdvantagesCpu(trajs, a, opts);
    const batch = gpu.tensor(cpu.batch, [T, PPO_BATCH_STRIDE]);
    return { steps: T, batch, stats: null, release: () => gpu.release(batch) };
  }
  const g = gaeInputs(trajs, a.rewards);
  const [gae, whitener] = await Promise.all([PreparedGae.create(gpu), PreparedWhiten.create(gpu, T)]);
  const seg = uploadSegments(gpu, g.offsets, { what: 'trajectories', total: T });
  const batch = gpu.tensor(host, [T, PPO_BATCH_STRIDE]);
  const rewards = gpu.tensor(g.rewards), values = gpu.tensor(g.values), bootstrap = gpu.tensor(g.bootstrap);
  const advantages = gpu.empty([T], 'f32', 'gae-advantages');
  const mask = gpu.tensor(new Float32Array(T).fill(1));
  const stats = gpu.empty([4], 'f32', 'whiten-stats');
  gae.record(seg, {
    gamma: opts.gamma, lambda: opts.lambda, rewards, values, bootstrap, advantages,
    returns: batch, returnsLayout: { stride: PPO_BATCH_STRIDE, offset: PPO_BATCH_COL.ret },
  });
  whitener.record(advantages, mask, batch, stats, { stride: PPO_BATCH_STRIDE, offset: PPO_BATCH_COL.advantage });
  // Recording holds released buffers back until submission, so the temporaries can go now.
  gpu.release(rewards, values, bootstrap, mask, advantages, seg.offsets);
  whitener.destroy();
  return { steps: T, batch, stats, release: () => gpu.release(batch, stats) };
}

