// One dense layer, forward and backward, for a fixed batch of rows:
//
//   forward:   Z = X·W + b,   Y = f(Z)                 X: rows×in, W: in×out, b: out
//   backward:  dZ = dY ⊙ f′,  dW (+)= Xᵀ·dZ,  db (+)= Σ_rows dZ,  dX = dZ·Wᵀ
//
// Wide layers use the matmul kernels (bias and activation fused into the forward epilogue;
// Xᵀ·dZ is the 'tn' form, dZ·Wᵀ the 'nt' form). A layer with one output (value, score and
// progress heads) is a matrix-vector product: it gets its own kernels (shaders/dense.wgsl), and
// its weight gradient is a row-weighted column sum (shaders/colsum.wgsl). GELU is not
// invertible, so a GELU layer keeps Z; relu and tanh differentiate from Y alone.
// Every method only records; nothing is submitted or read back.

import type { Gpu, Tensor } from '../gpu';
import { PreparedColsum } from './colsum';
import { assertCount, assertMatrix, assertSize, grid1d } from './grid';
import { ACTIVATION_CODE, prepareMatmul, type Activation, type PreparedMatmul } from './matmul';

export type { Activation } from './matmul';

const WG = 256;
/** Elementwise kernels loop with a grid stride; this many workgroups keep any device busy. */
const MAX_ELEMENTWISE_GROUPS = 4096;

export interface DenseShape {
  rows: number;
  inDim: number;
  outDim: number;
  activation: Activation;
}

export interface DenseOptions {
  /** dW and db are added to (gradient accumulation over micro-batches) instead of overwritten. */
  accumulateGrads?: boolean;
  /** Also compute dX (false for a network's first layer, whose input is data). */
  inputGrad?: boolean;
  /**
   * The activation that produced X. A one-output layer then returns, in dx, the gradient with
   * respect to X's pre-activation (dZₓ = dX ⊙ f′), fused into one pass; `savedInput` must be given
   * to backward. Wide layers ignore it (their dX comes from a matmul).
   */
  inputActivation?: Activation;
}

export interface DenseBackwardArgs {
  x: Tensor;
  w: Tensor;
  /** The forward output Y (relu, tanh) or pre-activation Z (gelu); unused for identity. */
  saved?: Tensor;
  dy: Tensor;
  /** Scratch for dZ (rows×out); unused for identity, where dZ = dY. */
  dz?: Tensor;
  dW: Tensor;
  db: Tensor;
  dx?: Tensor;
  /** dy already is ∂L/∂Z (the next layer fused this layer's activation): skip f′ here. */
  dyIsPreActivation?: boolean;
  /** For `fusesInputActivation` layers: X (relu, tanh) or its pre-activation (gelu). */
  savedInput?: Tensor;
}

/** Whether the layer's backward needs Z (only GELU: its f′ is not a function of Y). */
export function keepsPreActivation(activation: Activation): boolean {
  return activation === 'gelu';
}

/** The activation alone, elementwise: Y = f(Z) and dZ = dY ⊙ f′(S) (S = Y, or Z for GELU). */
export class PreparedActivation {
  private constructor(
    private readonly gpu: Gpu,
    readonly activation: Activation,
    private readonly fwd: GPUComputePipeline,
    private readonly bwd: GPUComputePipeline,
  ) {}

  static async create(gpu: Gpu, activation: Activation): Promise<PreparedActivation> {
    if (!(activation in ACTIVATION_CODE)) throw new RangeError(`unknown activation "${activation}"`);
    const constants = { WG, ACTIVATION: ACTIVATION_CODE[activation] };
    const [f, b] = await Promise.all([
      gpu.pipeline({ shader: 'dense', entryPoint: 'activate', constants }),
      gpu.pipeline({ shader: 'dense', entryPoint: 'act_backward', constants }),
    ]);
    return new PreparedActivation(gpu, activation, f, b);
  }

  private run(pipe: GPUComputePipeline, bindings: Tensor[], n: number, label: string): void {
    const u = this.gpu.uniforms([n, 0, 0, 0]);
    this.gpu.dispatch(pipe, [u, ...bindings], [Math.min(MAX_ELEMENTWISE_GROUPS, Math.ceil(n / WG))], { label });
  }

  forward(z: Tensor, y: Tensor): void {
    assertSize(y, z.size, 'activation output');
    this.run(this.fwd, [z, y], z.size, 'activate');
  }

  /** dz = dy ⊙ f′(saved); `saved` is Y for relu/tanh/identity, Z for GELU. */
  backward(saved: Tensor, dy: Tensor, dz: Tensor): void {
    assertSize(dy, saved.size, 'activation upstream gradient');
    assertSize(dz, saved.size, 'activation input gradient');
    this.run(this.bwd, [saved, dy, dz], saved.size, 'act-backward');
  }
}

export class PreparedDense {
  readonly narrow: boolean;
  private constructor(
    private readonly gpu: Gpu,
    readonly shape: DenseShape,
    readonly options: Required<DenseOptions>,
    private readonly k: {
      forward?: PreparedMatmul;      // wide: Z or Y = X·W + b (fused f unless gelu)
      weightGrad?: PreparedMatmul;   // wide: Xᵀ·dZ
      inputGrad?: PreparedMatmul;    // wide: dZ·Wᵀ
      narrow?: GPUComputePipeline;
      outer?: GPUComputePipeline;
      outerAct?: GPUComputePipeline; // narrow: dZₓ = (dz ⊗ w) ⊙ f′ₓ
      activate?: GPUComputePipeline; // gelu: Y = f(Z)
      actBackward?: GPUComputePipeline;
      wColsum?: PreparedColsum;      // narrow: dw = Σ_r dz[r]·X[r, :]
      bColsum: PreparedColsum;
    },
  ) {
    this.narrow = shape.outDim === 1;
  }

  static async create(gpu: Gpu, shape: DenseShape, options: DenseOptions = {}): Promise<PreparedDense> {
    const { rows, inDim, outDim, activation } = shape;
    assertCount(rows, 'dense rows');
    assertCount(inDim, 'dense input width');
    assertCount(outDim, 'dense output width');
    if (!(activation in ACTIVATION_CODE)) throw new RangeError(`unknown activation "${activation}"`);
    const opts = { accumulateGrads: !!options.accumulateGrads, inputGrad: !!options.inputGrad, inputActivation: options.inputActivation ?? 'identity' };
    if (!(opts.inputActivation in ACTIVATION_CODE)) throw new RangeError(`unknown activation "${opts.inputActivation}"`);
    const fused = keepsPreActivation(activation) ? 'identity' : activation;
    const code = ACTIVATION_CODE[activation];
    const pipe = (entryPoint: string, act = code) => gpu.pipeline({ shader: 'dense', entryPoint, constants: { WG, ACTIVATION: act } });
    const common = {
      activate: keepsPreActivation(activation) ? await pipe('activate') : undefined,
      actBackward: activation !== 'identity' ? await pipe('act_backward') : undefined,
      bColsum: await PreparedColsum.create(gpu, { rows, cols: outDim, accumulate: opts.accumulateGrads }),
    };
    if (outDim === 1) {
      return new PreparedDense(gpu, shape, opts, {
        ...common,
        narrow: await pipe('narrow', ACTIVATION_CODE[fused]),
        outer: opts.inputGrad ? await pipe('outer') : undefined,
        outerAct: opts.inputGrad && opts.inputActivation !== 'identity' ? await pipe('outer_act', ACTIVATION_CODE[opts.inputActivation]) : undefined,
        wColsum: await PreparedColsum.create(gpu, { rows, cols: inDim, weighted: true, accumulate: opts.accumulateGrads }),
      });
    }
    const dummyBias = { bias: gpu.zeros([outDim]) };
    const [forward, weightGrad, inputGrad] = await Promise.all([
      prepareMatmul(gpu, { M: rows, N: outDim, K: inDim, form: 'nn' }, { ...dummyBias, activation: fused }),
      prepareMatmul(gpu, { M: inDim, N: outDim, K: rows, form: 'tn' }, { accumulate: opts.accumulateGrads }),
      opts.inputGrad ? prepareMatmul(gpu, { M: rows, N: inDim, K: outDim, form: 'nt' }) : undefined,
    ]);
    gpu.release(dummyBias.bias);
    return new PreparedDense(gpu, shape, opts, { ...common, forward, weightGrad, inputGrad });
  }

  /** Size checks for every operand; wide layers also need exact 2-D shapes for the matmuls. */
  private check(t: Tensor, r: number, c: number, what: string): void {
    if (this.narrow) assertSize(t, r * c, what);
    else assertMatrix(t, r, c, what);
  }

  /** True when backward's dx is the gradient w.r.t. X's pre-activation (narrow layer, inputActivation set). */
  get fusesInputActivation(): boolean {
    return !!this.k.outerAct;
  }

  private elementwise(pipeline: GPUComputePipeline, bindings: Tensor[], n: number, label: string, cols = 0): void {
    const groups = Math.min(MAX_ELEMENTWISE_GROUPS, Math.ceil(n / WG));
    const u = this.gpu.uniforms([n, this.shape.rows, cols, 0]);
    this.gpu.dispatch(pipeline, [u, ...bindings], [groups], { label });
  }

  /** Records Y = f(X·W + b). With GELU, `z` receives X·W + b (the backward needs it). */
  forward(x: Tensor, w: Tensor, b: Tensor, y: Tensor, z?: Tensor): void {
    const { rows, inDim, outDim, activation } = this.shape;
    this.check(x, rows, inDim, 'dense input X');
    this.check(w, inDim, outDim, 'dense weight W');
    assertSize(b, outDim, 'dense bias b');
    this.check(y, rows, outDim, 'dense output Y');
    const keepZ = keepsPreActivation(activation);
    if (keepZ) {
      if (!z) throw new RangeError('a GELU layer needs a tensor for its pre-activation Z');
      this.check(z, rows, outDim, 'dense pre-activation Z');
    }
    const target = keepZ ? z! : y;
    if (this.narrow) {
      const u = this.gpu.uniforms([rows * inDim, rows, inDim, 0]);
      this.gpu.dispatch(this.k.narrow!, [u, x, w, b, target], grid1d(rows, WG), { label: 'dense-narrow' });
    } else {
      this.k.forward!.record(x, w, target, b);
    }
    if (keepZ) this.elementwise(this.k.activate!, [z!, y], rows * outDim, 'dense-activate');
  }

  /** Records dW, db (overwritten, or added to with accumulateGrads) and dX when prepared for it. */
  backward(a: DenseBackwardArgs): void {
    const { rows, inDim, outDim, activation } = this.shape;
    this.check(a.x, rows, inDim, 'dense input X');
    this.check(a.w, inDim, outDim, 'dense weight W');
    this.check(a.dy, rows, outDim, 'dense output gradient dY');
    this.check(a.dW, inDim, outDim, 'dense weight gradient dW');
    assertSize(a.db, outDim, 'dense bias gradient db');
    if (this.options.inputGrad) {
      if (!a.dx) throw new RangeError('this dense layer was prepared with inputGrad; give dx');
      this.check(a.dx, rows, inDim, 'dense input gradient dX');
    } else if (a.dx) {
      throw new RangeError('this dense layer was prepared without inputGrad; dx cannot be computed');
    }
    if (this.fusesInputActivation) {
      if (!a.savedInput) throw new RangeError(`this layer fuses the input's ${this.options.inputActivation} into dx: give savedInput`);
      assertSize(a.savedInput, rows * inDim, 'dense saved input activation');
    }
    let dz = a.dy;
    if (activation !== 'identity' && !a.dyIsPreActivation) {
      if (!a.saved || !a.dz) throw new RangeError(`a ${activation} layer's backward needs the saved ${keepsPreActivation(activation) ? 'Z' : 'Y'} and a dZ scratch tensor`);
      assertSize(a.saved, rows * outDim, 'dense saved activation');
      this.check(a.dz, rows, outDim, 'dense dZ scratch');
      this.elementwise(this.k.actBackward!, [a.saved, a.dy, a.dz], rows * outDim, 'dense-act-backward');
      dz = a.dz;
    }
    this.k.bColsum.record(dz, a.db);
    if (this.narrow) {
      this.k.wColsum!.record(a.x, a.dW, { weights: dz });
      if (a.dx && this.k.outerAct) this.elementwise(this.k.outerAct, [dz, a.w, a.savedInput!, a.dx], rows * inDim, 'dense-outer-act', inDim);
      else if (a.dx) this.elementwise(this.k.outer!, [dz, a.w, a.dx], rows * inDim, 'dense-outer', inDim);
    } else {
      this.k.weightGrad!.record(a.x, dz, a.dW);
      if (a.dx) this.k.inputGrad!.record(dz, a.w, a.dx);
    }
  }

  destroy(): void {
    this.k.bColsum.destroy();
    this.k.wColsum?.destroy();
  }
}
