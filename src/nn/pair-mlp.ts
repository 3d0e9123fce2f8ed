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
import { assertCount } from '../kernels/grid';
import { PreparedSegmentRows } from '../kernels/segment';
import type { Segments } from '../kernels/segments';
import { fanInUniform } from './init';
import { Mlp, type MlpPlan } from './mlp';
import type { Param, ParamSet } from './params';
import type { PlanCapacity } from './plan';

export interface PairMlpSpec {
  stateDim: number;
  actionDim: number;
  /** Hidden widths, at least one (the split layer's width first). */
  hidden: number[];
  activation: Activation;
  /** 'zero' starts the output layer at zero, so the first policy equals the prior. */
  outputInit?: 'default' | 'zero';
}

export class PairMlp {
  readonly stateWeight: Param;
  readonly actionWeight: Param;
  readonly bias: Param;
  readonly trunk: Mlp;
  private readonly plans = new Set<PairMlpPlan>();

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

  /** Kernels and buffers for batches of up to maxStates states and maxCandidates candidates. */
  async plan(gpu: Gpu, capacity: PlanCapacity): Promise<PairMlpPlan> {
    const p = await PairMlpPlan.create(this, gpu, capacity, () => this.plans.delete(p));
    this.plans.add(p);
    return p;
  }

  destroy(): void {
    for (const p of [...this.plans]) p.destroy();
  }
}

interface PairState {
  stateLayer: PreparedDense;
  actionLayer: PreparedDense;
  act: PreparedActivation;
  seg: PreparedSegmentRows;
  trunk: MlpPlan;
  zeroBias: Tensor;
  hs: Tensor;   // φ·W_φ per state
  za: Tensor;   // ψ·W_ψ + b per candidate, then Z = that + φ·W_φ (in place)
  h1: Tensor;   // f(Z)
  grad?: {
    scratchBias: Tensor;
    dz: Tensor;
    dhs: Tensor;
  };
}

export class PairMlpPlan {
  private last: { phi: Tensor; psi: Tensor; segments: Segments } | null = null;
  private destroyed = false;

  private constructor(
    private readonly gpu: Gpu,
    readonly net: PairMlp,
    readonly capacity: Readonly<Required<PlanCapacity>>,
    private readonly s: PairState,
    private readonly onDestroy: () => void,
  ) {}

  static async create(net: PairMlp, gpu: Gpu, capacity: PlanCapacity, onDestroy: () => void): Promise<PairMlpPlan> {
    const { maxStates, backward } = capacity;
    const maxCandidates = capacity.maxCandidates ?? 0;
    assertCount(maxStates, `${net.prefix}: plan maxStates`);
    assertCount(maxCandidates, `${net.prefix}: plan maxCandidates`);
    if (maxCandidates < maxStates) throw new RangeError(`${net.prefix}: every state has a candidate, so maxCandidates (${maxCandidates}) must be at least maxStates (${maxStates})`);
    const { stateDim, actionDim, activation } = net.spec;
    const h = net.spec.hidden[0];
    const [stateLayer, actionLayer, act, seg, trunk] = await Promise.all([
      PreparedDense.create(gpu, { maxRows: maxStates, inDim: stateDim, outDim: h, activation: 'identity' }, { backward }),
      PreparedDense.create(gpu, { maxRows: maxCandidates, inDim: actionDim, outDim: h, activation: 'identity' }, { backward }),
      PreparedActivation.create(gpu, activation),
      PreparedSegmentRows.create(gpu, h, activation),
      net.trunk.plan(gpu, { maxStates: maxCandidates, backward, inputGrad: true, inputActivation: activation }),
    ]);
    const name = (what: string) => `${net.prefix}.${what}`;
    const state: PairState = {
      stateLayer, actionLayer, act, seg, trunk,
      zeroBias: gpu.zeros([h], 'f32', name('zero-bias')),
      hs: gpu.empty([maxStates, h], 'f32', name('hs')), za: gpu.empty([maxCandidates, h], 'f32', name('za')), h1: gpu.empty([maxCandidates, h], 'f32', name('h1')),
      grad: backward ? {
        scratchBias: gpu.empty([h], 'f32', name('scratch-bias')),
        dz: gpu.empty([maxCandidates, h], 'f32', name('dz')), dhs: gpu.empty([maxStates, h], 'f32', name('dhs')),
      } : undefined,
    };
    return new PairMlpPlan(gpu, net, { maxStates, maxCandidates, backward }, state, onDestroy);
  }

  private check(segments: Segments): void {
    if (this.destroyed) throw new Error(`${this.net.prefix}: this plan was destroyed`);
    const c = this.capacity;
    if (segments.count > c.maxStates || segments.total > c.maxCandidates) {
      throw new RangeError(`${this.net.prefix}: planned for up to ${c.maxStates} states / ${c.maxCandidates} candidates, got ${segments.count} / ${segments.total}`);
    }
  }

  /**
   * Records the scores of every candidate: φ (≥ states × stateDim), ψ (≥ candidates × actionDim)
   * → the trunk's output buffer, whose first `candidates` elements are this batch's scores.
   */
  forward(phi: Tensor, psi: Tensor, segments: Segments): Tensor {
    this.check(segments);
    const s = this.s, n = this.net;
    const { count: states, total: candidates } = segments;
    s.stateLayer.forward(phi, n.stateWeight.value, s.zeroBias, s.hs, undefined, states);
    s.actionLayer.forward(psi, n.actionWeight.value, n.bias.value, s.za, undefined, candidates);
    s.seg.broadcast(segments, s.hs, s.za, s.h1);
    this.last = { phi, psi, segments };
    return s.trunk.forward(s.h1, candidates);
  }

  /** Records all gradients for dscore = ∂L/∂score per candidate. */
  backward(dscore: Tensor): void {
    if (!this.last) throw new Error(`${this.net.prefix}: backward() before forward()`);
    const g = this.s.grad;
    if (!g) throw new Error(`${this.net.prefix}: this is an inference plan (backward: false); it has no gradients`);
    const { phi, psi, segments } = this.last;
    this.check(segments);
    const s = this.s, n = this.net;
    const { count: states, total: candidates } = segments;
    const saved = keepsPreActivation(n.spec.activation) ? s.za : s.h1;
    const dh1 = s.trunk.backward(dscore, saved)!;
    // A one-output trunk already took the gradient through f (fused); otherwise apply f′ here.
    let dz = dh1;
    if (!s.trunk.inputGradIsPreActivation) {
      s.act.backward(saved, dh1, g.dz, candidates * n.spec.hidden[0]);
      dz = g.dz;
    }
    s.actionLayer.backward({ rows: candidates, x: psi, w: n.actionWeight.value, dy: dz, dW: n.actionWeight.grad, db: n.bias.grad });
    s.seg.sum(segments, dz, g.dhs);
    s.stateLayer.backward({ rows: states, x: phi, w: n.stateWeight.value, dy: g.dhs, dW: n.stateWeight.grad, db: g.scratchBias });
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    const s = this.s;
    s.stateLayer.destroy();
    s.actionLayer.destroy();
    s.trunk.destroy();
    this.gpu.release(s.zeroBias, s.hs, s.za, s.h1, s.grad?.scratchBias, s.grad?.dz, s.grad?.dhs);
    this.onDestroy();
  }
}
