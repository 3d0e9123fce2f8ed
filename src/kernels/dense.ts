// One dense layer, forward and backward, for batches of up to `maxRows` rows:
//
//   forward:   Z = X·W + b,   Y = f(Z)                 X: rows×in, W: in×out, b: out
//   backward:  dZ = dY ⊙ f′,  dW (+)= Xᵀ·dZ,  db (+)= Σ_rows dZ,  dX = dZ·Wᵀ
//
// Wide layers use the matmul kernels (bias and activation fused into the forward epilogue;
// Xᵀ·dZ is the 'tn' form, dZ·Wᵀ the 'nt' form). A layer with one output (value, score and
// progress heads) is a matrix-vector product: it gets its own kernels (shaders/dense.wgsl), and
// its weight gradient is a row-weighted column sum (shaders/colsum.wgsl). GELU is not
// invertible, so a GELU layer keeps Z; relu and tanh differentiate from Y alone.
// Every method only records; nothing is submitted or read back. Each record takes its batch's row
// count: operands are capacity buffers of which the batch uses the first `rows` rows, the sizes go
// into the uniforms and the grid is sized from them.

import type { Gpu, Tensor } from '../gpu';
import { PreparedColsum } from './colsum';
import { assertCount, assertFits, assertSize, assertWithin, grid1d } from './grid';
import { ACTIVATION_CODE, prepareMatmul, type Activation, type PreparedMatmul } from './matmul';

export type { Activation } from './matmul';

const WG = 256;
/** Elementwise kernels loop with a grid stride; this many workgroups keep any device busy. */
const MAX_ELEMENTWISE_GROUPS = 4096;

export interface DenseShape {
  /** The most rows a batch may have. */
  maxRows: number;
  inDim: number;
  outDim: number;
  activation: Activation;
}

export interface DenseOptions {
  /** Prepare the backward pass (false: an inference-only layer, no gradient kernels). Default true. */
  backward?: boolean;
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
  /** Rows in this batch (default: the capacity). */
  rows?: number;
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

  /** Y = f(Z) over the first n elements (all of Z by default). */
  forward(z: Tensor, y: Tensor, n = z.size): void {
    assertFits(z, n, 'activation input');
    assertFits(y, n, 'activation output');
    this.run(this.fwd, [z, y], n, 'activate');
  }

  /** dz = dy ⊙ f′(saved) over the first n elements; `saved` is Y for relu/tanh/identity, Z for GELU. */
  backward(saved: Tensor, dy: Tensor, dz: Tensor, n = saved.size): void {
    assertFits(saved, n, 'activation saved values');
    assertFits(dy, n, 'activation upstream gradient');
    assertFits(dz, n, 'activation input gradient');
    this.run(this.bwd, [saved, dy, dz], n, 'act-backward');
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
      bColsum?: PreparedColsum;
    },
  ) {
    this.narrow = shape.outDim === 1;
  }

  static async create(gpu: Gpu, shape: DenseShape, options: DenseOptions = {}): Promise<PreparedDense> {
    const { maxRows: rows, inDim, outDim, activation } = shape;
    assertCount(rows, 'dense rows');
    assertCount(inDim, 'dense input width');
    assertCount(outDim, 'dense output width');
    if (!(activation in ACTIVATION_CODE)) throw new RangeError(`unknown activation "${activation}"`);
    const backward = options.backward ?? true;
    const opts = {
      backward,
      accumulateGrads: backward && !!options.accumulateGrads,
      inputGrad: backward && !!options.inputGrad,
      inputActivation: options.inputActivation ?? 'identity',
    };
    if (!(opts.inputActivation in ACTIVATION_CODE)) throw new RangeError(`unknown activation "${opts.inputActivation}"`);
    const fused = keepsPreActivation(activation) ? 'identity' : activation;
    const code = ACTIVATION_CODE[activation];
    const pipe = (entryPoint: string, act = code) => gpu.pipeline({ shader: 'dense', entryPoint, constants: { WG, ACTIVATION: act } });
    const common = {
      activate: keepsPreActivation(activation) ? await pipe('activate') : undefined,
      actBackward: backward && activation !== 'identity' ? await pipe('act_backward') : undefined,
      bColsum: backward ? await PreparedColsum.create(gpu, { rows, cols: outDim, accumulate: opts.accumulateGrads }) : undefined,
    };
    if (outDim === 1) {
      return new PreparedDense(gpu, shape, opts, {
        ...common,
        narrow: await pipe('narrow', ACTIVATION_CODE[fused]),
        outer: opts.inputGrad ? await pipe('outer') : undefined,
        outerAct: opts.inputGrad && opts.inputActivation !== 'identity' ? await pipe('outer_act', ACTIVATION_CODE[opts.inputActivation]) : undefined,
        wColsum: backward ? await PreparedColsum.create(gpu, { rows, cols: inDim, weighted: true, accumulate: opts.accumulateGrads }) : undefined,
      });
    }
    // The tuner times each product at the capacity: one choice per capacity bucket, made here.
    const [forward, weightGrad, inputGrad] = await Promise.all([
      prepareMatmul(gpu, { M: rows, N: outDim, K: inDim, form: 'nn' }, { hasBias: true, activation: fused }),
      backward ? prepareMatmul(gpu, { M: inDim, N: outDim, K: rows, form: 'tn' }, { accumulate: opts.accumulateGrads }) : undefined,
      opts.inputGrad ? prepareMatmul(gpu, { M: rows, N: inDim, K: outDim, form: 'nt' }) : undefined,
    ]);
    return new PreparedDense(gpu, shape, opts, { ...common, forward, weightGrad, inputGrad });
  }

  /** True when backward's dx is the gradient w.r.t. X's pre-activation (narrow layer, inputActivation set). */
  get fusesInputActivation(): boolean {
    return !!this.k.outerAct;
  }

  private elementwise(pipeline: GPUComputePipeline, bindings: Tensor[], n: number, rows: number, label: string, cols = 0): void {
    const groups = Math.min(MAX_ELEMENTWISE_GROUPS, Math.ceil(n / WG));
    const u = this.gpu.uniforms([n, rows, cols, 0]);
    this.gpu.dispatch(pipeline, [u, ...bindings], [groups], { label });
  }

  private rowsOf(rows: number | undefined): number {
    const r = rows ?? this.shape.maxRows;
    assertWithin(r, this.shape.maxRows, 'dense batch rows');
    return r;
  }

  /** Records Y = f(X·W + b) for the first `rows` rows. With GELU, `z` receives X·W + b (the backward needs it). */
  forward(x: Tensor, w: Tensor, b: Tensor, y: Tensor, z?: Tensor, rows?: number): void {
    const { inDim, outDim, activation } = this.shape;
    const r = this.rowsOf(rows);
    assertFits(x, r * inDim, 'dense input X');
    assertSize(w, inDim * outDim, 'dense weight W');
    assertSize(b, outDim, 'dense bias b');
    assertFits(y, r * outDim, 'dense output Y');
    const keepZ = keepsPreActivation(activation);
    if (keepZ) {
      if (!z) throw new RangeError('a GELU layer needs a tensor for its pre-activation Z');
      assertFits(z, r * outDim, 'dense pre-activation Z');
    }
    const target = keepZ ? z! : y;
    if (this.narrow) {
      const u = this.gpu.uniforms([r * inDim, r, inDim, 0]);
      this.gpu.dispatch(this.k.narrow!, [u, x, w, b, target], grid1d(r, WG), { label: 'dense-narrow' });
    } else {
      this.k.forward!.record(x, w, target, b, { M: r, N: outDim, K: inDim });
    }
    if (keepZ) this.elementwise(this.k.activate!, [z!, y], r * outDim, r, 'dense-activate');
  }

  /** Records dW, db (overwritten, or added to with accumulateGrads) and dX when prepared for it. */
  backward(a: DenseBackwardArgs): void {
    const { inDim, outDim, activation } = this.shape;
    if (!this.options.backward) throw new Error('this dense layer was prepared without its backward pass (backward: false)');
    const r = this.rowsOf(a.rows);
    assertFits(a.x, r * inDim, 'dense input X');
    assertSize(a.w, inDim * outDim, 'dense weight W');
    assertFits(a.dy, r * outDim, 'dense output gradient dY');
    assertSize(a.dW, inDim * outDim, 'dense weight gradient dW');
    assertSize(a.db, outDim, 'dense bias gradient db');
    if (this.options.inputGrad) {
      if (!a.dx) throw new RangeError('this dense layer was prepared with inputGrad; give dx');
      assertFits(a.dx, r * inDim, 'dense input gradient dX');
    } else if (a.dx) {
      throw new RangeError('this dense layer was prepared without inputGrad; dx cannot be computed');
    }
    if (this.fusesInputActivation) {
      if (!a.savedInput) throw new RangeError(`this layer fuses the input's ${this.options.inputActivation} into dx: give savedInput`);
      assertFits(a.savedInput, r * inDim, 'dense saved input activation');
    }
    let dz = a.dy;
    if (activation !== 'identity' && !a.dyIsPreActivation) {
      if (!a.saved || !a.dz) throw new RangeError(`a ${activation} layer's backward needs the saved ${keepsPreActivation(activation) ? 'Z' : 'Y'} and a dZ scratch tensor`);
      assertFits(a.saved, r * outDim, 'dense saved activation');
      assertFits(a.dz, r * outDim, 'dense dZ scratch');
      this.elementwise(this.k.actBackward!, [a.saved, a.dy, a.dz], r * outDim, r, 'dense-act-backward');
      dz = a.dz;
    }
    this.k.bColsum!.record(dz, a.db, { rows: r });
    if (this.narrow) {
      this.k.wColsum!.record(a.x, a.dW, { weights: dz, rows: r });
      if (a.dx && this.k.outerAct) this.elementwise(this.k.outerAct, [dz, a.w, a.savedInput!, a.dx], r * inDim, r, 'dense-outer-act', inDim);
      else if (a.dx) this.elementwise(this.k.outer!, [dz, a.w, a.dx], r * inDim, r, 'dense-outer', inDim);
    } else {
      this.k.weightGrad!.record(a.x, dz, a.dW, undefined, { M: inDim, N: outDim, K: r });
      if (a.dx) this.k.inputGrad!.record(dz, a.w, a.dx, undefined, { M: r, N: inDim, K: outDim });
    }
  }

  destroy(): void {
    this.k.bColsum?.destroy();
    this.k.wColsum?.destroy();
  }
}
