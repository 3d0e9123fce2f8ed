// Softmax over ragged candidate sets (shaders/segsoftmax.wgsl): π(a|s) = softmax over the
// admissible actions of κ·ℓ(a|s) + f_θ(φ(s), ψ(a)), its entropy, its exact KL to the frozen prior
// softmax(κ·ℓ), the backward of all three, and the behaviour-cloning cross-entropy.

import { defineShaderConstants, type Gpu, type Tensor } from '../gpu';
import { assertFits, grid1d } from './grid';
import { SegmentsBuffer, uploadSegments, validateOffsets, type Segments } from './segments';
import { checkSlots, slotConstants } from './shader-layout';

const WG = 64;

/** Per-set outputs of the forward pass: SET_STRIDE floats per set, at these columns. */
export const SET_STRIDE = 8;
export const SET_COL = { lpChosen: 0, entropy: 1, priorLpChosen: 2, klPrior: 3, priorLse: 4, argmaxIsChosen: 5 } as const;
/** Upstream gradients per set: ∂L/∂log π(a*), ∂L/∂H, ∂L/∂KL(π‖π⁰), padding. */
export const GRAD_STRIDE = 4;
export const GRAD_COL = { lp: 0, entropy: 1, kl: 2, pad: 3 } as const;
/** Cross-entropy statistics per set: nll, correct (argmax = expert), entropy, padding. */
export const CE_STRIDE = 4;
export const CE_COL = { nll: 0, correct: 1, entropy: 2, pad: 3 } as const;

checkSlots('SET_COL', SET_COL, SET_STRIDE);
checkSlots('GRAD_COL', GRAD_COL, GRAD_STRIDE);
checkSlots('CE_COL', CE_COL, CE_STRIDE);
// The per-set layouts, for segsoftmax.wgsl and the losses that read or write them (ppo.wgsl).
defineShaderConstants('segsoftmax.layout', {
  SET_STRIDE, ...slotConstants('SET', SET_COL),
  GRAD_STRIDE, ...slotConstants('GRAD', GRAD_COL),
  CE_STRIDE, ...slotConstants('CE', CE_COL),
});

export interface CandidateSets {
  readonly segments: Segments;
  /** Index of the chosen (or expert) action inside its set. */
  readonly chosen: Tensor<'u32'>;
  readonly chosenHost: Uint32Array;
}

/** Checks offsets (non-decreasing from 0, every set non-empty) and each chosen index; returns the chosen indices. */
function validateCandidateSets(offsets: ArrayLike<number>, chosen: ArrayLike<number> | undefined, totalCandidates: number | undefined): Uint32Array {
  const rules = { what: 'candidate sets', total: totalCandidates };
  const { count } = validateOffsets(offsets, rules);
  const host = chosen ? Uint32Array.from(chosen as ArrayLike<number>) : new Uint32Array(count);
  if (chosen && chosen.length !== count) throw new RangeError(`candidate sets: ${chosen.length} chosen indices for ${count} sets (mismatched lengths)`);
  for (let s = 0; s < count; s++) {
    const size = offsets[s + 1] - offsets[s];
    if (!(chosen === undefined || (Number.isInteger(chosen[s]) && chosen[s] >= 0 && chosen[s] < size))) {
      throw new RangeError(`candidate sets: chosen index ${chosen[s]} of set ${s} is outside its ${size} candidates`);
    }
  }
  return host;
}

/**
 * Validates and uploads candidate sets (fresh buffers; see CandidateSetsBuffer for a plan's
 * reusable ones). Throws before anything reaches the GPU.
 */
export function uploadCandidateSets(gpu: Gpu, offsets: ArrayLike<number>, chosen?: ArrayLike<number>, totalCandidates?: number): CandidateSets {
  const host = validateCandidateSets(offsets, chosen, totalCandidates);
  const segments = uploadSegments(gpu, offsets, { what: 'candidate sets', total: totalCandidates });
  return { segments, chosen: gpu.tensor(host, [host.length], 'u32'), chosenHost: host };
}

/** Candidate sets for batches of up to `maxStates` states and `maxCandidates` candidates, rewritten by each load. */
export class CandidateSetsBuffer {
  private readonly segments: SegmentsBuffer;
  readonly chosen: Tensor<'u32'>;
  constructor(private readonly gpu: Gpu, readonly maxStates: number, readonly maxCandidates: number) {
    this.segments = new SegmentsBuffer(gpu, maxStates, maxCandidates);
    this.chosen = gpu.empty([maxStates], 'u32', 'chosen');
  }

  load(offsets: ArrayLike<number>, chosen?: ArrayLike<number>, totalCandidates?: number): CandidateSets {
    const host = validateCandidateSets(offsets, chosen, totalCandidates);
    const segments = this.segments.load(offsets, { what: 'candidate sets', total: totalCandidates });
    this.gpu.write(this.chosen, host);
    return { segments, chosen: this.chosen, chosenHost: host };
  }

  destroy(): void {
    this.segments.destroy();
    this.gpu.release(this.chosen);
  }
}

export function releaseCandidateSets(gpu: Gpu, sets: CandidateSets): void {
  gpu.release(sets.segments.offsets, sets.chosen);
}

export interface SoftmaxForwardArgs {
  kappa: number;
  /** ℓ per candidate. */
  prior: Tensor;
  /** f per candidate. */
  score: Tensor;
  /** Output: log π per candidate. */
  logp: Tensor;
  /** Output: SET_STRIDE floats per set. */
  setOut: Tensor;
}

export interface SoftmaxBackwardArgs {
  kappa: number;
  prior: Tensor;
  logp: Tensor;
  setOut: Tensor;
  /** GRAD_STRIDE floats per set: ∂L/∂log π(a*), ∂L/∂H, ∂L/∂KL. */
  grads: Tensor;
  /** Output: ∂L/∂f per candidate. */
  dscore: Tensor;
}

export class PreparedSegmentedSoftmax {
  private constructor(
    private readonly gpu: Gpu,
    private readonly fwd: GPUComputePipeline,
    private readonly bwd: GPUComputePipeline,
    private readonly ce: GPUComputePipeline,
  ) {}

  static async create(gpu: Gpu): Promise<PreparedSegmentedSoftmax> {
    const p = (entryPoint: string) => gpu.pipeline({ shader: 'segsoftmax', entryPoint, constants: { WG } });
    const [f, b, c] = await Promise.all([p('forward'), p('backward'), p('cross_entropy')]);
    return new PreparedSegmentedSoftmax(gpu, f, b, c);
  }

  private params(sets: CandidateSets, kappa: number, scale = 0): GPUBuffer {
    if (!Number.isFinite(kappa)) throw new RangeError(`κ must be finite, got ${kappa}`);
    return this.gpu.uniforms([sets.segments.count, kappa, scale, 0], ['u32', 'f32', 'f32', 'u32']);
  }

  forward(sets: CandidateSets, a: SoftmaxForwardArgs): void {
    const { count, total } = sets.segments;
    assertFits(a.prior, total, 'prior log-likelihoods ℓ');
    assertFits(a.score, total, 'adapter scores f');
    assertFits(a.logp, total, 'log π output');
    assertFits(a.setOut, count * SET_STRIDE, 'per-set output');
    const u = this.params(sets, a.kappa);
    this.gpu.dispatch(this.fwd, [u, sets.segments.offsets, sets.chosen, a.prior, a.score, a.logp, a.setOut], grid1d(count, WG), { label: 'segsoftmax-forward' });
  }

  backward(sets: CandidateSets, a: SoftmaxBackwardArgs): void {
    const { count, total } = sets.segments;
    assertFits(a.prior, total, 'prior log-likelihoods ℓ');
    assertFits(a.logp, total, 'log π');
    assertFits(a.setOut, count * SET_STRIDE, 'per-set output');
    assertFits(a.grads, count * GRAD_STRIDE, 'per-set upstream gradients');
    assertFits(a.dscore, total, 'score gradient output');
    const u = this.params(sets, a.kappa);
    this.gpu.dispatch(this.bwd, [u, sets.segments.offsets, sets.chosen, a.prior, a.logp, a.setOut, a.grads, a.dscore], grid1d(count, WG), { label: 'segsoftmax-backward' });
  }

  /**
   * Behaviour cloning: writes the upstream gradients of L = −mean_s log π(a*_s|s) into `grads`
   * and per-set [nll, correct, entropy, 0] into `stats` (column means give loss, accuracy, entropy).
   */
  crossEntropy(sets: CandidateSets, setOut: Tensor, grads: Tensor, stats: Tensor): void {
    const { count } = sets.segments;
    assertFits(setOut, count * SET_STRIDE, 'per-set output');
    assertFits(grads, count * GRAD_STRIDE, 'per-set upstream gradients');
    assertFits(stats, count * CE_STRIDE, 'cross-entropy statistics');
    const u = this.params(sets, 0, 1 / count);  // the mean over this batch's sets
    this.gpu.dispatch(this.ce, [u, setOut, grads, stats], grid1d(count, WG), { label: 'segsoftmax-cross-entropy' });
  }
}
