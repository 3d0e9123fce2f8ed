// The PPO loss (shaders/ppo.wgsl): clipped surrogate with optional dual clip, clipped value loss,
// entropy bonus and a KL penalty, all their gradients, and metrics reduced on the GPU into one
// small vector. The k1 and k3 KL estimators compare log π(a) with a reference log-probability the
// caller puts in the batch (PPO_BATCH_COL.lpRef): the policy frozen at the end of BC, as verl
// anchors to its SFT policy, or the frozen prior softmax(κ·ℓ). The exact estimator sums over the
// whole candidate set, which only the prior's logits are on hand for, so it is always to the prior.

import { defineShaderConstants, type Gpu, type Tensor } from '../gpu';
import { PreparedColsum } from './colsum';
import { assertCount, assertFits, assertSize, assertWithin, grid1d } from './grid';
import { GRAD_STRIDE, SET_STRIDE } from './segsoftmax';
import { checkSlots, indexOf, slotConstants, upperSnake } from './shader-layout';

const WG = 64;
/** Per-step statistics of the loss pass, PPO_STAT_STRIDE floats per step; their column means make the metrics. */
export const PPO_STAT_STRIDE = 16;
export const PPO_STAT = {
  pg: 0, vf: 1, entropy: 2, kl: 3, approxKl: 4, ppoKl: 5, clipfrac: 6, clipfracLower: 7, vfClipfrac: 8,
  ratio: 9, ratio2: 10, ret: 11, ret2: 12, resid: 13, resid2: 14, loss: 15,
} as const;
/**
 * Rollout data per step, in this column order: log π_old(a), advantage, V_old, return, and
 * log π_ref(a), the KL reference's log-probability of the chosen action (k1 and k3 read it).
 */
export const PPO_BATCH_STRIDE = 5;
export const PPO_BATCH_COL = { lpOld: 0, advantage: 1, valueOld: 2, ret: 3, lpRef: 4 } as const;
/**
 * Names of the metrics vector, in slot order (verl/TRL names); every slot has one. values_mean is
 * mean V(s) (verl's critic/values/mean), returns_var the variance of the returns G.
 */
export const PPO_METRICS = [
  'loss', 'pg_loss', 'vf_loss', 'entropy', 'kl', 'approx_kl', 'ppo_kl', 'clipfrac', 'clipfrac_lower',
  'vf_clipfrac', 'ratio_mean', 'ratio_var', 'explained_var', 'returns_mean', 'values_mean', 'returns_var',
] as const;
export type PpoMetricName = (typeof PPO_METRICS)[number];
/** Slot of each metric in the metrics vector. */
export const PPO_METRIC: Readonly<Record<PpoMetricName, number>> = indexOf(PPO_METRICS);
export const PPO_METRICS_SIZE = 16;

export type KlEstimator = 'k1' | 'k3' | 'exact';
const KL_CODE: Record<KlEstimator, number> = { k1: 0, k3: 1, exact: 2 };

checkSlots('PPO_STAT', PPO_STAT, PPO_STAT_STRIDE);
checkSlots('PPO_BATCH_COL', PPO_BATCH_COL, PPO_BATCH_STRIDE);
checkSlots('PPO_METRIC', PPO_METRIC, PPO_METRICS_SIZE);
if (PPO_METRICS.length !== PPO_METRICS_SIZE) throw new Error('PPO_METRICS must name every slot of the metrics vector');
defineShaderConstants('ppo.layout', {
  STAT_STRIDE: PPO_STAT_STRIDE, ...slotConstants('S', PPO_STAT),
  BATCH_STRIDE: PPO_BATCH_STRIDE, ...slotConstants('B', PPO_BATCH_COL),
  ...Object.fromEntries(PPO_METRICS.map((k, i) => [`M_${upperSnake(k)}`, i])),
  ...slotConstants('KL', KL_CODE),
});

export interface PpoConfig {
  /** ε below 1 (ratio floor 1 − clipLow). */
  clipLow: number;
  /** ε above 1 (ratio ceiling 1 + clipHigh). */
  clipHigh: number;
  /** Dual-clip constant c > 1 for negative advantages, or null for none (verl uses 3). */
  dualClip: number | null;
  /** ε_v for the clipped value loss, or null to use the plain squared error. */
  valueClip: number | null;
  vfCoef: number;
  entCoef: number;
  klCoef: number;
  klEstimator: KlEstimator;
}

export const DEFAULT_PPO: PpoConfig = {
  clipLow: 0.2, clipHigh: 0.2, dualClip: null, valueClip: 0.2, vfCoef: 0.5, entCoef: 0, klCoef: 0, klEstimator: 'k3',
};

export function validatePpoConfig(c: PpoConfig): void {
  const bad = (what: string, v: unknown) => { throw new RangeError(`PPO config: ${what} (got ${String(v)})`); };
  if (!(c.clipLow > 0 && c.clipLow < 1)) bad('clipLow must be in (0, 1)', c.clipLow);
  if (!(c.clipHigh > 0)) bad('clipHigh must be positive', c.clipHigh);
  if (c.dualClip !== null && !(c.dualClip > 1)) bad('dualClip must be > 1 or null', c.dualClip);
  if (c.valueClip !== null && !(c.valueClip > 0)) bad('valueClip must be positive or null', c.valueClip);
  for (const k of ['vfCoef', 'entCoef', 'klCoef'] as const) if (!Number.isFinite(c[k])) bad(`${k} must be finite`, c[k]);
  if (!(c.klEstimator in KL_CODE)) bad('klEstimator must be k1, k3 or exact', c.klEstimator);
}

export function ppoMetricsFrom(values: ArrayLike<number>): Record<PpoMetricName, number> {
  return Object.fromEntries(PPO_METRICS.map((k, i) => [k, values[i]])) as Record<PpoMetricName, number>;
}

export interface PpoLossArgs {
  /** Steps in this minibatch (default: the capacity). */
  steps?: number;
  /** Per-set outputs of the segmented softmax (log π(a), entropy, exact KL to the prior; see SET_COL). */
  setOut: Tensor;
  /** V(s) per step from the value head. */
  values: Tensor;
  /** PPO_BATCH_STRIDE floats per step (see PPO_BATCH_COL). */
  batch: Tensor;
  /** Output: GRAD_STRIDE floats per step for the segmented-softmax backward. */
  grads: Tensor;
  /** Output: ∂L/∂V per step. */
  dValues: Tensor;
  /** Output: PPO_METRICS_SIZE floats (see PPO_METRICS). */
  metrics: Tensor;
}

export class PreparedPpoLoss {
  private readonly stats: Tensor;
  private readonly means: Tensor;
  private constructor(
    private readonly gpu: Gpu,
    readonly steps: number,
    private readonly lossPipe: GPUComputePipeline,
    private readonly finalizePipe: GPUComputePipeline,
    private readonly colsum: PreparedColsum,
  ) {
    this.stats = gpu.empty([steps, PPO_STAT_STRIDE], 'f32', 'ppo-stats');
    this.means = gpu.empty([PPO_STAT_STRIDE], 'f32', 'ppo-means');
  }

  /** For minibatches of up to `steps` steps. */
  static async create(gpu: Gpu, steps: number): Promise<PreparedPpoLoss> {
    assertCount(steps, 'PPO minibatch steps');
    const [l, f, c] = await Promise.all([
      gpu.pipeline({ shader: 'ppo', entryPoint: 'loss', constants: { WG } }),
      gpu.pipeline({ shader: 'ppo', entryPoint: 'finalize' }),
      PreparedColsum.create(gpu, { rows: steps, cols: PPO_STAT_STRIDE }),
    ]);
    return new PreparedPpoLoss(gpu, steps, l, f, c);
  }

  /** Per-step statistics of the last record (PPO_STAT_STRIDE floats per step, its first `steps` rows). */
  get perStep(): Tensor {
    return this.stats;
  }

  record(a: PpoLossArgs, config: PpoConfig = DEFAULT_PPO): void {
    validatePpoConfig(config);
    const S = a.steps ?? this.steps;
    assertWithin(S, this.steps, 'PPO minibatch steps');
    assertFits(a.setOut, S * SET_STRIDE, 'PPO per-set softmax outputs');
    assertFits(a.values, S, 'PPO values V(s)');
    assertFits(a.batch, S * PPO_BATCH_STRIDE, 'PPO rollout batch');
    assertFits(a.grads, S * GRAD_STRIDE, 'PPO per-set gradients');
    assertFits(a.dValues, S, 'PPO value gradients');
    assertSize(a.metrics, PPO_METRICS_SIZE, 'PPO metrics');
    const c = config;
    const u = this.gpu.uniforms(
      [S, KL_CODE[c.klEstimator], c.valueClip === null ? 0 : 1, 0,
        c.clipLow, c.clipHigh, c.dualClip ?? 0, c.valueClip ?? 0,
        c.vfCoef, c.entCoef, c.klCoef, 1 / S],
      ['u32', 'u32', 'u32', 'u32', 'f32', 'f32', 'f32', 'f32', 'f32', 'f32', 'f32', 'f32'],
    );
    this.gpu.dispatch(this.lossPipe, [u, a.setOut, a.values, a.batch, a.grads, a.dValues, this.stats], grid1d(S, WG), { label: 'ppo-loss' });
    this.colsum.record(this.stats, this.means, { scale: 1 / S, rows: S });
    this.gpu.dispatch(this.finalizePipe, [this.means, a.metrics], [1], { label: 'ppo-finalize' });
  }

  destroy(): void {
    this.colsum.destroy();
    this.gpu.release(this.stats, this.means);
  }
}
