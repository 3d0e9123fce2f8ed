// A multilayer perceptron of any depth over a ParamSet: dense layers with a hidden activation and
// an output activation. `prepare` fixes the batch size (compiling kernels, allocating activations);
// `forward` and `backward` only record, so a whole update step becomes one submit.

import type { Gpu, Tensor } from '../gpu';
import { keepsPreActivation, PreparedDense, type Activation } from '../kernels/dense';
import { asMatrix } from '../kernels/grid';
import { fanInUniform } from './init';
import type { Param, ParamSet } from './params';

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

export interface MlpPrepareOptions {
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
  private gpu: Gpu | null = null;
  private state: LayerState[] = [];
  private prepared: { rows: number; inputGrad: boolean; accumulateGrads: boolean; inputActivation: Activation } | null = null;
  private lastInput: Tensor | null = null;

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

  get rows(): number {
    return this.prepared?.rows ?? 0;
  }

  /** Compiles and allocates for batches of `rows` rows; a no-op when already prepared for them. */
  async prepare(gpu: Gpu, rows: number, options: MlpPrepareOptions = {}): Promise<void> {
    const want = { rows, inputGrad: !!options.inputGrad, accumulateGrads: !!options.accumulateGrads, inputActivation: options.inputActivation ?? 'identity' };
    const p = this.prepared;
    if (p && this.gpu === gpu && p.rows === want.rows && p.inputGrad === want.inputGrad && p.accumulateGrads === want.accumulateGrads && p.inputActivation === want.inputActivation) return;
    this.release();
    this.gpu = gpu;
    const denses = await Promise.all(this.layers.map((l, i) => PreparedDense.create(gpu, { rows, inDim: l.inDim, outDim: l.outDim, activation: l.activation }, {
      inputGrad: i > 0 || want.inputGrad, accumulateGrads: want.accumulateGrads,
      // A one-output layer takes its input gradient through the previous activation in one pass.
      inputActivation: i > 0 ? this.layers[i - 1].activation : want.inputActivation,
    })));
    this.state = this.layers.map((l, i) => ({
      dense: denses[i],
      y: gpu.empty([rows, l.outDim], 'f32', `${this.prefix}.y${i}`),
      z: keepsPreActivation(l.activation) ? gpu.empty([rows, l.outDim]) : undefined,
      dz: l.activation !== 'identity' ? gpu.empty([rows, l.outDim]) : undefined,
      dx: i > 0 || want.inputGrad ? gpu.empty([rows, l.inDim]) : undefined,
    }));
    this.prepared = want;
  }

  private ensure(): { rows: number } {
    if (!this.prepared || !this.params.built) throw new Error(`${this.prefix}: call params.build() and prepare() before recording`);
    return this.prepared;
  }

  /** Records the forward pass on x [rows × inDim]; returns the output [rows × outDim] (owned by the MLP). */
  forward(x: Tensor): Tensor {
    const { rows } = this.ensure();
    let h = asMatrix(x, rows, this.inDim, `${this.prefix} input`);
    this.lastInput = h;
    this.layers.forEach((l, i) => {
      const s = this.state[i];
      s.dense.forward(h, l.weight.value, l.bias.value, s.y, s.z);
      h = s.y;
    });
    return h;
  }

  /**
   * Records the backward pass for dy = ∂L/∂output (after `forward` in the same step); writes every
   * layer's gradient and returns ∂L/∂input when prepared with inputGrad (or, when
   * `inputGradIsPreActivation`, ∂L/∂ of the input's pre-activation; `savedInput` is then the
   * input's Y, or Z for GELU).
   */
  backward(dy: Tensor, savedInput?: Tensor): Tensor | undefined {
    const { rows } = this.ensure();
    if (!this.lastInput) throw new Error(`${this.prefix}: backward() before forward()`);
    let g = asMatrix(dy, rows, this.outDim, `${this.prefix} output gradient`);
    let pre = false;
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const l = this.layers[i], s = this.state[i];
      const x = i > 0 ? this.state[i - 1].y : this.lastInput;
      const prevSaved = i > 0 ? this.state[i - 1].z ?? this.state[i - 1].y : savedInput;
      s.dense.backward({
        x, w: l.weight.value, saved: s.z ?? s.y, dy: g, dyIsPreActivation: pre, dz: s.dz, dW: l.weight.grad, db: l.bias.grad, dx: s.dx,
        savedInput: s.dense.fusesInputActivation ? prevSaved : undefined,
      });
      if (s.dx) {
        g = s.dx;
        pre = s.dense.fusesInputActivation;
      }
    }
    return this.state[0].dx;
  }

  /** Whether backward()'s result already went through the input's activation (see MlpPrepareOptions). */
  get inputGradIsPreActivation(): boolean {
    return this.state[0]?.dense.fusesInputActivation ?? false;
  }

  /** The output of the last forward (valid until the next one). */
  get output(): Tensor {
    this.ensure();
    return this.state[this.state.length - 1].y;
  }

  private release(): void {
    if (!this.gpu) return;
    for (const s of this.state) {
      s.dense.destroy();
      this.gpu.release(s.y, s.z, s.dz, s.dx);
    }
    this.state = [];
    this.prepared = null;
  }

  destroy(): void {
    this.release();
  }
}
