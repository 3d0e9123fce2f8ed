// Causal multi-head self-attention over packed sequences, flash-attention style (shaders/attention.wgsl):
// forward saves o and the per-row log-sum-exp; backward recomputes the scores tile by tile. Memory
// is O(rows · heads); no rows × rows matrix exists at any point.

import { defineShaderConstants, type Gpu, type Tensor } from '../gpu';
import { assertCount, assertFits, assertWithin } from './grid';

/** Invocations (query or key rows) per workgroup. */
const WG = 64;
/** Largest head dimension: the length, in floats, of shaders/attention.wgsl's private vectors. */
export const MAX_HEAD_DIM = 128;
/** Head vectors are read as vec4s. */
const VEC4 = 4;
defineShaderConstants('attention.layout', { MAX_HD4: MAX_HEAD_DIM / VEC4 });

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

type Entry = 'forward' | 'backward_dq' | 'backward_dkv';

export class Attention {
  private constructor(
    private readonly gpu: Gpu,
    readonly spec: AttentionSpec,
    readonly layout: QkvLayout,
    private readonly pipes: Record<Entry, GPUComputePipeline>,
    private readonly delta: Tensor,
  ) {}

  static async create(gpu: Gpu, spec: AttentionSpec, layout: QkvLayout = fusedQkvLayout(spec)): Promise<Attention> {
    for (const k of ['heads', 'kvHeads', 'headDim', 'maxRows'] as const) assertCount(spec[k], `attention ${k}`);
    if (spec.heads % spec.kvHeads !== 0) throw new RangeError(`attention: heads (${spec.heads}) must be a multiple of kvHeads (${spec.kvHeads})`);
    const { heads: H, kvHeads: KV, headDim: hd } = spec;
    if (hd % VEC4 !== 0 || hd > MAX_HEAD_DIM) throw new RangeError(`attention: the head dimension must be a multiple of ${VEC4} and at most ${MAX_HEAD_DIM}, got ${hd}`);
    for (const [name, v] of [['ld', layout.ld], ['qOff', layout.qOff], ['kOff', layout.kOff], ['vOff', layout.vOff]] as const) {
      if (v % VEC4 !== 0) throw new RangeError(`attention: the qkv layout's ${name} (${v}) must be a multiple of ${VEC4}`);
    }
    const spans: Array<[string, number, number]> = [['q', layout.qOff, H * hd], ['k', layout.kOff, KV * hd], ['v', layout.vOff, KV * hd]];
    for (const [name, off, width] of spans) {
      if (off + width > layout.ld) throw new RangeError(`attention: the ${name} columns [${off}, ${off + width}) overflow a qkv row of ${layout.ld}`);
    }
    const constants = { HD4: hd / VEC4, WG };
    const entries: Entry[] = ['forward', 'backward_dq', 'backward_dkv'];
    const compiled = await Promise.all(entries.map((entryPoint) => gpu.pipeline({ shader: 'attention', entryPoint, constants })));
    const pipes = Object.fromEntries(entries.map((e, i) => [e, compiled[i]])) as Record<Entry, GPUComputePipeline>;
    return new Attention(gpu, spec, layout, pipes, gpu.empty([H * spec.maxRows], 'f32', 'attention-delta'));
  }

  private params(rows: number): GPUBuffer {
    assertWithin(rows, this.spec.maxRows, 'attention rows');
    const { heads, kvHeads, headDim } = this.spec;
    const { ld, qOff, kOff, vOff } = this.layout;
    return this.gpu.uniforms([rows, heads, heads / kvHeads, ld / VEC4, qOff / VEC4, kOff / VEC4, vOff / VEC4, 1 / Math.sqrt(headDim)],
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

  /** The grid: x over rows (one invocation each), y over heads (or kv heads). */
  private grid(rows: number, y: number): [number, number] {
    return [Math.ceil(rows / WG), y];
  }

  forward(a: AttentionForwardArgs, rows: number): void {
    const u = this.params(rows);
    this.check(rows, a);
    this.gpu.dispatch(this.pipes.forward, [u, a.start, a.qkv, a.o, a.lse], this.grid(rows, this.spec.heads), { label: 'attention-forward' });
  }

  backward(a: AttentionBackwardArgs, rows: number): void {
    const u = this.params(rows);
    this.check(rows, a);
    const g = this.gpu;
    g.dispatch(this.pipes.backward_dq, [u, a.start, a.qkv, a.o, a.dO, a.lse, this.delta, a.dqkv], this.grid(rows, this.spec.heads), { label: 'attention-backward-dq' });
    g.dispatch(this.pipes.backward_dkv, [u, a.start, a.qkv, a.dO, a.lse, this.delta, a.dqkv], this.grid(rows, this.spec.kvHeads), { label: 'attention-backward-dkv' });
  }

  destroy(): void {
    this.gpu.release(this.delta);
  }
}
