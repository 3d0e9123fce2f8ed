// The SPA progress-estimator loss over ragged trajectories (shaders/spa.wgsl), with GPU-reduced
// MSE / MAE metrics. Training and held-out evaluation share the kernel (evaluation skips ∂L/∂ĉ).

import { defineShaderConstants, type Gpu, type Tensor } from '../gpu';
import { PreparedColsum } from './colsum';
import { assertCount, assertFits, assertSize, grid1d } from './grid';
import { SegmentsBuffer, uploadSegments, type Segments } from './segments';
import { checkSlots, slotConstants } from './shader-layout';

const WG = 64;
export const SPA_STAT_STRIDE = 4;
/** Columns of the metrics vector `record` writes: column means of the per-trajectory statistics. */
export const SPA_METRIC = { mse: 0, mae: 1, meanPrediction: 2, meanReward: 3 } as const;
checkSlots('SPA_METRIC', SPA_METRIC, SPA_STAT_STRIDE);
// Per-trajectory statistics sit in the metric columns, so their column means are the metrics.
defineShaderConstants('spa.layout', { STAT_STRIDE: SPA_STAT_STRIDE, ...slotConstants('STAT', SPA_METRIC) });

export interface Trajectories {
  readonly segments: Segments;
  /** Final reward per trajectory. */
  readonly rewards: Tensor;
}

function validateRewards(offsets: ArrayLike<number>, rewards: ArrayLike<number>): void {
  const sets = offsets.length - 1;
  if (rewards.length !== sets) throw new RangeError(`trajectories: ${rewards.length} rewards for ${sets} trajectories (mismatched lengths)`);
  for (let i = 0; i < rewards.length; i++) if (!Number.isFinite(rewards[i])) throw new RangeError(`trajectories: reward ${i} is ${rewards[i]}`);
}

/** Validates (offsets over `steps` rows, one finite reward per trajectory) and uploads into fresh buffers. */
export function uploadTrajectories(gpu: Gpu, offsets: ArrayLike<number>, rewards: ArrayLike<number>, steps?: number): Trajectories {
  validateRewards(offsets, rewards);
  const segments = uploadSegments(gpu, offsets, { what: 'trajectories', total: steps });
  return { segments, rewards: gpu.tensor(Float32Array.from(rewards as ArrayLike<number>)) };
}

/** Trajectories for batches of up to `maxTrajectories` trajectories over `maxSteps` steps, rewritten by each load. */
export class TrajectoriesBuffer {
  private readonly segments: SegmentsBuffer;
  readonly rewards: Tensor;
  constructor(private readonly gpu: Gpu, readonly maxTrajectories: number, readonly maxSteps: number) {
    this.segments = new SegmentsBuffer(gpu, maxTrajectories, maxSteps);
    this.rewards = gpu.empty([maxTrajectories], 'f32', 'trajectory-rewards');
  }

  load(offsets: ArrayLike<number>, rewards: ArrayLike<number>, steps?: number): Trajectories {
    validateRewards(offsets, rewards);
    const segments = this.segments.load(offsets, { what: 'trajectories', total: steps });
    this.gpu.write(this.rewards, Float32Array.from(rewards as ArrayLike<number>));
    return { segments, rewards: this.rewards };
  }

  destroy(): void {
    this.segments.destroy();
    this.gpu.release(this.rewards);
  }
}

export function releaseTrajectories(gpu: Gpu, t: Trajectories): void {
  gpu.release(t.segments.offsets, t.rewards);
}

export class PreparedSpaLoss {
  private readonly stats: Tensor;
  private constructor(
    private readonly gpu: Gpu,
    readonly trajectories: number,
    readonly grad: boolean,
    private readonly pipe: GPUComputePipeline,
    private readonly colsum: PreparedColsum,
    private readonly dummy: Tensor,
  ) {
    this.stats = gpu.empty([trajectories, SPA_STAT_STRIDE], 'f32', 'spa-stats');
  }

  /** For batches of up to `trajectories` trajectories; `grad` false for held-out evaluation. */
  static async create(gpu: Gpu, trajectories: number, grad = true): Promise<PreparedSpaLoss> {
    assertCount(trajectories, 'SPA loss trajectories');
    const [pipe, colsum] = await Promise.all([
      gpu.pipeline({ shader: 'spa', entryPoint: 'loss', constants: { WG, GRAD: grad ? 1 : 0 } }),
      PreparedColsum.create(gpu, { rows: trajectories, cols: SPA_STAT_STRIDE }),
    ]);
    return new PreparedSpaLoss(gpu, trajectories, grad, pipe, colsum, gpu.zeros([1]));
  }

  /** Per-trajectory statistics [(Ĉ−R)², |Ĉ−R|, Ĉ, R] of the last record (its first `count` rows). */
  get perTrajectory(): Tensor {
    return this.stats;
  }

  /**
   * Records the loss: dc ← ∂L/∂ĉ (when prepared with grad) and metrics[0…3] ← MSE, MAE, mean Ĉ,
   * mean R. `contributions` holds ĉ per step.
   */
  record(traj: Trajectories, contributions: Tensor, metrics: Tensor, dc?: Tensor): void {
    const { count, total } = traj.segments;
    if (count > this.trajectories) throw new RangeError(`SPA loss prepared for up to ${this.trajectories} trajectories, got ${count}`);
    assertFits(contributions, total, 'per-step contributions ĉ');
    assertSize(metrics, SPA_STAT_STRIDE, 'SPA metrics');
    if (this.grad) {
      if (!dc) throw new RangeError('SPA loss prepared with gradients needs a dc tensor');
      assertFits(dc, total, '∂L/∂ĉ output');
    }
    const u = this.gpu.uniforms([count, 2 / count, 0, 0], ['u32', 'f32']);
    this.gpu.dispatch(this.pipe, [u, traj.segments.offsets, contributions, traj.rewards, dc ?? this.dummy, this.stats], grid1d(count, WG), { label: 'spa-loss' });
    this.colsum.record(this.stats, metrics, { scale: 1 / count, rows: count });
  }

  destroy(): void {
    this.colsum.destroy();
    this.gpu.release(this.stats, this.dummy);
  }
}
