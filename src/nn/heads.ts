// The trainable heads of DESIGN.md §2, on top of the frozen backbone's features:
//   policy adapter:      π(a|s) = softmax over a ∈ A(s) of κ·ℓ(a|s) + f_θ(φ(s), ψ(a))
//   value head:          V(s) = MLP(φ(s))
//   progress estimator:  ĉ = E(s, a) = MLP([φ(s); ψ(a)])
// The frozen prior is κ·ℓ: with the adapter's output layer initialised at zero, the first
// policy is exactly softmax(κ·ℓ).

import type { Gpu, Tensor } from '../gpu';
import type { Activation } from '../kernels/dense';
import { PreparedDense } from '../kernels/dense';
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

  load(h: PolicyBatchHost): PolicyBatch {
    const S = h.offsets.length - 1;
    const N = h.offsets[S];
    const { stateDim, actionDim } = this.spec;
    if (h.phi.length !== S * stateDim) throw new RangeError(`policy batch: φ has ${h.phi.length} floats, expected ${S} states × ${stateDim}`);
    if (h.psi.length !== N * actionDim) throw new RangeError(`policy batch: ψ has ${h.psi.length} floats, expected ${N} candidates × ${actionDim}`);
    if (h.prior.length !== N) throw new RangeError(`policy batch: ℓ has ${h.prior.length} values, expected ${N} candidates`);
    const sets = this.sets.load(h.offsets, h.chosen, N);
    this.gpu.write(this.phi, h.phi);
    this.gpu.write(this.psi, h.psi);
    this.gpu.write(this.prior, h.prior);
    return { phi: this.phi, psi: this.psi, prior: this.prior, sets };
  }

  destroy(): void {
    this.sets.destroy();
    this.gpu.release(this.phi, this.psi, this.prior);
  }
}

/**
 * Per-dimension standardisation of the adapter's inputs: it reads (φ − phiShift) / phiScale and
 * (ψ − psiShift) / psiScale. Why: a small LM's hidden states share a large common component (on
 * the bundled stepwise-tiny, φ varies across states by ~0.05 per dimension around means of ~1,
 * and ψ's of one state have mean pairwise cosine 0.97), so raw features give the adapter nearly
 * the same input for every candidate and BC barely moves off the prior. The statistics are
 * computed once from the BC demonstrations (featureNormFrom) and travel with the checkpoint, so
 * rollouts and PPO read the same transform.
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
  private normState: { norm: FeatureNorm; version: number } | null = null;
  private normVersion = 0;

  constructor(readonly params: ParamSet, readonly prefix: string, readonly spec: PolicyAdapterSpec) {
    if (!Number.isFinite(spec.kappa)) throw new RangeError(`${prefix}: κ must be finite`);
    this.net = new PairMlp(params, prefix, { ...spec, outputInit: 'zero' });
  }

  get kappa(): number {
    return this.spec.kappa;
  }

  /** The input standardisation (null: the adapter reads raw φ and ψ). */
  get norm(): FeatureNorm | null {
    return this.normState?.norm ?? null;
  }

  /** Bumps whenever the normaliser changes, so plans re-upload it before their next forward. */
  get normStamp(): number {
    return this.normState?.version ?? 0;
  }

  setNorm(norm: FeatureNorm | null): void {
    if (norm) {
      const { stateDim: sd, actionDim: ad } = this.spec;
      if (norm.phiShift.length !== sd || norm.phiScale.length !== sd || norm.psiShift.length !== ad || norm.psiScale.length !== ad) {
        throw new RangeError(`${this.prefix}: the feature normaliser has the wrong widths for φ ${sd} / ψ ${ad}`);
      }
      for (const v of [...norm.phiScale, ...norm.psiScale]) if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`${this.prefix}: feature scales must be positive and finite`);
    }
    this.normState = norm ? { norm, version: ++this.normVersion } : null;
  }

  /** Kernels and buffers for batches of up to maxStates states and maxCandidates candidates. */
  async plan(gpu: Gpu, capacity: PlanCapacity): Promise<PolicyPlan> {
    const { stateDim, actionDim } = this.spec;
    const maxCandidates = capacity.maxCandidates ?? capacity.maxStates;
    // The standardisation is a diagonal dense layer (identity activation): no new kernel, and no
    // gradient flows into the features, so it needs no backward.
    const [net, softmax, phiNorm, psiNorm] = await Promise.all([
      this.net.plan(gpu, capacity), PreparedSegmentedSoftmax.create(gpu),
      PreparedDense.create(gpu, { maxRows: capacity.maxStates, inDim: stateDim, outDim: stateDim, activation: 'identity' }),
      PreparedDense.create(gpu, { maxRows: maxCandidates, inDim: actionDim, outDim: actionDim, activation: 'identity' }),
    ]);
    const p = new PolicyPlan(gpu, this, net, softmax, { phi: phiNorm, psi: psiNorm }, () => this.plans.delete(p));
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
  /** Diagonal weights, biases and outputs of the input standardisation. */
  private readonly normBufs: { phiW: Tensor; phiB: Tensor; psiW: Tensor; psiB: Tensor; phi: Tensor; psi: Tensor };
  private normStamp = 0;
  private last: PolicyBatch | null = null;
  private destroyed = false;

  constructor(
    private readonly gpu: Gpu,
    readonly adapter: PolicyAdapter,
    readonly net: PairMlpPlan,
    private readonly softmax: PreparedSegmentedSoftmax,
    private readonly normLayers: { phi: PreparedDense; psi: PreparedDense },
    private readonly onDestroy: () => void,
  ) {
    const { maxStates, maxCandidates, backward } = net.capacity;
    const { stateDim, actionDim } = adapter.spec;
    const name = (what: string) => `${adapter.prefix}.${what}`;
    this.bufs = {
      logp: gpu.empty([maxCandidates], 'f32', name('logp')),
      setOut: gpu.empty([maxStates, SET_STRIDE], 'f32', name('set-out')),
      dscore: backward ? gpu.empty([maxCandidates, 1], 'f32', name('dscore')) : undefined,
    };
    this.normBufs = {
      phiW: gpu.zeros([stateDim, stateDim], 'f32', name('norm-phi-w')), phiB: gpu.zeros([stateDim], 'f32', name('norm-phi-b')),
      psiW: gpu.zeros([actionDim, actionDim], 'f32', name('norm-psi-w')), psiB: gpu.zeros([actionDim], 'f32', name('norm-psi-b')),
      phi: gpu.empty([maxStates, stateDim], 'f32', name('norm-phi')), psi: gpu.empty([maxCandidates, actionDim], 'f32', name('norm-psi')),
    };
  }

  /** (x − shift)/scale as x·diag(1/scale) + (−shift/scale), uploaded when the adapter's normaliser changed. */
  private uploadNorm(norm: FeatureNorm): void {
    const diag = (shift: Float32Array, scale: Float32Array) => {
      const d = shift.length, w = new Float32Array(d * d), b = new Float32Array(d);
      for (let j = 0; j < d; j++) { w[j * d + j] = 1 / scale[j]; b[j] = -shift[j] / scale[j]; }
      return { w, b };
    };
    const p = diag(norm.phiShift, norm.phiScale), a = diag(norm.psiShift, norm.psiScale);
    this.gpu.write(this.normBufs.phiW, p.w);
    this.gpu.write(this.normBufs.phiB, p.b);
    this.gpu.write(this.normBufs.psiW, a.w);
    this.gpu.write(this.normBufs.psiB, a.b);
    this.normStamp = this.adapter.normStamp;
  }

  /** φ and ψ as the adapter reads them: standardised when it has a normaliser, else as given. */
  private inputs(batch: PolicyBatch): { phi: Tensor; psi: Tensor } {
    const norm = this.adapter.norm;
    if (!norm) return { phi: batch.phi, psi: batch.psi };
    if (this.normStamp !== this.adapter.normStamp) this.uploadNorm(norm);
    const { count: states, total: candidates } = batch.sets.segments;
    const n = this.normBufs;
    this.normLayers.phi.forward(batch.phi, n.phiW, n.phiB, n.phi, undefined, states);
    this.normLayers.psi.forward(batch.psi, n.psiW, n.psiB, n.psi, undefined, candidates);
    return { phi: n.phi, psi: n.psi };
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
    const { phi, psi } = this.inputs(batch);
    const score = this.net.forward(phi, psi, batch.sets.segments);
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
    this.normLayers.phi.destroy();
    this.normLayers.psi.destroy();
    const n = this.normBufs;
    this.gpu.release(this.bufs.logp, this.bufs.setOut, this.bufs.dscore, n.phiW, n.phiB, n.psiW, n.psiB, n.phi, n.psi);
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
