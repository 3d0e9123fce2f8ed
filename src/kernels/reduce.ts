// Sum and sum of squares of a whole tensor, on the GPU (see shaders/reduce.wgsl).

import type { Gpu, Tensor } from '../gpu';

export type ReduceOp = 'sum' | 'sumsq';

const WG = 256;
/** Partial sums: enough parallel slices to fill a GPU, few enough for one combining workgroup. */
export function partialCount(n: number): number {
  return Math.max(1, Math.min(4096, Math.ceil(n / 64)));
}

export class PreparedReduce {
  private constructor(
    private readonly gpu: Gpu,
    readonly op: ReduceOp,
    private readonly partialPipe: GPUComputePipeline,
    private readonly combinePipe: GPUComputePipeline,
  ) {}

  static async create(gpu: Gpu, op: ReduceOp): Promise<PreparedReduce> {
    const constants = { WG, SQUARE: op === 'sumsq' ? 1 : 0 };
    const [p, c] = await Promise.all([
      gpu.pipeline({ shader: 'reduce', entryPoint: 'partial', constants }),
      gpu.pipeline({ shader: 'reduce', entryPoint: 'combine', constants }),
    ]);
    return new PreparedReduce(gpu, op, p, c);
  }

  /**
   * Records out[outIndex] = Σ x (or Σ x²) over the first `n` elements of x (all of them by
   * default). `scratch` must hold partialCount(n) floats; it is allocated and released here when
   * not given.
   */
  record(x: Tensor, out: Tensor, outIndex = 0, scratch?: Tensor, n = x.size): void {
    if (x.dtype !== 'f32' || out.dtype !== 'f32') throw new TypeError('reduce works on f32 tensors');
    if (outIndex < 0 || outIndex >= out.size) throw new RangeError(`reduce: outIndex ${outIndex} outside an output of ${out.size}`);
    if (!Number.isInteger(n) || n < 0 || n > x.size) throw new RangeError(`reduce: ${n} elements asked of a tensor of ${x.size}`);
    const P = partialCount(n);
    if (scratch && scratch.size < P) throw new RangeError(`reduce: scratch holds ${scratch.size} floats, needs ${P}`);
    const s = scratch ?? this.gpu.empty([P]);
    const u = this.gpu.uniforms([n, P, outIndex, 0]);
    this.gpu.dispatch(this.partialPipe, [u, x, s], [Math.ceil(P / WG)], { label: `reduce-${this.op}-partial` });
    this.gpu.dispatch(this.combinePipe, [u, s, out], [1], { label: `reduce-${this.op}-combine` });
    if (!scratch) this.gpu.release(s);
  }
}

/** One-shot convenience: returns a 1-element tensor holding Σ x or Σ x². */
export async function reduce(gpu: Gpu, x: Tensor, op: ReduceOp = 'sum'): Promise<Tensor> {
  const r = await PreparedReduce.create(gpu, op);
  const out = gpu.empty([1]);
  r.record(x, out);
  return out;
}
