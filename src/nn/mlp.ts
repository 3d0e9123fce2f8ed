// A multilayer perceptron of any depth over a ParamSet: dense layers with a hidden activation and
// an output activation. `plan` compiles the kernels and allocates activations for a capacity (the
// most rows a batch may have); a plan's `forward` and `backward` only record, for a batch of any
// size up to it, so a whole update step becomes one submit.

import type { Gpu, Tensor } from '../gpu';
import { keepsPreActivation, PreparedDense, type Activation } from '../kernels/dense';
import { assertCount, assertWithin } from '../kernels/grid';
import { fanInUniform } from './init';
import type { Param, ParamSet } from './params';
import type { PlanCapacity } from './plan';

export interface MlpSpec {
  /** Widths from input to output, e.g. [512, 256, 1]: at least two. */
  sizes: number[];
  /** Activation after every layer but the last. */
  activation: Activation;
  /** Activation after the last layer (default identity). */
  outputActivation?: Activation;
  /** 'zero' starts the last layer at zero (the head then outputs its bias, 0, at first). */
  outputInit?: 'default' | 'zero';
}

export interface MlpLayer {
  inDim: number;
  outDim: number;
  activation: Activation;
  weight: Param;
  bias: Param;
}

interface LayerState {
  dense: PreparedDense;
  y: Tensor;
  z?: Tensor;
  dz?: Tensor;
  dx?: Tensor;
}

export interface MlpPlanOptions extends PlanCapacity {
  /** Compute the gradient with respect to the network's input (when something upstream trains). */
  inputGrad?: boolean;
  accumulateGrads?: boolean;
  /**
   * The activation that produced the MLP's input. When the first layer has one output, its input
   * gradient is then taken straight through that activation (see `inputGradIsPreActivation`).
   */
  inputActivation?: Activation;
}

export class Mlp {
  readonly layers: MlpLayer[];
  private readonly plans = new Set<MlpPlan>();

  constructor(readonly params: ParamSet, readonly prefix: string, readonly spec: MlpSpec) {
    const { sizes } = spec;
    if (sizes.length < 2) throw new RangeError(`${prefix}: an MLP needs at least an input and an output width, got [${sizes.join(', ')}]`);
    for (const n of sizes) if (!Number.isInteger(n) || n <= 0) throw new RangeError(`${prefix}: layer widths must be positive integers, got [${sizes.join(', ')}]`);
    this.layers = sizes.slice(1).map((outDim, i) => {
      const inDim = sizes[i];
      const last = i === sizes.length - 2;
      const activation = last ? spec.outputActivation ?? 'identity' : spec.activation;
      const init = last && spec.outputInit === 'zero' ? { kind: 'zeros' as const } : fanInUniform(inDim, activation);
      return {
        inDim, outDim, activation,
        weight: params.add(`${prefix}.layers.${i}.weight`, [inDim, outDim], { init, decay: true }),
        bias: params.add(`${prefix}.layers.${i}.bias`, [outDim], { init: { kind: 'zeros' }, decay: false }),
      };
    });
  }

  get inDim(): number {
    return this.spec.sizes[0];
  }

  get outDim(): number {
    return this.spec.sizes[this.spec.sizes.length - 1];
  }

  /**
   * Compiles the kernels (autotuning each product at the capacity) and allocates activations for
   * batches of up to `maxStates` rows; with `backward`, also the gradient scratch. Plans share the
   * module's parameters; any number may live at once.
   */
  async plan(gpu: Gpu, options: MlpPlanOptions): Promise<MlpPlan> {
    const p = await MlpPlan.create(this, gpu, options, () => this.plans.delete(p));
    this.plans.add(p);
    return p;
  }

  /** Destroys every plan still alive. */
  destroy(): void {
    for (const p of [...this.plans]) p.destroy();
  }
}

/** An MLP's kernels and buffers for batches of up to `capacity.maxStates` rows. */
export class MlpPlan {
  /** Rows of the last recorded forward. */
  rows = 0;
  private lastInput: Tensor | null = null;
  private destroyed = false;

  private constructor(
    private readonly gpu: Gpu,
    readonly mlp: Mlp,
    readonly capacity: Readonly<Required<MlpPlanOptions>>,
    private readonly state: LayerState[],
    private readonly onDestroy: () => void,
  ) {}

  static async create(mlp: Mlp, gpu: Gpu, options: MlpPlanOptions, onDestroy: () => void): Promise<MlpPlan> {
    const maxRows = options.maxStates;
    assertCount(maxRows, `${mlp.prefix}: plan maxStates`);
    const backward = !!options.backward;
    const cap = {
      maxStates: maxRows, maxCandidates: options.maxCandidates ?? 0, backward,
      inputGrad: backward && !!options.inputGrad, accumulateGrads: backward && !!options.accumulateGrads,
      inputActivation: options.inputActivation ?? 'identity',
    };
    const layers = mlp.layers;
    const denses = await Promise.all(layers.map((l, i) => PreparedDense.create(gpu, { maxRows, inDim: l.inDim, outDim: l.outDim, activation: l.activation }, {
      backward, inputGrad: backward && (i > 0 || cap.inputGrad), accumulateGrads: cap.accumulateGrads,
      // A one-output layer takes its input gradient through the previous activation in one pass.
      inputActivation: i > 0 ? layers[i - 1].activation : cap.inputActivation,
    })));
    const name = (what: string, i: number) => `${mlp.prefix}.${what}${i}`;
    const state = layers.map((l, i) => ({
      dense: denses[i],
      y: gpu.empty([maxRows, l.outDim], 'f32', name('y', i)),
      z: keepsPreActivation(l.activation) ? gpu.empty([maxRows, l.outDim], 'f32', name('z', i)) : undefined,
      dz: backward && l.activation !== 'identity' ? gpu.empty([maxRows, l.outDim], 'f32', name('dz', i)) : undefined,
      dx: backward && (i > 0 || cap.inputGrad) ? gpu.empty([maxRows, l.inDim], 'f32', name('dx', i)) : undefined,
    }));
    return new MlpPlan(gpu, mlp, cap, state, onDestroy);
  }

  private ensure(): void {
    if (this.destroyed) throw new Error(`${this.mlp.prefix}: this plan was destroyed`);
    if (!this.mlp.params.built) throw new Error(`${this.mlp.prefix}: call params.build() before recording`);
  }

  /**
   * Records the forward pass on the first `rows` rows of x (≥ rows × inDim elements); returns the
   * output buffer (owned by the plan; its first rows × outDim elements are this batch's).
   */
  forward(x: Tensor, rows: number): Tensor {
    this.ensure();
    assertWithin(rows, this.capacity.maxStates, `${this.mlp.prefix} batch rows`);
    let h = x;
    this.lastInput = x;
    this.rows = rows;
    this.mlp.layers.forEach((l, i) => {
      const s = this.state[i];
      s.dense.forward(h, l.weight.value, l.bias.value, s.y, s.z, rows);
      h = s.y;
    });
    return h;
  }

  /**
   * Records the backward pass for dy = ∂L/∂output (after `forward` in the same step, same rows);
   * writes every layer's gradient and returns ∂L/∂input when planned with inputGrad (or, when
   * `inputGradIsPreActivation`, ∂L/∂ of the input's pre-activation; `savedInput` is then the
   * input's Y, or Z for GELU).
   */
  backward(dy: Tensor, savedInput?: Tensor): Tensor | undefined {
    this.ensure();
    if (!this.capacity.backward) throw new Error(`${this.mlp.prefix}: this is an inference plan (backward: false); it has no gradients`);
    if (!this.lastInput) throw new Error(`${this.mlp.prefix}: backward() before forward()`);
    const rows = this.rows;
    let g = dy;
    let pre = false;
    const layers = this.mlp.layers;
    for (let i = layers.length - 1; i >= 0; i--) {
      const l = layers[i], s = this.state[i];
      const x = i > 0 ? this.state[i - 1].y : this.lastInput;
      const prevSaved = i > 0 ? this.state[i - 1].z ?? this.state[i - 1].y : savedInput;
      s.dense.backward({
        rows, x, w: l.weight.value, saved: s.z ?? s.y, dy: g, dyIsPreActivation: pre, dz: s.dz, dW: l.weight.grad, db: l.bias.grad, dx: s.dx,
        savedInput: s.dense.fusesInputActivation ? prevSaved : undefined,
      });
      if (s.dx) {
        g = s.dx;
        pre = s.dense.fusesInputActivation;
      }
    }
    return this.state[0].dx;
  }

  /** Whether backward()'s result already went through the input's activation (see MlpPlanOptions). */
  get inputGradIsPreActivation(): boolean {
    return this.state[0]?.dense.fusesInputActivation ?? false;
  }

  /** The output buffer of the last forward (valid until the next one; first rows × outDim elements). */
  get output(): Tensor {
    return this.state[this.state.length - 1].y;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const s of this.state) {
      s.dense.destroy();
      this.gpu.release(s.y, s.z, s.dz, s.dx);
    }
    this.onDestroy();
  }
}
