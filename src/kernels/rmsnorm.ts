// RMSNorm over the last dimension, forward and backward (shaders/rmsnorm.wgsl). A plan serves any
// number of rows up to its capacity and owns the scratch for the weight gradient's column sums.

import type { Gpu, Tensor } from '../gpu';
import { assertCount, assertFits, assertWithin, grid1d } from './grid';

const WG = 64;
/** Weight-gradient column sums: rows per partial at least this, and at most this many partials. */
const MIN_ROWS_PER_CHUNK = 16;
const MAX_CHUNKS = 256;

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

export function rmsNormChunks(rows: number): { chunks: number; rowsPerChunk: number } {
  const rowsPerChunk = Math.max(MIN_ROWS_PER_CHUNK, Math.ceil(rows / MAX_CHUNKS));
  return { chunks: Math.ceil(rows / rowsPerChunk), rowsPerChunk };
}

export class RmsNorm {
  private constructor(
    private readonly gpu: Gpu,
    readonly spec: RmsNormSpec,
    private readonly pipes: Record<'forward' | 'backward_input' | 'weight_partial' | 'weight_combine', GPUComputePipeline>,
    private readonly partials: Tensor,
  ) {}

  static async create(gpu: Gpu, spec: RmsNormSpec): Promise<RmsNorm> {
    assertCount(spec.dim, 'RMSNorm width');
    assertCount(spec.maxRows, 'RMSNorm capacity (rows)');
    if (!(spec.eps > 0)) throw new RangeError(`RMSNorm ε must be > 0, got ${spec.eps}`);
    const p = (entryPoint: string) => gpu.pipeline({ shader: 'rmsnorm', entryPoint, constants: { WG } });
    const [forward, backward_input, weight_partial, weight_combine] = await Promise.all(
      [p('forward'), p('backward_input'), p('weight_partial'), p('weight_combine')]);
    const partials = gpu.empty([rmsNormChunks(spec.maxRows).chunks * spec.dim], 'f32', 'rmsnorm-partials');
    return new RmsNorm(gpu, spec, { forward, backward_input, weight_partial, weight_combine }, partials);
  }

  private params(rows: number, accumulate: boolean): GPUBuffer {
    const { chunks, rowsPerChunk } = rmsNormChunks(rows);
    return this.gpu.uniforms([rows, this.spec.dim, this.spec.eps, accumulate ? 1 : 0, rowsPerChunk, chunks, 0, 0],
      ['u32', 'u32', 'f32', 'u32', 'u32', 'u32', 'u32', 'u32']);
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
    const { chunks } = rmsNormChunks(rows);
    const u = this.params(rows, !!a.accumulateWeight);
    g.dispatch(this.pipes.weight_partial, [u, a.x, a.dy, a.rstd, this.partials], grid1d(chunks * this.spec.dim, WG), { label: 'rmsnorm-weight-partial' });
    g.dispatch(this.pipes.weight_combine, [u, this.partials, a.dweight], grid1d(this.spec.dim, WG), { label: 'rmsnorm-weight-combine' });
  }

  destroy(): void {
    this.gpu.release(this.partials);
  }
}
