// An MLP over (state, candidate) pairs whose first layer is split:
//
//   h₁(s, a) = f(φ(s)·W_φ + ψ(a)·W_ψ + b)     = f(W·[φ(s); ψ(a)] + b) with W = [W_φ; W_ψ]
//   score(s, a) = MLP(h₁)
//
// Every state has a ragged set of candidates (offsets), and the state half φ(s)·W_φ is computed
// once per state and broadcast onto its candidates (shaders/segment.wgsl) instead of once per
// candidate: with ~20 candidates per state that halves the first layer's work. Its backward sums
// the candidates' gradients per state before the weight-gradient matmul.

import type { Gpu, Tensor } from '../gpu';
import { PreparedActivation, PreparedDense, keepsPreActivation, type Activation } from '../kernels/dense';
import { asMatrix } from '../kernels/grid';
import { PreparedSegmentRows } from '../kernels/segment';
import type { Segments } from '../kernels/segments';
import { fanInUniform } from './init';
import { Mlp } from './mlp';
import type { Param, ParamSet } from './params';

export interface PairMlpSpec {
  stateDim: number;
  actionDim: number;
  /** Hidden widths, at least one (the split layer's width first). */
  hidden: number[];
  activation: Activation;
  /** 'zero' starts the output layer at zero, so the first policy equals the prior. */
  outputInit?: 'default' | 'zero';
}

interface PairState {
  stateLayer: PreparedDense;
  actionLayer: PreparedDense;
  act: PreparedActivation;
  seg: PreparedSegmentRows;
  zeroBias: Tensor;
  scratchBias: Tensor;
  hs: Tensor;   // φ·W_φ per state
  za: Tensor;   // ψ·W_ψ + b per candidate, then Z = that + φ·W_φ (in place)
  h1: Tensor;   // f(Z)
  dz: Tensor;
  dhs: Tensor;
}

export class PairMlp {
  readonly stateWeight: Param;
  readonly actionWeight: Param;
  readonly bias: Param;
  readonly trunk: Mlp;
  private gpu: Gpu | null = null;
  private s: PairState | null = null;
  private shape: { states: number; candidates: number } | null = null;
  private last: { phi: Tensor; psi: Tensor; segments: Segments } | null = null;

  constructor(readonly params: ParamSet, readonly prefix: string, readonly spec: PairMlpSpec) {
    const h = spec.hidden[0];
    if (!spec.hidden.length) throw new RangeError(`${prefix}: at least one hidden layer is needed`);
    const fanIn = spec.stateDim + spec.actionDim;
    const init = fanInUniform(fanIn, spec.activation);
    this.stateWeight = params.add(`${prefix}.state_in.weight`, [spec.stateDim, h], { init, decay: true });
    this.actionWeight = params.add(`${prefix}.action_in.weight`, [spec.actionDim, h], { init, decay: true });
    this.bias = params.add(`${prefix}.in.bias`, [h], { init: { kind: 'zeros' }, decay: false });
    this.trunk = new Mlp(params, `${prefix}.trunk`, { sizes: [...spec.hidden, 1], activation: spec.activation, outputInit: spec.outputInit });
  }

  async prepare(gpu: Gpu, states: number, candidates: number): Promise<void> {
    if (this.shape && this.gpu === gpu && this.shape.states === states && this.shape.candidates === candidates) return;
    this.release();
    this.gpu = gpu;
    const { stateDim, actionDim, activation } = this.spec;
    const h = this.spec.hidden[0];
    const [stateLayer, actionLayer, act, seg] = await Promise.all([
      PreparedDense.create(gpu, { rows: states, inDim: stateDim, outDim: h, activation: 'identity' }),
      PreparedDense.create(gpu, { rows: candidates, inDim: actionDim, outDim: h, activation: 'identity' }),
      PreparedActivation.create(gpu, activation),
      PreparedSegmentRows.create(gpu, h, activation),
      this.trunk.prepare(gpu, candidates, { inputGrad: true, inputActivation: activation }),
    ]);
    this.s = {
      stateLayer, actionLayer, act, seg,
      zeroBias: gpu.zeros([h]), scratchBias: gpu.empty([h]),
      hs: gpu.empty([states, h]), za: gpu.empty([candidates, h]), h1: gpu.empty([candidates, h]),
      dz: gpu.empty([candidates, h]), dhs: gpu.empty([states, h]),
    };
    this.shape = { states, candidates };
  }

  private ensure(segments: Segments): PairState {
    if (!this.s || !this.shape) throw new Error(`${this.prefix}: call prepare() before recording`);
    if (segments.count !== this.shape.states || segments.total !== this.shape.candidates) {
      throw new RangeError(`${this.prefix}: prepared for ${this.shape.states} states / ${this.shape.candidates} candidates, got ${segments.count} / ${segments.total}`);
    }
    return this.s;
  }

  /** Records the scores of every candidate: φ [states × stateDim], ψ [candidates × actionDim] → [candidates × 1]. */
  forward(phi: Tensor, psi: Tensor, segments: Segments): Tensor {
    const s = this.ensure(segments);
    const { states, candidates } = this.shape!;
    phi = asMatrix(phi, states, this.spec.stateDim, `${this.prefix} state features φ`);
    psi = asMatrix(psi, candidates, this.spec.actionDim, `${this.prefix} action features ψ`);
    s.stateLayer.forward(phi, this.stateWeight.value, s.zeroBias, s.hs);
    s.actionLayer.forward(psi, this.actionWeight.value, this.bias.value, s.za);
    s.seg.broadcast(segments, s.hs, s.za, s.h1);
    this.last = { phi, psi, segments };
    return this.trunk.forward(s.h1);
  }

  /** Records all gradients for dscore = ∂L/∂score per candidate. */
  backward(dscore: Tensor): void {
    if (!this.last) throw new Error(`${this.prefix}: backward() before forward()`);
    const { phi, psi, segments } = this.last;
    const s = this.ensure(segments);
    const saved = keepsPreActivation(this.spec.activation) ? s.za : s.h1;
    const dh1 = this.trunk.backward(dscore, saved)!;
    // A one-output trunk already took the gradient through f (fused); otherwise apply f′ here.
    let dz = dh1;
    if (!this.trunk.inputGradIsPreActivation) {
      s.act.backward(saved, dh1, s.dz);
      dz = s.dz;
    }
    s.actionLayer.backward({ x: psi, w: this.actionWeight.value, dy: dz, dW: this.actionWeight.grad, db: this.bias.grad });
    s.seg.sum(segments, dz, s.dhs);
    s.stateLayer.backward({ x: phi, w: this.stateWeight.value, dy: s.dhs, dW: this.stateWeight.grad, db: s.scratchBias });
  }

  private release(): void {
    if (!this.gpu || !this.s) return;
    const s = this.s;
    s.stateLayer.destroy();
    s.actionLayer.destroy();
    this.gpu.release(s.zeroBias, s.scratchBias, s.hs, s.za, s.h1, s.dz, s.dhs);
    this.s = null;
    this.shape = null;
  }

  destroy(): void {
    this.release();
    this.trunk.destroy();
  }
}
