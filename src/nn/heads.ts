// The trainable heads of DESIGN.md §2, on top of the frozen backbone's features:
//   policy adapter:      π(a|s) = softmax over a ∈ A(s) of κ·ℓ(a|s) + f_θ(φ(s), ψ(a))
//   value head:          V(s) = MLP(φ(s))
//   progress estimator:  ĉ = E(s, a) = MLP([φ(s); ψ(a)])
// The frozen prior is κ·ℓ: with the adapter's output layer initialised at zero, the first
// policy is exactly softmax(κ·ℓ).

import type { Gpu, Tensor } from '../gpu';
import type { Activation } from '../kernels/dense';
import { CandidateSetsBuffer, PreparedSegmentedSoftmax, SET_STRIDE, type CandidateSets } from '../kernels/segsoftmax';
import { Mlp, type MlpPlan } from './mlp';
import { PairMlp, type PairMlpPlan } from './pair-mlp';
import type { ParamSet } from './params';
import type { PlanCapacity } from './plan';

export interface PolicyAdapterSpec {
  stateDim: number;
  actionDim: number;
  hidden: number[];
  activation: Activation;
  /** Weight of the frozen prior log-likelihood ℓ in the logit. */
  kappa: number;
}

/**
 * One batch of decision points: each state with its ragged set of admissible actions. The tensors
 * may be larger than the batch (capacity buffers): the counts come from `sets`.
 */
export interface PolicyBatch {
  /** φ(s) per state (≥ states × stateDim). */
  phi: Tensor;
  /** ψ(a) per candidate (≥ candidates × actionDim). */
  psi: Tensor;
  /** ℓ(a|s) per candidate. */
  prior: Tensor;
  /** Offsets and the taken (or expert) action per state. */
  sets: CandidateSets;
  /** The normaliser φ and ψ were standardised with on upload (null: raw features). */
  norm: FeatureNorm | null;
}

export interface PolicyBatchCapacity {
  maxStates: number;
  maxCandidates: number;
}

/** Host data of one policy batch, for PolicyBatchBuffer.load. */
export interface PolicyBatchHost {
  phi: Float32Array;
  psi: Float32Array;
  prior: Float32Array;
  offsets: ArrayLike<number>;
  chosen?: ArrayLike<number>;
}

/**
 * GPU buffers for policy batches of up to a capacity, rewritten by each `load`: a loop that
 * uploads a batch of another size every step allocates nothing. A load replaces the previous
 * batch (record it before loading the next).
 */
export class PolicyBatchBuffer {
  readonly phi: Tensor;
  readonly psi: Tensor;
  readonly prior: Tensor;
  private readonly sets: CandidateSetsBuffer;

  constructor(private readonly gpu: Gpu, readonly spec: { stateDim: number; actionDim: number }, readonly capacity: PolicyBatchCapacity) {
    const { maxStates, maxCandidates } = capacity;
    this.phi = gpu.empty([maxStates, spec.stateDim], 'f32', 'batch-phi');
    this.psi = gpu.empty([maxCandidates, spec.actionDim], 'f32', 'batch-psi');
    this.prior = gpu.empty([maxCandidates], 'f32', 'batch-prior');
    this.sets = new CandidateSetsBuffer(gpu, maxStates, maxCandidates);
  }

  /**
   * Uploads a batch, standardising φ and ψ on the way when a normaliser is given (the adapter's,
   * `adapter.norm`): O(d) per row on the host as the batch is copied anyway, where a GPU pass
   * would cost a dispatch per tensor. The value head reads the same standardised φ.
   */
  load(h: PolicyBatchHost, norm: FeatureNorm | null = null): PolicyBatch {
    const S = h.offsets.length - 1;
    const N = h.offsets[S];
    const { stateDim, actionDim } = this.spec;
    if (h.phi.length !== S * stateDim) throw new RangeError(`policy batch: φ has ${h.phi.length} floats, expected ${S} states × ${stateDim}`);
    if (h.psi.length !== N * actionDim) throw new RangeError(`policy batch: ψ has ${h.psi.length} floats, expected ${N} candidates × ${actionDim}`);
    if (h.prior.length !== N) throw new RangeError(`policy batch: ℓ has ${h.prior.length} values, expected ${N} candidates`);
    const sets = this.sets.load(h.offsets, h.chosen, N);
    this.gpu.write(this.phi, norm ? standardiseRows(h.phi, norm.phiShift, norm.phiScale) : h.phi);
    this.gpu.write(this.psi, norm ? standardiseRows(h.psi, norm.psiShift, norm.psiScale) : h.psi);
    this.gpu.write(this.prior, h.prior);
    return { phi: this.phi, psi: this.psi, prior: this.prior, sets, norm };
  }

  destroy(): void {
    this.sets.destroy();
    this.gpu.release(this.phi, this.psi, this.prior);
  }
}

/**
 * Per-dimension standardisation of the heads' inputs: they read (φ − phiShift) / phiScale and
 * (ψ − psiShift) / psiScale. Why: a small LM's hidden states share a large common component (on
 * the bundled stepwise-tiny, φ varies across states by ~0.05 per dimension around means of ~1,
 * and ψ's of one state have mean pairwise cosine 0.97), so raw features give an MLP nearly the
 * same input everywhere: BC barely moved off the prior, and the estimator and the value head fit
 * unevenly (exploration MSE 0.14 on one seed, 1.6 on another). The statistics are computed once
 * from the BC demonstrations (featureNormFrom), held by the adapter (PolicyAdapter.norm) and
 * travel with the checkpoint; the adapter and the value head read them through PolicyBatchBuffer,
 * the estimator through its host-side inputs, so every stage reads the same transform.
 */
export interface FeatureNorm {
  phiShift: Float32Array;
  phiScale: Float32Array;
  psiShift: Float32Array;
  psiScale: Float32Array;
}

/** Smallest scale: a dimension that (nearly) never varies is shifted, not blown up. */
export const FEATURE_NORM_MIN_SCALE = 1e-3;

function columnStats(x: Float32Array, rows: number, dim: number): { shift: Float32Array; scale: Float32Array } {
  if (rows <= 0 || x.length !== rows * dim) throw new RangeError(`feature statistics: ${x.length} floats are not ${rows} rows × ${dim}`);
  const mean = new Float64Array(dim), sq = new Float64Array(dim);
  for (let r = 0; r < rows; r++) for (let j = 0; j < dim; j++) mean[j] += x[r * dim + j];
  for (let j = 0; j < dim; j++) mean[j] /= rows;
  for (let r = 0; r < rows; r++) for (let j = 0; j < dim; j++) { const d = x[r * dim + j] - mean[j]; sq[j] += d * d; }
  const scale = new Float32Array(dim);
  for (let j = 0; j < dim; j++) scale[j] = Math.max(Math.sqrt(sq[j] / rows), FEATURE_NORM_MIN_SCALE);
  return { shift: Float32Array.from(mean), scale };
}

/** Rows of x (each `shift.length` wide) as (x − shift) / scale, in a new array. */
export function standardiseRows(x: Float32Array, shift: Float32Array, scale: Float32Array): Float32Array {
  const d = shift.length;
  if (x.length % d !== 0) throw new RangeError(`standardise: ${x.length} floats are not rows of ${d}`);
  const out = new Float32Array(x.length);
  for (let r = 0; r < x.length; r += d) for (let j = 0; j < d; j++) out[r + j] = (x[r + j] - shift[j]) / scale[j];
  return out;
}

/** φ statistics over states (rows of φ) and ψ statistics over all candidates (rows of ψ). */
export function featureNormFrom(phi: Float32Array, stateDim: number, psi: Float32Array, actionDim: number): FeatureNorm {
  const p = columnStats(phi, phi.length / stateDim, stateDim);
  const a = columnStats(psi, psi.length / actionDim, actionDim);
  return { phiShift: p.shift, phiScale: p.scale, psiShift: a.shift, psiScale: a.scale };
}

/** JSON bytes of a normaliser (float32 values round-trip exactly through JSON numbers). */
export function encodeFeatureNorm(n: FeatureNorm): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ phiShift: [...n.phiShift], phiScale: [...n.phiScale], psiShift: [...n.psiShift], psiScale: [...n.psiScale] }));
}

export function decodeFeatureNorm(bytes: Uint8Array): FeatureNorm {
  const o = JSON.parse(new TextDecoder().decode(bytes)) as Record<keyof FeatureNorm, number[]>;
  return { phiShift: Float32Array.from(o.phiShift), phiScale: Float32Array.from(o.phiScale), psiShift: Float32Array.from(o.psiShift), psiScale: Float32Array.from(o.psiScale) };
}

export class PolicyAdapter {
  readonly net: PairMlp;
  private readonly plans = new Set<PolicyPlan>();
  private currentNorm: FeatureNorm | null = null;

  constructor(readonly params: ParamSet, readonly prefix: string, readonly spec: PolicyAdapterSpec) {
    if (!Number.isFinite(spec.kappa)) throw new RangeError(`${prefix}: κ must be finite`);
    this.net = new PairMlp(params, prefix, { ...spec, outputInit: 'zero' });
  }

  get kappa(): number {
    return this.spec.kappa;
  }

  /** The heads' input standardisation (null: they read raw φ and ψ). Batches are loaded with it. */
  get norm(): FeatureNorm | null {
    return this.currentNorm;
  }

  setNorm(norm: FeatureNorm | null): void {
    if (norm) {
      const { stateDim: sd, actionDim: ad } = this.spec;
      if (norm.phiShift.length !== sd || norm.phiScale.length !== sd || norm.psiShift.length !== ad || norm.psiScale.length !== ad) {
        throw new RangeError(`${this.prefix}: the feature normaliser has the wrong widths for φ ${sd} / ψ ${ad}`);
      }
      for (const v of [...norm.phiScale, ...norm.psiScale]) if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`${this.prefix}: feature scales must be positive and finite`);
    }
    this.currentNorm = norm;
  }

  /** Kernels and buffers for batches of up to maxStates states and maxCandidates candidates. */
  async plan(gpu: Gpu, capacity: PlanCapacity): Promise<PolicyPlan> {
    const [net, softmax] = await Promise.all([this.net.plan(gpu, capacity), PreparedSegmentedSoftmax.create(gpu)]);
    const p = new PolicyPlan(gpu, this, net, softmax, () => this.plans.delete(p));
    this.plans.add(p);
    return p;
  }

  destroy(): void {
    for (const p of [...this.plans]) p.destroy();
    this.net.destroy();
  }
}

/** The policy adapter's kernels and buffers for batches up to a capacity. */
export class PolicyPlan {
  private readonly bufs: { logp: Tensor; setOut: Tensor; dscore?: Tensor };
  private last: PolicyBatch | null = null;
  private destroyed = false;

  constructor(
    private readonly gpu: Gpu,
    readonly adapter: PolicyAdapter,
    readonly net: PairMlpPlan,
    private readonly softmax: PreparedSegmentedSoftmax,
    private readonly onDestroy: () => void,
  ) {
    const { maxStates, maxCandidates, backward } = net.capacity;
    const name = (what: string) => `${adapter.prefix}.${what}`;
    this.bufs = {
      logp: gpu.empty([maxCandidates], 'f32', name('logp')),
      setOut: gpu.empty([maxStates, SET_STRIDE], 'f32', name('set-out')),
      dscore: backward ? gpu.empty([maxCandidates, 1], 'f32', name('dscore')) : undefined,
    };
  }

  /** A batch standardised with another normaliser than the adapter's would score silently wrong. */
  private checkNorm(batch: PolicyBatch): void {
    if (batch.norm !== this.adapter.norm) {
      throw new Error(`${this.adapter.prefix}: the batch was ${batch.norm ? 'standardised with another normaliser' : 'loaded raw'} but the adapter reads ${this.adapter.norm ? 'its own standardisation' : 'raw features'}; load it with adapter.norm`);
    }
  }

  get capacity(): Readonly<Required<PlanCapacity>> {
    return this.net.capacity;
  }

  /**
   * Records log π for every candidate and, per state, [log π(a*), H, log π⁰(a*), KL(π‖π⁰), …]
   * (SET_STRIDE floats; see SET_COL). The returned buffers are the plan's; the batch's values are
   * their first `candidates` and `states × SET_STRIDE` elements.
   */
  forward(batch: PolicyBatch): { logp: Tensor; setOut: Tensor } {
    if (this.destroyed) throw new Error(`${this.adapter.prefix}: this plan was destroyed`);
    this.checkNorm(batch);
    const score = this.net.forward(batch.phi, batch.psi, batch.sets.segments);
    this.softmax.forward(batch.sets, { kappa: this.adapter.kappa, prior: batch.prior, score, logp: this.bufs.logp, setOut: this.bufs.setOut });
    this.last = batch;
    return { logp: this.bufs.logp, setOut: this.bufs.setOut };
  }

  /** Records every gradient for per-state upstream gradients (GRAD_STRIDE floats per state). */
  backward(grads: Tensor): void {
    if (!this.last) throw new Error(`${this.adapter.prefix}: backward() before forward()`);
    if (!this.bufs.dscore) throw new Error(`${this.adapter.prefix}: this is an inference plan (backward: false); it has no gradients`);
    const b = this.last;
    this.softmax.backward(b.sets, { kappa: this.adapter.kappa, prior: b.prior, logp: this.bufs.logp, setOut: this.bufs.setOut, grads, dscore: this.bufs.dscore });
    this.net.backward(this.bufs.dscore);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.net.destroy();
    this.gpu.release(this.bufs.logp, this.bufs.setOut, this.bufs.dscore);
    this.onDestroy();
  }
}

export interface HeadSpec {
  inputDim: number;
  hidden: number[];
  activation: Activation;
}

/** V(s) from the state features. */
export class ValueHead {
  readonly mlp: Mlp;
  constructor(params: ParamSet, prefix: string, spec: HeadSpec) {
    this.mlp = new Mlp(params, prefix, { sizes: [spec.inputDim, ...spec.hidden, 1], activation: spec.activation });
  }
  /** A plan for up to maxStates states: `forward(φ, states)` records V per state. */
  plan(gpu: Gpu, capacity: PlanCapacity): Promise<MlpPlan> {
    return this.mlp.plan(gpu, capacity);
  }
  destroy(): void {
    this.mlp.destroy();
  }
}

/** ĉ = E(s, a) from the concatenated features [φ(s); ψ(a)] of each step. */
export class ProgressEstimator {
  readonly mlp: Mlp;
  constructor(params: ParamSet, prefix: string, spec: HeadSpec) {
    this.mlp = new Mlp(params, prefix, { sizes: [spec.inputDim, ...spec.hidden, 1], activation: spec.activation });
  }
  /** A plan for up to maxStates steps: `forward(x, steps)` records ĉ per step. */
  plan(gpu: Gpu, capacity: PlanCapacity): Promise<MlpPlan> {
    return this.mlp.plan(gpu, capacity);
  }
  destroy(): void {
    this.mlp.destroy();
  }
}
