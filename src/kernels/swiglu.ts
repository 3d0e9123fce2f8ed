// The SwiGLU activation of the Llama MLP on the fused gate|up product (shaders/swiglu.wgsl). The
// MLP's matmuls are the matmul kernels: with W_gate and W_up stored one after the other, one
// product x·[W_gate; W_up]ᵀ gives the [rows, 2I] input here, and dgu feeds one product back.

import type { Gpu, Tensor } from '../gpu';
import './activation'; // declares the ACT_* codes that shaders/lib/activation.wgsl (σ) includes
import { assertCount, assertFits, assertWithin, grid1d } from './grid';

const WG = 256;

export interface SwiGluSpec {
  /** I: the MLP's intermediate width (gu rows hold 2I values). */
  inner: number;
  maxRows: number;
}

export class SwiGlu {
  private constructor(
    private readonly gpu: Gpu,
    readonly spec: SwiGluSpec,
    private readonly fwd: GPUComputePipeline,
    private readonly bwd: GPUComputePipeline,
  ) {}

  static async create(gpu: Gpu, spec: SwiGluSpec): Promise<SwiGlu> {
    assertCount(spec.inner, 'SwiGLU width');
    assertCount(spec.maxRows, 'SwiGLU capacity (rows)');
    const p = (entryPoint: string) => gpu.pipeline({ shader: 'swiglu', entryPoint, constants: { WG } });
    const [f, b] = await Promise.all([p('forward'), p('backward')]);
    return new SwiGlu(gpu, spec, f, b);
  }

  private params(rows: number, tensors: Record<string, Tensor>): GPUBuffer {
    assertWithin(rows, this.spec.maxRows, 'SwiGLU rows');
    const I = this.spec.inner;
    for (const [name, t] of Object.entries(tensors)) assertFits(t, rows * (name.endsWith('gu') ? 2 * I : I), `SwiGLU ${name}`);
    return this.gpu.uniforms([rows, I, 0, 0]);
  }

  /** act = silu(gate)·up. */
  forward(a: { gu: Tensor; act: Tensor }, rows: number): void {
    const u = this.params(rows, a);
    this.gpu.dispatch(this.fwd, [u, a.gu, a.act], grid1d(rows * this.spec.inner, WG), { label: 'swiglu-forward' });
  }

  /** dgu = [∂L/∂gate | ∂L/∂up] from dact = ∂L/∂act. */
  backward(a: { gu: Tensor; dact: Tensor; dgu: Tensor }, rows: number): void {
    const u = this.params(rows, a);
    this.gpu.dispatch(this.bwd, [u, a.gu, a.dact, a.dgu], grid1d(rows * this.spec.inner, WG), { label: 'swiglu-backward' });
  }
}
