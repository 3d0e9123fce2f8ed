// Row gather and scatter-add (shaders/embedding.wgsl): the token embedding's forward and backward,
// and picking the loss-carrying rows out of the hidden states and putting their gradients back.
// A plan holds index buffers for up to `maxRows` rows; each batch sets its indices, then records.

import type { Gpu, Tensor } from '../gpu';
import { assertCount, assertFits, assertWithin, grid1d } from './grid';

const WG = 256;

/** Rows grouped by the table row they read: group k = rows order[starts[k] … starts[k+1]) → table row uniq[k]. */
export interface RowGroups {
  uniq: Uint32Array;
  starts: Uint32Array;
  order: Uint32Array;
}

/**
 * Groups the rows by index with a stable counting sort, so the scatter-add sums each table row's
 * sources in row order without atomics. Throws on an index outside [0, tableRows).
 */
export function groupRows(index: ArrayLike<number>, tableRows: number): RowGroups {
  const counts = new Uint32Array(tableRows);
  for (let r = 0; r < index.length; r++) {
    const v = index[r];
    if (!Number.isInteger(v) || v < 0 || v >= tableRows) throw new RangeError(`index ${v} at row ${r} is outside the table's ${tableRows} rows`);
    counts[v]++;
  }
  const firstOf = new Uint32Array(tableRows);
  const uniq: number[] = [];
  const starts: number[] = [0];
  let at = 0;
  for (let v = 0; v < tableRows; v++) {
    if (counts[v] === 0) continue;
    firstOf[v] = at;
    at += counts[v];
    uniq.push(v);
    starts.push(at);
  }
  const order = new Uint32Array(index.length);
  for (let r = 0; r < index.length; r++) order[firstOf[index[r]]++] = r;
  return { uniq: Uint32Array.from(uniq), starts: Uint32Array.from(starts), order };
}

export interface RowGatherSpec {
  /** Values per row (the embedding width). */
  cols: number;
  /** Rows of the table (the vocabulary, or the hidden rows a loss mask selects from). */
  tableRows: number;
  /** The most rows one batch gathers. */
  maxRows: number;
}

export class RowGather {
  private rows = 0;
  private groups = 0;

  private constructor(
    private readonly gpu: Gpu,
    readonly spec: RowGatherSpec,
    private readonly gatherPipe: GPUComputePipeline,
    private readonly scatterPipe: GPUComputePipeline,
    private readonly index: Tensor<'u32'>,
    private readonly uniq: Tensor<'u32'>,
    private readonly starts: Tensor<'u32'>,
    private readonly order: Tensor<'u32'>,
  ) {}

  static async create(gpu: Gpu, spec: RowGatherSpec): Promise<RowGather> {
    assertCount(spec.cols, 'gather columns');
    assertCount(spec.tableRows, 'gather table rows');
    assertCount(spec.maxRows, 'gather capacity (rows)');
    const p = (entryPoint: string) => gpu.pipeline({ shader: 'embedding', entryPoint, constants: { WG } });
    const [g, s] = await Promise.all([p('gather'), p('scatter_add')]);
    const n = spec.maxRows;
    return new RowGather(gpu, spec, g, s,
      gpu.empty([n], 'u32', 'gather-index'), gpu.empty([n], 'u32', 'gather-uniq'),
      gpu.empty([n + 1], 'u32', 'gather-starts'), gpu.empty([n], 'u32', 'gather-order'));
  }

  /** The batch's indices (validated here, before anything reaches the GPU). */
  setIndex(index: ArrayLike<number>): void {
    assertWithin(index.length, this.spec.maxRows, 'gathered rows');
    const groups = groupRows(index, this.spec.tableRows);
    const g = this.gpu;
    g.write(this.index, Uint32Array.from(index as ArrayLike<number>));
    g.write(this.uniq, groups.uniq);
    g.write(this.starts, groups.starts);
    g.write(this.order, groups.order);
    this.rows = index.length;
    this.groups = groups.uniq.length;
  }

  get batchRows(): number {
    return this.rows;
  }

  private requireIndex(): void {
    if (this.rows === 0) throw new Error('RowGather: setIndex before recording');
  }

  /** out[r, :] = table[index[r], :] for the batch's rows. */
  gather(table: Tensor, out: Tensor): void {
    this.requireIndex();
    const { cols, tableRows } = this.spec;
    assertFits(table, tableRows * cols, 'gather table');
    assertFits(out, this.rows * cols, 'gather output');
    const u = this.gpu.uniforms([this.rows, cols, 0, 0]);
    this.gpu.dispatch(this.gatherPipe, [u, this.index, table, out], grid1d(this.rows * cols, WG), { label: 'embedding-gather' });
  }

  /** dtable[index[r], :] += src[r, :] for the batch's rows (the gather's backward). */
  scatterAdd(src: Tensor, dtable: Tensor): void {
    this.requireIndex();
    const { cols, tableRows } = this.spec;
    assertFits(src, this.rows * cols, 'scatter source');
    assertFits(dtable, tableRows * cols, 'scatter target');
    const u = this.gpu.uniforms([this.rows, cols, this.groups, 0]);
    this.gpu.dispatch(this.scatterPipe, [u, this.uniq, this.starts, this.order, src, dtable], grid1d(this.groups * cols, WG), { label: 'embedding-scatter-add' });
  }

  destroy(): void {
    this.gpu.release(this.index, this.uniq, this.starts, this.order);
  }
}
