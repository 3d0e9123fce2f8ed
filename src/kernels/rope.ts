// Rotary position embedding, in place, forward and backward (shaders/rope.wgsl). The plan holds
// the cos/sin table for every position up to maxPositions; batches pass their rows' positions.

import type { Gpu, Tensor } from '../gpu';
import { assertCount, assertFits, grid1d } from './grid';

const WG = 256;

export interface RopeSpec {
  headDim: number;
  theta: number;
  /** Positions 0 … maxPositions−1 are in the table. */
  maxPositions: number;
}

/** Which head vectors of each row to rotate: `heads` of them, from column `offset`, rows `ld` apart. */
export interface RopeLayout {
  rows: number;
  heads: number;
  ld: number;
  offset: number;
}

/**
 * invFreq_i = theta^(−2i/HD) rounded to float32 and θ = p·invFreq_i formed in float32, as the ONNX
 * graph and Hugging Face do; cos and sin of that θ in float64, rounded once.
 */
export function ropeAngle(position: number, pair: number, headDim: number, theta: number): number {
  const invFreq = Math.fround(1 / Math.pow(theta, (2 * pair) / headDim));
  return Math.fround(position * invFreq);
}

/** [position][pair] → (cos θ, sin θ), interleaved. */
export function ropeTable(spec: RopeSpec): Float32Array {
  const half = spec.headDim / 2;
  const out = new Float32Array(spec.maxPositions * half * 2);
  for (let p = 0; p < spec.maxPositions; p++) {
    for (let i = 0; i < half; i++) {
      const a = ropeAngle(p, i, spec.headDim, spec.theta);
      out[(p * half + i) * 2] = Math.cos(a);
      out[(p * half + i) * 2 + 1] = Math.sin(a);
    }
  }
  return out;
}

export class Rope {
  private constructor(
    private readonly gpu: Gpu,
    readonly spec: RopeSpec,
    private readonly pipe: GPUComputePipeline,
    private readonly table: Tensor,
  ) {}

  static async create(gpu: Gpu, spec: RopeSpec): Promise<Rope> {
    assertCount(spec.headDim, 'rotary head dimension');
    assertCount(spec.maxPositions, 'rotary table positions');
    if (spec.headDim % 2 !== 0) throw new RangeError(`rotary head dimension must be even, got ${spec.headDim}`);
    if (!(spec.theta > 0)) throw new RangeError(`rotary θ base must be > 0, got ${spec.theta}`);
    const pipe = await gpu.pipeline({ shader: 'rope', entryPoint: 'rotate', constants: { WG } });
    return new Rope(gpu, spec, pipe, gpu.tensor(ropeTable(spec)));
  }

  /**
   * Rotates in place: forward maps v to its rotated form; backward maps ∂L/∂(rotated v) to ∂L/∂v.
   * Positions must be < maxPositions; they are u32 per row (checked on the host by `packRows`' callers).
   */
  record(v: Tensor, positions: Tensor<'u32'>, layout: RopeLayout, direction: 'forward' | 'backward'): void {
    const half = this.spec.headDim / 2;
    const { rows, heads, ld, offset } = layout;
    assertCount(rows, 'rotary rows');
    assertCount(heads, 'rotary heads');
    if (offset + heads * this.spec.headDim > ld) throw new RangeError(`rotary heads [${offset}, ${offset + heads * this.spec.headDim}) overflow a row of ${ld}`);
    assertFits(v, (rows - 1) * ld + offset + heads * this.spec.headDim, 'rotary input');
    assertFits(positions, rows, 'rotary positions', 'u32');
    const u = this.gpu.uniforms([rows, heads, half, ld, offset, direction === 'forward' ? 1 : -1, 0, 0],
      ['u32', 'u32', 'u32', 'u32', 'u32', 'f32', 'u32', 'u32']);
    this.gpu.dispatch(this.pipe, [u, positions, this.table, v], grid1d(rows * heads * half, WG), { label: `rope-${direction}` });
  }

  /** Throws unless every position has a table entry. */
  checkPositions(positions: ArrayLike<number>): void {
    for (let i = 0; i < positions.length; i++) {
      if (positions[i] >= this.spec.maxPositions) throw new RangeError(`position ${positions[i]} at row ${i} is beyond the rotary table (${this.spec.maxPositions} positions)`);
    }
  }

  destroy(): void {
    this.gpu.release(this.table);
  }
}
