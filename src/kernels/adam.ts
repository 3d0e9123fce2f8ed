// Fused Adam/AdamW with bias correction, decoupled weight decay and global gradient-norm
// clipping over one packed parameter buffer (shaders/adam.wgsl): four dispatches per step
// (Σg² in two, prepare, update) whatever the number of parameter tensors. The learning rate lives
// in a small storage buffer, written only when it changes, not in the uniforms: a schedule that
// changes it every step would otherwise make a new uniform buffer every step.

import { defineShaderConstants, type Gpu, type Tensor } from '../gpu';
import { grid1d } from './grid';
import { partialCount, PreparedReduce } from './reduce';
import { checkSlots, slotConstants } from './shader-layout';

const WG = 256;
/** The optimiser's state vector on the GPU (ADAM_STATE_SIZE floats). */
export const ADAM_STATE = { sumsq: 0, step: 1, gradNorm: 2, clipScale: 3, skipped: 4, biasCorrection1: 5, biasCorrection2: 6 } as const;
export const ADAM_STATE_SIZE = 8;
checkSlots('ADAM_STATE', ADAM_STATE, ADAM_STATE_SIZE);
defineShaderConstants('adam.layout', slotConstants('STATE', ADAM_STATE));

export interface AdamConfig {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** true: AdamW (θ ← θ(1 − ηλ)); false: Adam with L2 decay added to the gradient. */
  decoupled: boolean;
  /** Clip the global gradient norm to this, or null for no clipping. */
  maxGradNorm: number | null;
}

export const DEFAULT_ADAM: AdamConfig = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: true, maxGradNorm: 1 };

export function validateAdamConfig(c: AdamConfig): void {
  const bad = (what: string, v: unknown) => { throw new RangeError(`Adam config: ${what} (got ${String(v)})`); };
  if (!(c.lr >= 0 && Number.isFinite(c.lr))) bad('lr must be a finite number ≥ 0', c.lr);
  if (!(c.beta1 >= 0 && c.beta1 < 1)) bad('beta1 must be in [0, 1)', c.beta1);
  if (!(c.beta2 >= 0 && c.beta2 < 1)) bad('beta2 must be in [0, 1)', c.beta2);
  if (!(c.eps > 0)) bad('eps must be positive', c.eps);
  if (!(c.weightDecay >= 0 && Number.isFinite(c.weightDecay))) bad('weightDecay must be ≥ 0', c.weightDecay);
  if (c.maxGradNorm !== null && !(c.maxGradNorm > 0)) bad('maxGradNorm must be positive or null', c.maxGradNorm);
}

export interface AdamBuffers {
  params: Tensor;
  grads: Tensor;
  m: Tensor;
  v: Tensor;
  /** ADAM_STATE_SIZE floats (see ADAM_STATE); all zeros before the first step. */
  state: Tensor;
}

export class PreparedAdam {
  private constructor(
    private readonly gpu: Gpu,
    /** Parameter count (a multiple of 4). */
    readonly n: number,
    /** Elements [0, decayEnd) get weight decay. */
    readonly decayEnd: number,
    private readonly sumsq: PreparedReduce,
    private readonly prepare: GPUComputePipeline,
    private readonly update: GPUComputePipeline,
    private readonly scratch: Tensor,
    /** [lr, 0, 0, 0]: the per-step value the update reads. */
    private readonly rate: Tensor,
  ) {}

  /** The learning rate in `rate` (NaN before the first write). */
  private lr = NaN;

  static async create(gpu: Gpu, n: number, decayEnd = n): Promise<PreparedAdam> {
    if (!Number.isInteger(n) || n <= 0 || n % 4 !== 0) throw new RangeError(`Adam works on vec4s: the packed parameter count must be a positive multiple of 4, got ${n}`);
    if (!Number.isInteger(decayEnd) || decayEnd < 0 || decayEnd > n || decayEnd % 4 !== 0) throw new RangeError(`Adam decayEnd must be a multiple of 4 in [0, ${n}], got ${decayEnd}`);
    const [sumsq, prepare, update] = await Promise.all([
      PreparedReduce.create(gpu, 'sumsq'),
      gpu.pipeline({ shader: 'adam', entryPoint: 'prepare' }),
      gpu.pipeline({ shader: 'adam', entryPoint: 'update', constants: { WG } }),
    ]);
    return new PreparedAdam(gpu, n, decayEnd, sumsq, prepare, update, gpu.empty([partialCount(n)], 'f32', 'adam-norm-partials'), gpu.empty([4], 'f32', 'adam-lr'));
  }

  /**
   * Sets the learning rate of the steps recorded from now on. It is a queue write (which submits
   * whatever is being recorded first), so a caller that keeps one step in one command buffer sets
   * it before recording the step; `record` writes it itself only when its config's lr differs.
   */
  setLearningRate(lr: number): void {
    if (!(lr >= 0 && Number.isFinite(lr))) throw new RangeError(`Adam config: lr must be a finite number ≥ 0 (got ${lr})`);
    if (lr === this.lr) return;
    this.gpu.write(this.rate, Float32Array.of(lr, 0, 0, 0));
    this.lr = lr;
  }

  /** Records one optimiser step. Nothing is read back; the state vector holds norm and step. */
  record(b: AdamBuffers, config: AdamConfig = DEFAULT_ADAM): void {
    validateAdamConfig(config);
    for (const [k, t] of [['params', b.params], ['grads', b.grads], ['m', b.m], ['v', b.v]] as const) {
      if (t.dtype !== 'f32' || t.size !== this.n) throw new RangeError(`Adam ${k} has ${t.size} ${t.dtype} elements, expected ${this.n} f32`);
    }
    if (b.state.dtype !== 'f32' || b.state.size !== ADAM_STATE_SIZE) throw new RangeError(`Adam state has ${b.state.size} elements, expected ${ADAM_STATE_SIZE}`);
    const c = config;
    this.setLearningRate(c.lr);
    const u = this.gpu.uniforms(
      [this.n / 4, this.decayEnd / 4, c.decoupled ? 1 : 0, c.maxGradNorm === null ? 0 : 1,
        c.beta1, c.beta2, c.eps, c.weightDecay, c.maxGradNorm ?? 0, 0, 0, 0],
      ['u32', 'u32', 'u32', 'u32', 'f32', 'f32', 'f32', 'f32', 'f32', 'f32', 'f32', 'f32'],
    );
    this.sumsq.record(b.grads, b.state, ADAM_STATE.sumsq, this.scratch);
    this.gpu.dispatch(this.prepare, [u, b.state], [1], { label: 'adam-prepare' });
    this.gpu.dispatch(this.update, [u, b.state, b.params, b.grads, b.m, b.v, this.rate], grid1d(this.n / 4, WG), { label: 'adam-update' });
  }

  destroy(): void {
    this.gpu.release(this.scratch, this.rate);
  }
}
