// Row operations over ragged sets (see shaders/segment.wgsl): the policy adapter's split first
// layer (state half broadcast onto each candidate) and its backward (sum over each set). Sizes
// come from the segments, so capacity buffers larger than the batch are fine.

import type { Gpu, Tensor } from '../gpu';
import { assertCount, assertFits, grid1d } from './grid';
import { ACTIVATION_CODE, type Activation } from './matmul';
import type { Segments } from './segments';

const WG = 256;

export class PreparedSegmentRows {
  private constructor(
    private readonly gpu: Gpu,
    readonly cols: number,
    readonly activation: Activation,
    private readonly broadcastPipe: GPUComputePipeline,
    private readonly sumPipe: GPUComputePipeline,
  ) {}

  static async create(gpu: Gpu, cols: number, activation: Activation = 'identity'): Promise<PreparedSegmentRows> {
    assertCount(cols, 'segment columns');
    const constants = { WG, ACTIVATION: ACTIVATION_CODE[activation] };
    const [b, s] = await Promise.all([
      gpu.pipeline({ shader: 'segment', entryPoint: 'broadcast', constants }),
      gpu.pipeline({ shader: 'segment', entryPoint: 'sum', constants }),
    ]);
    return new PreparedSegmentRows(gpu, cols, activation, b, s);
  }

  /** Records A ← A + S[set] (in place: A becomes Z) and Y = f(Z), for every row of every set. */
  broadcast(seg: Segments, perSet: Tensor, perRow: Tensor, y: Tensor): void {
    const C = this.cols;
    assertFits(perSet, seg.count * C, 'segment per-set rows');
    assertFits(perRow, seg.total * C, 'segment per-row input');
    assertFits(y, seg.total * C, 'segment output');
    const u = this.gpu.uniforms([seg.count, C, 0, 0]);
    this.gpu.dispatch(this.broadcastPipe, [u, seg.offsets, perSet, perRow, y], grid1d(seg.count * C, WG), { label: 'segment-broadcast' });
  }

  /** Records T[s] = Σ_{rows j of set s} G[j]. */
  sum(seg: Segments, g: Tensor, t: Tensor): void {
    const C = this.cols;
    assertFits(g, seg.total * C, 'segment-sum input');
    assertFits(t, seg.count * C, 'segment-sum output');
    const u = this.gpu.uniforms([seg.count, C, 0, 0]);
    this.gpu.dispatch(this.sumPipe, [u, seg.offsets, g, t], grid1d(seg.count * C, WG), { label: 'segment-sum' });
  }
}
