// Causal multi-head self-attention over packed sequences, flash-attention style (shaders/attention.wgsl):
// forward saves o and the per-row log-sum-exp; backward recomputes the scores tile by tile. Memory
// is O(rows · heads); no rows × rows matrix exists at any point.

import { defineShaderConstants, type Gpu, type Tensor } from '../gpu';
import { assertCount, assertFits, assertWithin, grid1d } from './grid';

/** Invocations per workgroup the tiling aims for. */
const TARGET_WG = 64;
/** Tile heights tried, largest first; the largest whose workgroup memory fits the device wins. */
const TILES = [16, 8, 4] as const;
/** Head dimensions one invocation accumulates (the length of shaders/attention.wgsl's private arrays). */
const MAX_DPT = 32;
defineShaderConstants('attention.layout', { MAX_DPT });

export interface AttentionSpec {
  heads: number;
  /** Grouped-query attention: heads must be a multiple of kvHeads. */
  kvHeads: number;
  headDim: number;
  maxRows: number;
}

/** Where q, k and v sit in the rows of the one qkv buffer (and their gradients in dqkv). */
export interface QkvLayout {
  ld: number;
  qOff: number;
  kOff: number;
  vOff: number;
}

/** q heads, then k heads, then v heads: the output of one x·[W_q; W_k; W_v]ᵀ product. */
export function fusedQkvLayout(spec: Pick<AttentionSpec, 'heads' | 'kvHeads' | 'headDim'>): QkvLayout {
  const { heads: H, kvHeads: KV, headDim: hd } = spec;
  return { ld: (H + 2 * KV) * hd, qOff: 0, kOff: H * hd, vOff: (H + KV) * hd };
}

export interface AttentionTiling {
  tile: number;
  /** Invocations per tile row. */
  tpr: number;
  /** Bytes of workgroup memory of the largest entry point (backward_dkv). */
  workgroupBytes: number;
}

export function attentionWorkgroupBytes(tile: number, headDim: number): number {
  return 4 * (4 * tile * headDim + 2 * tile * tile + 2 * tile);
}

/** The largest tile that fits `maxWorkgroupBytes`, with TPR invocations per row dividing headDim. */
export function attentionTiling(headDim: number, maxWorkgroupBytes: number): AttentionTiling {
  for (const tile of TILES) {
    const workgroupBytes = attentionWorkgroupBytes(tile, headDim);
    if (workgroupBytes > maxWorkgroupBytes) continue;
    let tpr = TARGET_WG / tile;
    while (tpr > 1 && headDim % tpr !== 0) tpr /= 2;
    if (headDim / tpr > MAX_DPT) continue;
    return { tile, tpr, workgroupBytes };
  }
  throw new RangeError(`attention: head dimension ${headDim} does not fit the device's ${maxWorkgroupBytes} bytes of workgroup memory with any tile of ${TILES.join(', ')} rows`);
}

export interface AttentionForwardArgs {
  /** u32 per row: the first row of its sequence (see packRows). */
  start: Tensor<'u32'>;
  qkv: Tensor;
  /** Output [rows, heads·headDim]. */
  o: Tensor;
  /** Output [heads, rows]: log Σ_j e^{s_ij}, kept for the backward. */
  lse: Tensor;
}

export interface AttentionBackwardArgs {
  start: Tensor<'u32'>;
  qkv: Tensor;
  o: Tensor;
  /** ∂L/∂o [rows, heads·headDim]. */
  dO: Tensor;
  lse: Tensor;
  /** Output: ∂L/∂q, ∂L/∂k, ∂L/∂v at the q, k, v columns of the layout (others untouched). */
  dqkv: Tensor;
}

type Entry = 'forward' | 'backward_delta' | 'backward_dq' | 'backward_dkv';

export class Attention {
  private constructor(
    private readonly gpu: Gpu,
    readonly spec: AttentionSpec,
    readonly layout: QkvLayout,
    readonly tiling: AttentionTiling,
    private readonly pipes: Record<Entry, GPUComputePipeline>,
    private readonly delta: Tensor,
  ) {}

  static async create(gpu: Gpu, spec: AttentionSpec, layout: QkvLayout = fusedQkvLayout(spec)): Promise<Attention> {
    for (const k of ['heads', 'kvHeads', 'headDim', 'maxRows'] as const) assertCount(spec[k], `attention ${k}`);
    if (spec.heads % spec.kvHeads !== 0) throw new RangeError(`attention: heads (${spec.heads}) must be a multiple of kvHeads (${spec.kvHeads})`);
    const { heads: H, kvHeads: KV, headDim: hd } = spec;
    const spans: Array<[string, number, number]> = [['q', layout.qOff, H * hd], ['k', layout.kOff, KV * hd], ['v', layout.vOff, KV * hd]];
    for (const [name, off, width] of spans) {
      if (off + width > layout.ld) throw new RangeError(`attention: the ${name} columns [${off}, ${off + width}) overflow a qkv row of ${layout.ld}`);
    }
    const tiling = attentionTiling(hd, gpu.device.limits.maxComputeWorkgroupStorageSize);
    const constants = { HD: hd, TILE: tiling.tile, TPR: tiling.tpr };
    const entries: Entry[] = ['forward', 'backward_delta', 'backward_dq', 'backward_dkv'];
    const compiled = await Promise.all(entries.map((entryPoint) => gpu.pipeline({ shader: 'attention', entryPoint, constants })));
    const pipes = Object.fromEntries(entries.map((e, i) => [e, compiled[i]])) as Record<Entry, GPUComputePipeline>;
    return new Attention(gpu, spec, layout, tiling, pipes, gpu.empty([H * spec.maxRows], 'f32', 'attention-delta'));
  }

  private params(rows: number): GPUBuffer {
    assertWithin(rows, this.spec.maxRows, 'attention rows');
    const { heads, kvHeads, headDim } = this.spec;
    const { ld, qOff, kOff, vOff } = this.layout;
    return this.gpu.uniforms([rows, heads, heads / kvHeads, ld, qOff, kOff, vOff, 1 / Math.sqrt(headDim)],
      ['u32', 'u32', 'u32', 'u32', 'u32', 'u32', 'u32', 'f32']);
  }

  private check(rows: number, t: Partial<AttentionBackwardArgs>): void {
    const { heads, headDim } = this.spec;
    if (t.start) assertFits(t.start, rows, 'attention sequence starts', 'u32');
    if (t.qkv) assertFits(t.qkv, rows * this.layout.ld, 'attention qkv');
    if (t.dqkv) assertFits(t.dqkv, rows * this.layout.ld, 'attention dqkv');
    if (t.o) assertFits(t.o, rows * heads * headDim, 'attention output o');
    if (t.dO) assertFits(t.dO, rows * heads * headDim, 'attention ∂L/∂o');
    if (t.lse) assertFits(t.lse, rows * heads, 'attention log-sum-exp');
  }

  /** The query-tile grid: x over row tiles, y over heads (or kv heads). */
  private tiles(rows: number, y: number): [number, number] {
    return [Math.ceil(rows / this.tiling.tile), y];
  }

  forward(a: AttentionForwardArgs, rows: number): void {
    const u = this.params(rows);
    this.check(rows, a);
    this.gpu.dispatch(this.pipes.forward, [u, a.start, a.qkv, a.o, a.lse], this.tiles(rows, this.spec.heads), { label: 'attention-forward' });
  }

  backward(a: AttentionBackwardArgs, rows: number): void {
    const u = this.params(rows);
    this.check(rows, a);
    const g = this.gpu;
    const wg = this.tiling.tile * this.tiling.tpr;
    g.dispatch(this.pipes.backward_delta, [u, a.o, a.dO, this.delta], grid1d(rows * this.spec.heads, wg), { label: 'attention-backward-delta' });
    g.dispatch(this.pipes.backward_dq, [u, a.start, a.qkv, a.dO, a.lse, this.delta, a.dqkv], this.tiles(rows, this.spec.heads), { label: 'attention-backward-dq' });
    g.dispatch(this.pipes.backward_dkv, [u, a.start, a.qkv, a.dO, a.lse, this.delta, a.dqkv], this.tiles(rows, this.spec.kvHeads), { label: 'attention-backward-dkv' });
  }

  destroy(): void {
    this.gpu.release(this.delta);
  }
}
