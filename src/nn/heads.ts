// The trainable heads of DESIGN.md §2, on top of the frozen backbone's features:
//   policy adapter:      π(a|s) = softmax over a ∈ A(s) of κ·ℓ(a|s) + f_θ(φ(s), ψ(a))
//   value head:          V(s) = MLP(φ(s))
//   progress estimator:  ĉ = E(s, a) = MLP([φ(s); ψ(a)])
// The frozen prior is κ·ℓ: with the adapter's output layer initialised at zero, the first
// policy is exactly softmax(κ·ℓ).

import type { Gpu, Tensor } from '../gpu';
import type { Activation } from '../kernels/dense';
import { PreparedSegmentedSoftmax, SET_STRIDE, type CandidateSets } from '../kernels/segsoftmax';
import { Mlp } from './mlp';
import { PairMlp } from './pair-mlp';
import type { ParamSet } from './params';

export interface PolicyAdapterSpec {
  stateDim: number;
  actionDim: number;
  hidden: number[];
  activation: Activation;
  /** Weight of the frozen prior log-likelihood ℓ in the logit. */
  kappa: number;
}

/** One batch of decision points: each state with its ragged set of admissible actions. */
export interface PolicyBatch {
  /** φ(s) per state [states × stateDim]. */
  phi: Tensor;
  /** ψ(a) per candidate [candidates × actionDim]. */
  psi: Tensor;
  /** ℓ(a|s) per candidate. */
  prior: Tensor;
  /** Offsets and the taken (or expert) action per state. */
  sets: CandidateSets;
}

export class PolicyAdapter {
  readonly net: PairMlp;
  private gpu: Gpu | null = null;
  private softmax: PreparedSegmentedSoftmax | null = null;
  private bufs: { logp: Tensor; setOut: Tensor; dscore: Tensor } | null = null;
  private shape: { states: number; candidates: number } | null = null;
  private last: PolicyBatch | null = null;

  constructor(readonly params: ParamSet, readonly prefix: string, readonly spec: PolicyAdapterSpec) {
    if (!Number.isFinite(spec.kappa)) throw new RangeError(`${prefix}: κ must be finite`);
    this.net = new PairMlp(params, prefix, { ...spec, outputInit: 'zero' });
  }

  get kappa(): number {
    return this.spec.kappa;
  }

  async prepare(gpu: Gpu, states: number, candidates: number): Promise<void> {
    const [softmax] = await Promise.all([PreparedSegmentedSoftmax.create(gpu), this.net.prepare(gpu, states, candidates)]);
    this.softmax = softmax;
    if (this.shape?.states === states && this.shape.candidates === candidates && this.gpu === gpu) return;
    this.release();
    this.gpu = gpu;
    this.bufs = {
      logp: gpu.empty([candidates], 'f32', `${this.prefix}.logp`),
      setOut: gpu.empty([states, SET_STRIDE], 'f32', `${this.prefix}.set-out`),
      dscore: gpu.empty([candidates, 1], 'f32', `${this.prefix}.dscore`),
    };
    this.shape = { states, candidates };
  }

  /**
   * Records log π for every candidate and, per state, [log π(a*), H, log π⁰(a*), KL(π‖π⁰), …]
   * (SET_STRIDE floats; see SET_COL).
   */
  forward(batch: PolicyBatch): { logp: Tensor; setOut: Tensor } {
    if (!this.bufs || !this.softmax) throw new Error(`${this.prefix}: call prepare() before recording`);
    const score = this.net.forward(batch.phi, batch.psi, batch.sets.segments);
    this.softmax.forward(batch.sets, { kappa: this.kappa, prior: batch.prior, score, logp: this.bufs.logp, setOut: this.bufs.setOut });
    this.last = batch;
    return { logp: this.bufs.logp, setOut: this.bufs.setOut };
  }

  /** Records every gradient for per-state upstream gradients (GRAD_STRIDE floats per state). */
  backward(grads: Tensor): void {
    if (!this.bufs || !this.softmax || !this.last) throw new Error(`${this.prefix}: backward() before forward()`);
    const b = this.last;
    this.softmax.backward(b.sets, { kappa: this.kappa, prior: b.prior, logp: this.bufs.logp, setOut: this.bufs.setOut, grads, dscore: this.bufs.dscore });
    this.net.backward(this.bufs.dscore);
  }

  private release(): void {
    if (this.gpu && this.bufs) this.gpu.release(this.bufs.logp, this.bufs.setOut, this.bufs.dscore);
    this.bufs = null;
    this.shape = null;
  }

  destroy(): void {
    this.release();
    this.net.destroy();
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
  prepare(gpu: Gpu, states: number): Promise<void> {
    return this.mlp.prepare(gpu, states);
  }
  forward(phi: Tensor): Tensor {
    return this.mlp.forward(phi);
  }
  backward(dValues: Tensor): void {
    this.mlp.backward(dValues);
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
  prepare(gpu: Gpu, steps: number): Promise<void> {
    return this.mlp.prepare(gpu, steps);
  }
  forward(x: Tensor): Tensor {
    return this.mlp.forward(x);
  }
  backward(dc: Tensor): void {
    this.mlp.backward(dc);
  }
  destroy(): void {
    this.mlp.destroy();
  }
}
