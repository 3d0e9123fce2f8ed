// Column sums (optionally row-weighted and scaled) of a row-major matrix; see shaders/colsum.wgsl.

import type { Gpu, Tensor } from '../gpu';
import { assertCount, assertFits, assertSize, assertWithin, grid1d } from './grid';

const WG = 64;
/** Partial sums per column: enough chunks to fill the device, few enough for one combining loop. */
const TARGET_INVOCATIONS = 65536;
const MIN_ROWS_PER_CHUNK = 16;
const MAX_CHUNKS = 1024;

export interface ColsumShape {
  /** The most rows a recorded matrix may have (a record may give fewer). */
  rows: number;
  cols: number;
  /** Multiply each row by w[r] (w has `rows` elements). */
  weighted?: boolean;
  /** out[c] += … instead of out[c] = … */
  accumulate?: boolean;
}

/** Chunks before rounding: non-decreasing in `rows`, and never below the rounded count. */
function chunkBound(rows: number, cols: number): number {
  const byRows = Math.ceil(rows / MIN_ROWS_PER_CHUNK);
  const byWidth = Math.ceil(TARGET_INVOCATIONS / cols);
  return Math.max(1, Math.min(byRows, byWidth, MAX_CHUNKS));
}

export function colsumChunks(rows: number, cols: number): { P: number; rowsPerChunk: number } {
  const rowsPerChunk = Math.ceil(rows / chunkBound(rows, cols));
  return { P: Math.ceil(rows / rowsPerChunk), rowsPerChunk };
}

/** Column sums of matrices of up to `shape.rows` rows; each record sizes its chunks from its own rows. */
export class PreparedColsum {
  /** Partial rows allocated: enough for any row count up to the capacity. */
  readonly maxChunks: number;
  private readonly partials: Tensor;

  private constructor(
    private readonly gpu: Gpu,
    readonly shape: Required<ColsumShape>,
    private readonly partialPipe: GPUComputePipeline,
    private readonly combinePipe: GPUComputePipeline,
    private readonly dummy: Tensor,
  ) {
    this.maxChunks = chunkBound(shape.rows, shape.cols);
    this.partials = gpu.empty([this.maxChunks, shape.cols], 'f32', 'colsum-partials');
  }

  static async create(gpu: Gpu, shape: ColsumShape): Promise<PreparedColsum> {
    assertCount(shape.rows, 'colsum rows');
    assertCount(shape.cols, 'colsum cols');
    const s = { rows: shape.rows, cols: shape.cols, weighted: !!shape.weighted, accumulate: !!shape.accumulate };
    const constants = { WG, WEIGHTED: s.weighted ? 1 : 0, ACCUMULATE: s.accumulate ? 1 : 0 };
    const [p, c] = await Promise.all([
      gpu.pipeline({ shader: 'colsum', entryPoint: 'partial', constants }),
      gpu.pipeline({ shader: 'colsum', entryPoint: 'combine', constants }),
    ]);
    return new PreparedColsum(gpu, s, p, c, gpu.zeros([1], 'f32', 'colsum-no-weights'));
  }

  /** Records out = scale · Σ_r w[r]·X[r, :] (or out += …) over the first `rows` rows of X. */
  record(x: Tensor, out: Tensor, options: { weights?: Tensor; scale?: number; rows?: number } = {}): void {
    const { cols, weighted } = this.shape;
    const rows = options.rows ?? this.shape.rows;
    assertWithin(rows, this.shape.rows, 'colsum rows');
    assertFits(x, rows * cols, 'colsum input');
    assertSize(out, cols, 'colsum output');
    if (weighted !== !!options.weights) throw new RangeError(`colsum was prepared ${weighted ? 'with' : 'without'} row weights`);
    if (options.weights) assertFits(options.weights, rows, 'colsum row weights');
    const scale = options.scale ?? 1;
    const { P, rowsPerChunk } = colsumChunks(rows, cols);
    const u = this.gpu.uniforms([rows, cols, P, rowsPerChunk, scale, 0, 0, 0], ['u32', 'u32', 'u32', 'u32', 'f32']);
    this.gpu.dispatch(this.partialPipe, [u, x, options.weights ?? this.dummy, this.partials], grid1d(P * cols, WG), { label: 'colsum-partial' });
    this.gpu.dispatch(this.combinePipe, [u, this.partials, out], [Math.ceil(cols / WG)], { label: 'colsum-combine' });
  }

  destroy(): void {
    this.gpu.release(this.partials, this.dummy);
  }
}
