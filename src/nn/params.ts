// A set of parameter tensors packed into one GPU buffer, with their gradients packed the same way
// into a second one. Each layer binds views into the two buffers; the optimiser updates the whole
// set in one dispatch. Tensors that take weight decay come first, so the optimiser applies decay
// to one prefix [0, decayEnd).

import { numel, tensorView, type Gpu, type Tensor } from '../gpu';
import { fillInit, type Init } from './init';

/** Slices start on 256-byte boundaries: WebGPU's largest minStorageBufferOffsetAlignment. */
export const PARAM_ALIGN = 64;

export interface ParamOptions {
  init: Init;
  /** Weight decay applies (weights: yes; biases: no). */
  decay: boolean;
}

export class Param {
  /** Element offset in the packed buffers (set by ParamSet.build). */
  offset = -1;
  private set_: ParamSet;
  constructor(set: ParamSet, readonly name: string, readonly shape: readonly number[], readonly options: ParamOptions) {
    this.set_ = set;
  }
  get size(): number {
    return numel(this.shape);
  }
  /** The parameter's view into the packed parameter buffer. */
  get value(): Tensor<'f32'> {
    return this.set_.view(this, 'params');
  }
  /** The gradient's view into the packed gradient buffer. */
  get grad(): Tensor<'f32'> {
    return this.set_.view(this, 'grads');
  }
}

export interface ParamLayoutEntry {
  name: string;
  shape: number[];
  offset: number;
  size: number;
  decay: boolean;
}

export class ParamSet {
  private readonly list: Param[] = [];
  private buffers: { params: Tensor<'f32'>; grads: Tensor<'f32'> } | null = null;
  private readonly views = new Map<string, Tensor<'f32'>>();
  private gpu: Gpu | null = null;
  /** Packed length (a multiple of PARAM_ALIGN). */
  size = 0;
  /** Elements [0, decayEnd) take weight decay. */
  decayEnd = 0;

  add(name: string, shape: readonly number[], options: ParamOptions): Param {
    if (this.buffers) throw new Error(`ParamSet: cannot add "${name}" after build()`);
    if (this.list.some((p) => p.name === name)) throw new Error(`ParamSet: duplicate parameter name "${name}"`);
    if (numel(shape) === 0) throw new RangeError(`ParamSet: "${name}" has no elements`);
    const p = new Param(this, name, shape, options);
    this.list.push(p);
    return p;
  }

  get params(): readonly Param[] {
    return this.list;
  }

  get built(): boolean {
    return this.buffers !== null;
  }

  /** Element count of the real parameters (excluding alignment padding). */
  get count(): number {
    return this.list.reduce((s, p) => s + p.size, 0);
  }

  /** Every tensor with its place in the packed buffers, in packed order. */
  layout(): ParamLayoutEntry[] {
    if (!this.buffers && this.list.some((p) => p.offset < 0)) this.assign();
    return [...this.list].sort((a, b) => a.offset - b.offset).map((p) => ({ name: p.name, shape: [...p.shape], offset: p.offset, size: p.size, decay: p.options.decay }));
  }

  private assign(): void {
    const align = (n: number) => Math.ceil(n / PARAM_ALIGN) * PARAM_ALIGN;
    let at = 0;
    for (const p of this.list.filter((q) => q.options.decay)) { p.offset = at; at = align(at + p.size); }
    this.decayEnd = at;
    for (const p of this.list.filter((q) => !q.options.decay)) { p.offset = at; at = align(at + p.size); }
    this.size = Math.max(at, PARAM_ALIGN);
  }

  /** The packed initial values (padding is zero), seeded per tensor name. */
  initialValues(seed: number): Float32Array {
    if (!this.buffers) this.assign();
    const host = new Float32Array(this.size);
    for (const p of this.list) fillInit(host.subarray(p.offset, p.offset + p.size), p.options.init, seed, p.name);
    return host;
  }

  /** Allocates the packed buffers on the GPU and writes seeded initial values. Grads start at zero. */
  build(gpu: Gpu, seed: number): void {
    if (this.buffers) throw new Error('ParamSet: build() called twice');
    if (this.list.length === 0) throw new Error('ParamSet: no parameters to build');
    this.assign();
    this.gpu = gpu;
    this.buffers = { params: gpu.tensor(this.initialValues(seed), [this.size]), grads: gpu.zeros([this.size], 'f32', 'grads') };
  }

  /** The whole packed buffer ('params' or 'grads'). */
  packed(which: 'params' | 'grads'): Tensor<'f32'> {
    if (!this.buffers) throw new Error('ParamSet: not built yet (call build(gpu, seed))');
    return this.buffers[which];
  }

  view(p: Param, which: 'params' | 'grads'): Tensor<'f32'> {
    const key = `${which}:${p.name}`;
    let v = this.views.get(key);
    if (!v) {
      v = tensorView(this.packed(which), p.offset, p.shape);
      this.views.set(key, v);
    }
    return v;
  }

  /** Records zeroing of every gradient (for gradient accumulation over micro-batches). */
  zeroGrads(): void {
    const g = this.packed('grads');
    this.gpu!.commandEncoder().clearBuffer(g.buffer, g.byteOffset ?? 0, g.byteLength);
  }

  destroy(): void {
    if (this.buffers && this.gpu) this.gpu.release(this.buffers.params, this.buffers.grads);
    this.buffers = null;
    this.views.clear();
  }
}
