// RMSNorm over the last dimension, forward and backward (shaders/rmsnorm.wgsl). A plan serves any
// number of rows up to its capacity.

import type { Gpu, Tensor } from '../gpu';
import { assertCount, assertFits, assertWithin, grid1d } from './grid';

const WG = 64;

export interface RmsNormSpec {
  dim: number;
  eps: number;
  maxRows: number;
}

export interface RmsNormForwardArgs {
  x: Tensor;
  weight: Tensor;
  /** Output [rows, dim]. */
  y: Tensor;
  /** Output: ρ per row, kept for the backward. */
  rstd: Tensor;
}

export interface RmsNormBackwardArgs {
  x: Tensor;
  weight: Tensor;
  rstd: Tensor;
  dy: Tensor;
  /** ∂L/∂x, written, or added to when `accumulateInput` (the residual stream's gradient). */
  dx: Tensor;
  /** ∂L/∂w, written, or added to when `accumulateWeight`. */
  dweight: Tensor;
  accumulateInput?: boolean;
  accumulateWeight?: boolean;
}

export class RmsNorm {
  private constructor(
    private readonly gpu: Gpu,
    readonly spec: RmsNormSpec,
    private readonly pipes: Record<'forward' | 'backward_input' | 'weight', GPUComputePipeline>,
  ) {}

  static async create(gpu: Gpu, spec: RmsNormSpec): Promise<RmsNorm> {
    assertCount(spec.dim, 'RMSNorm width');
    assertCount(spec.maxRows, 'RMSNorm capacity (rows)');
    if (!(spec.eps > 0)) throw new RangeError(`RMSNorm ε must be > 0, got ${spec.eps}`);
    const p = (entryPoint: string) => gpu.pipeline({ shader: 'rmsnorm', entryPoint, constants: { WG } });
    const [forward, backward_input, weight] = await Promise.all([p('forward'), p('backward_input'), p('weight')]);
    return new RmsNorm(gpu, spec, { forward, backward_input, weight });
  }

  private params(rows: number, accumulate: boolean): GPUBuffer {
    return this.gpu.uniforms([rows, this.spec.dim, this.spec.eps, accumulate ? 1 : 0], ['u32', 'u32', 'f32', 'u32']);
  }

  private check(rows: number, tensors: Record<string, Tensor>): void {
    assertWithin(rows, this.spec.maxRows, 'RMSNorm rows');
    const D = this.spec.dim;
    for (const [name, t] of Object.entries(tensors)) {
      const n = name === 'weight' || name === 'dweight' ? D : name === 'rstd' ? rows : rows * D;
      assertFits(t, n, `RMSNorm ${name}`);
    }
  }

  forward(a: RmsNormForwardArgs, rows: number): void {
    this.check(rows, { x: a.x, weight: a.weight, y: a.y, rstd: a.rstd });
    this.gpu.dispatch(this.pipes.forward, [this.params(rows, false), a.x, a.weight, a.y, a.rstd], grid1d(rows, WG), { label: 'rmsnorm-forward' });
  }

  backward(a: RmsNormBackwardArgs, rows: number): void {
    this.check(rows, { x: a.x, weight: a.weight, rstd: a.rstd, dy: a.dy, dx: a.dx, dweight: a.dweight });
    const g = this.gpu;
    g.dispatch(this.pipes.backward_input, [this.params(rows, !!a.accumulateInput), a.x, a.weight, a.rstd, a.dy, a.dx], grid1d(rows, WG), { label: 'rmsnorm-backward-input' });
    g.dispatch(this.pipes.weight, [this.params(rows, !!a.accumulateWeight), a.x, a.dy, a.rstd, a.dweight], grid1d(this.spec.dim, WG), { label: 'rmsnorm-weight' });
  }

  /** Nothing to free (kept so plans treat every kernel alike). */
  destroy(): void {}
}
