// Step-level GAE over ragged trajectories and masked whitening (shaders/gae.wgsl).

import { defineShaderConstants, type Gpu, type Tensor } from '../gpu';
import { assertCount, assertFits, assertSize, assertWithin, grid1d } from './grid';
import type { Segments } from './segments';
import { slotConstants } from './shader-layout';

const WG = 64;
const CHUNK = 64;
/** Whitening statistics written by PreparedWhiten: mean, (unbiased) variance, count, std. */
export const WHITEN_STATS = { mean: 0, variance: 1, count: 2, std: 3 } as const;
defineShaderConstants('gae.layout', slotConstants('STAT', WHITEN_STATS));

export interface GaeArgs {
  gamma: number;
  lambda: number;
  /** r_t per step. */
  rewards: Tensor;
  /** V(s_t) per step (the critic's values at collection time). */
  values: Tensor;
  /** Per trajectory: 0 if it ended, else the value of the state after its last step. */
  bootstrap: Tensor;
  advantages: Tensor;
  returns: Tensor;
  /** Write G_t at returns[t·stride + offset] (default 1, 0): e.g. straight into the PPO batch's return column. */
  returnsLayout?: { stride: number; offset: number };
}

function layoutOf(l: { stride: number; offset: number } | undefined, n: number, out: Tensor, what: string): [number, number] {
  const { stride, offset } = l ?? { stride: 1, offset: 0 };
  if (!Number.isInteger(stride) || stride < 1 || !Number.isInteger(offset) || offset < 0 || offset >= stride) {
    throw new RangeError(`${what}: layout needs an integer stride ≥ 1 and 0 ≤ offset < stride, got ${stride}, ${offset}`);
  }
  if (out.dtype !== 'f32' || out.size < n * stride) throw new RangeError(`${what} has ${out.size} elements, needs at least ${n}×${stride}`);
  return [stride, offset];
}

export class PreparedGae {
  private constructor(private readonly gpu: Gpu, private readonly pipe: GPUComputePipeline) {}

  static async create(gpu: Gpu): Promise<PreparedGae> {
    return new PreparedGae(gpu, await gpu.pipeline({ shader: 'gae', entryPoint: 'gae', constants: { WG } }));
  }

  record(traj: Segments, a: GaeArgs): void {
    for (const [k, v] of [['γ', a.gamma], ['λ', a.lambda]] as const) {
      if (!(v >= 0 && v <= 1)) throw new RangeError(`GAE: ${k} must be in [0, 1], got ${v}`);
    }
    const { count, total } = traj;
    assertFits(a.rewards, total, 'GAE rewards');
    assertFits(a.values, total, 'GAE values');
    assertFits(a.bootstrap, count, 'GAE bootstrap values (one per trajectory)');
    assertFits(a.advantages, total, 'GAE advantages output');
    const [stride, offset] = layoutOf(a.returnsLayout, total, a.returns, 'GAE returns output');
    const u = this.gpu.uniforms([count, 0, 0, 0, a.gamma, a.lambda, stride, offset], ['u32', 'u32', 'u32', 'u32', 'f32', 'f32', 'u32', 'u32']);
    this.gpu.dispatch(this.pipe, [u, traj.offsets, a.rewards, a.values, a.bootstrap, a.advantages, a.returns], grid1d(count, WG), { label: 'gae' });
  }
}

/**
 * out = mask·(x − μ)/√(σ² + 1e-8) with the masked mean and unbiased variance; stats ← [μ, σ², n, σ].
 * Prepared for up to `n` elements; each record whitens its own length.
 */
export class PreparedWhiten {
  private readonly maxChunks: number;
  private readonly partials: Tensor;
  private constructor(
    private readonly gpu: Gpu,
    readonly n: number,
    private readonly p: Record<'moments' | 'combine_mean' | 'centred' | 'combine_var' | 'apply', GPUComputePipeline>,
  ) {
    this.maxChunks = Math.ceil(n / CHUNK);
    this.partials = gpu.empty([this.maxChunks * 2], 'f32', 'whiten-partials');
  }

  static async create(gpu: Gpu, n: number): Promise<PreparedWhiten> {
    assertCount(n, 'whitening length');
    const names = ['moments', 'combine_mean', 'centred', 'combine_var', 'apply'] as const;
    const pipes = await Promise.all(names.map((entryPoint) => gpu.pipeline({ shader: 'gae', entryPoint, constants: entryPoint.startsWith('combine') ? {} : { WG } })));
    return new PreparedWhiten(gpu, n, Object.fromEntries(names.map((k, i) => [k, pipes[i]])) as PreparedWhiten['p']);
  }

  /** `outLayout` places x̂_j at out[j·stride + offset] (e.g. the PPO batch's advantage column); `n` elements (default: the capacity). */
  record(x: Tensor, mask: Tensor, out: Tensor, stats: Tensor, outLayout?: { stride: number; offset: number }, n = this.n): void {
    assertWithin(n, this.n, 'whitening length');
    assertFits(x, n, 'whitening input');
    assertFits(mask, n, 'whitening mask');
    const [stride, offset] = layoutOf(outLayout, n, out, 'whitening output');
    assertSize(stats, 4, 'whitening statistics');
    if (out.buffer === x.buffer && (out.byteOffset ?? 0) === (x.byteOffset ?? 0)) throw new RangeError('whitening cannot run in place (x is read after out is written)');
    const g = this.gpu;
    const chunks = Math.ceil(n / CHUNK);
    const u = g.uniforms([n, CHUNK, chunks, 0, 0, 0, stride, offset]);
    const chunksGrid = grid1d(chunks, WG);
    g.dispatch(this.p.moments, [u, x, mask, this.partials], chunksGrid, { label: 'whiten-moments' });
    g.dispatch(this.p.combine_mean, [u, this.partials, stats], [1], { label: 'whiten-mean' });
    g.dispatch(this.p.centred, [u, x, mask, stats, this.partials], chunksGrid, { label: 'whiten-centred' });
    g.dispatch(this.p.combine_var, [u, this.partials, stats], [1], { label: 'whiten-var' });
    g.dispatch(this.p.apply, [u, x, mask, stats, out], grid1d(n, WG), { label: 'whiten-apply' });
  }

  destroy(): void {
    this.gpu.release(this.partials);
  }
}
