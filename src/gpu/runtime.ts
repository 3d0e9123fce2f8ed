// The runtime every kernel uses: one device, a pipeline cache, a buffer pool, uniform buffers
// cached by content, and a command encoder that collects dispatches until someone needs a result.
// A training step therefore costs one submit and (at most) one readback.

import { BufferPool } from './buffer-pool';
import { GpuValidationError } from './errors';
import { acquireGpu, type AcquireOptions, type GpuHandle } from './device';
import type { AdapterSummary } from './adapter-info';
import { PipelineCache, type PipelineSpec } from './pipeline-cache';
import { Profiler, type ProfileEntry } from './profiler';
import { BYTES_PER_ELEMENT, dtypeOf, numel, shapeString, typedArrayFor, type DType, type Tensor, type TypedArrayOf } from './tensor';

const STORAGE = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

/** A binding is a tensor, a raw buffer (bound whole), or an explicit range. */
export type Binding = Tensor | GPUBuffer | { buffer: GPUBuffer; offset?: number; size?: number };

export interface DispatchOptions {
  label?: string;
}

function isTensor(b: Binding): b is Tensor {
  return (b as Tensor).dtype !== undefined && (b as Tensor).shape !== undefined;
}

export class Gpu {
  readonly device: GPUDevice;
  readonly info: AdapterSummary;
  readonly pipelines: PipelineCache;
  readonly pool: BufferPool;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private profiler: Profiler | null = null;
  private pendingProfiles: Promise<ProfileEntry[]>[] = [];
  private deferred: GPUBuffer[] = [];
  private readonly pendingErrors: Promise<GPUError | null>[] = [];
  private readonly uniformCache = new Map<string, GPUBuffer>();
  private readonly bindGroups = new WeakMap<GPUComputePipeline, Map<string, GPUBindGroup>>();
  private readonly bufferIds = new WeakMap<GPUBuffer, number>();
  private nextBufferId = 1;
  /** Counters for tests and the profiler panel. */
  stats = { dispatches: 0, submits: 0, readbacks: 0 };

  private constructor(readonly handle: GpuHandle) {
    this.device = handle.device;
    this.info = handle.info;
    this.pipelines = new PipelineCache(this.device);
    this.pool = new BufferPool(this.device);
  }

  static async create(options?: AcquireOptions): Promise<Gpu> {
    return new Gpu(await acquireGpu(options));
  }

  /** Wraps an existing handle (e.g. a device shared with the UI's adapter probe). */
  static fromHandle(handle: GpuHandle): Gpu {
    return new Gpu(handle);
  }

  get hasTimestamps(): boolean {
    return Profiler.supported(this.device);
  }

  // ---- tensors ---------------------------------------------------------------------------------

  /** Uploads data into a pooled storage buffer. */
  tensor(data: Float32Array, shape?: readonly number[]): Tensor<'f32'>;
  tensor(data: Uint32Array, shape?: readonly number[]): Tensor<'u32'>;
  tensor(data: Int32Array, shape?: readonly number[]): Tensor<'i32'>;
  tensor<D extends DType = 'f32'>(data: TypedArrayOf<D> | number[], shape?: readonly number[], dtype?: D): Tensor<D>;
  tensor<D extends DType = 'f32'>(data: TypedArrayOf<D> | number[], shape?: readonly number[], dtype?: D): Tensor<D> {
    const arr = Array.isArray(data) ? (dtype === 'u32' ? new Uint32Array(data) : dtype === 'i32' ? new Int32Array(data) : new Float32Array(data)) : data;
    const dt = (dtype ?? dtypeOf(arr)) as D;
    const s = shape ?? [arr.length];
    if (numel(s) !== arr.length) throw new RangeError(`Data has ${arr.length} elements but shape ${shapeString(s)} needs ${numel(s)}`);
    const t = this.empty(s, dt);
    this.device.queue.writeBuffer(t.buffer, 0, arr.buffer, arr.byteOffset, arr.byteLength);
    return t;
  }

  /**
   * A tensor whose contents are undefined (pooled buffers are recycled). Use `zeros` when the
   * kernel accumulates into it.
   */
  empty<D extends DType = 'f32'>(shape: readonly number[], dtype: D = 'f32' as D, label?: string): Tensor<D> {
    const size = numel(shape);
    const byteLength = Math.max(size, 1) * BYTES_PER_ELEMENT;
    const buffer = this.pool.acquire(byteLength, STORAGE(), label);
    return { shape: [...shape], dtype, buffer, size, byteLength, label };
  }

  zeros<D extends DType = 'f32'>(shape: readonly number[], dtype: D = 'f32' as D, label?: string): Tensor<D> {
    const t = this.empty(shape, dtype, label);
    this.commandEncoder().clearBuffer(t.buffer, 0, Math.ceil(t.byteLength / 4) * 4);
    return t;
  }

  /**
   * Overwrites a tensor's contents. Queue writes land before any not-yet-submitted commands, so
   * pending work is flushed first: it must see the old contents, as the program order says.
   */
  write(t: Tensor, data: Float32Array | Uint32Array | Int32Array, elementOffset = 0): void {
    if (elementOffset + data.length > t.size) throw new RangeError(`write of ${data.length} elements at ${elementOffset} overflows ${shapeString(t.shape)}`);
    if (this.encoder) this.flush();
    this.device.queue.writeBuffer(t.buffer, (t.byteOffset ?? 0) + elementOffset * BYTES_PER_ELEMENT, data.buffer, data.byteOffset, data.byteLength);
  }

  /**
   * Returns the tensor's buffer to the pool. The tensor must not be used afterwards. While commands
   * that may use it are still being recorded, the buffer is held back until they are submitted:
   * handing it out again earlier could let a later upload overwrite data those commands read.
   */
  release(...tensors: (Tensor | undefined | null)[]): void {
    for (const t of tensors) {
      if (t && t.byteOffset !== undefined) throw new Error('release: a tensor view is released with the tensor it views, not on its own');
    }
    for (const t of tensors) {
      if (!t) continue;
      if (this.encoder) this.deferred.push(t.buffer);
      else this.pool.release(t.buffer);
    }
  }

  // ---- uniforms --------------------------------------------------------------------------------

  /**
   * A uniform buffer holding these 32-bit words, cached by content: shapes repeat every step, so a
   * training loop writes no uniforms after its first iteration.
   */
  uniforms(words: ArrayLike<number>, types: 'u32' | 'f32' | ('u32' | 'f32' | 'i32')[] = 'u32'): GPUBuffer {
    const n = Math.max(4, Math.ceil(words.length / 4) * 4); // uniform structs are 16-byte aligned
    const buf = new ArrayBuffer(n * 4);
    const u = new Uint32Array(buf);
    const f = new Float32Array(buf);
    const i32 = new Int32Array(buf);
    for (let i = 0; i < words.length; i++) {
      const t = typeof types === 'string' ? types : types[i] ?? 'u32';
      if (t === 'f32') f[i] = words[i];
      else if (t === 'i32') i32[i] = words[i];
      else u[i] = words[i];
    }
    let key = '';
    for (let i = 0; i < u.length; i++) key += u[i].toString(36) + ',';
    let buffer = this.uniformCache.get(key);
    if (!buffer) {
      if (this.uniformCache.size > 4096) this.clearUniformCache();
      buffer = this.device.createBuffer({ size: buf.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, mappedAtCreation: true });
      new Uint8Array(buffer.getMappedRange()).set(new Uint8Array(buf));
      buffer.unmap();
      this.uniformCache.set(key, buffer);
    }
    return buffer;
  }

  private clearUniformCache(): void {
    if (this.encoder) this.flush();
    for (const b of this.uniformCache.values()) b.destroy();
    this.uniformCache.clear();
  }

  // ---- recording -------------------------------------------------------------------------------

  pipeline(spec: PipelineSpec): Promise<GPUComputePipeline> {
    return this.pipelines.get(spec);
  }

  /** The open command encoder (a compute pass in progress is ended first). */
  commandEncoder(): GPUCommandEncoder {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
    this.encoder ??= this.openEncoder();
    return this.encoder;
  }

  /**
   * Starts a batch. Each batch runs inside a validation error scope, popped when it is submitted,
   * so a malformed dispatch surfaces as a GpuValidationError from `done()`/`read()` instead of an
   * invalid command buffer that silently leaves every output untouched.
   */
  private openEncoder(): GPUCommandEncoder {
    this.device.pushErrorScope('validation');
    return this.device.createCommandEncoder();
  }

  private async checkErrors(): Promise<void> {
    const errors = await Promise.all(this.pendingErrors.splice(0));
    const first = errors.find((e) => e !== null);
    if (first) throw new GpuValidationError(first.message);
  }

  private bufferId(b: GPUBuffer): number {
    let id = this.bufferIds.get(b);
    if (id === undefined) this.bufferIds.set(b, (id = this.nextBufferId++));
    return id;
  }

  private bindGroup(pipeline: GPUComputePipeline, bindings: Binding[]): GPUBindGroup {
    let cache = this.bindGroups.get(pipeline);
    if (!cache) this.bindGroups.set(pipeline, (cache = new Map()));
    const entries: GPUBindGroupEntry[] = [];
    let key = '';
    bindings.forEach((b, binding) => {
      let buffer: GPUBuffer, offset = 0, size: number | undefined;
      if (isTensor(b)) {
        buffer = b.buffer;
        offset = b.byteOffset ?? 0;
        size = Math.max(b.byteLength, BYTES_PER_ELEMENT);
      } else if ('buffer' in b) {
        buffer = b.buffer;
        offset = b.offset ?? 0;
        size = b.size;
      } else {
        buffer = b as GPUBuffer;
      }
      key += `${this.bufferId(buffer)}:${offset}:${size ?? '*'};`;
      entries.push({ binding, resource: size === undefined ? { buffer, offset } : { buffer, offset, size } });
    });
    let group = cache.get(key);
    if (!group) {
      if (cache.size > 256) cache.clear();
      group = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
      cache.set(key, group);
    }
    return group;
  }

  /**
   * Records one dispatch. Bindings are bound in order to @group(0) @binding(0…n-1). Nothing runs
   * until `flush`, `read` or `done`.
   */
  dispatch(pipeline: GPUComputePipeline, bindings: Binding[], workgroups: readonly [number, number?, number?], options: DispatchOptions = {}): void {
    const [x, y = 1, z = 1] = workgroups;
    const max = this.device.limits.maxComputeWorkgroupsPerDimension;
    if (x > max || y > max || z > max) {
      throw new RangeError(`Dispatch ${options.label ?? pipeline.label}: workgroups [${x}, ${y}, ${z}] exceed the device limit ${max} per dimension`);
    }
    if (x === 0 || y === 0 || z === 0) return;
    const group = this.bindGroup(pipeline, bindings);
    let pass: GPUComputePassEncoder;
    if (this.profiler) {
      const timestampWrites = this.profiler.next(options.label ?? pipeline.label);
      pass = this.commandEncoder().beginComputePass(timestampWrites ? { timestampWrites } : {});
    } else {
      this.encoder ??= this.openEncoder();
      this.pass ??= this.encoder.beginComputePass();
      pass = this.pass;
    }
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(x, y, z);
    if (this.profiler) pass.end();
    this.stats.dispatches++;
  }

  /** Records a buffer-to-buffer copy of whole tensors (same byte length). */
  copy(src: Tensor, dst: Tensor): void {
    if (src.byteLength !== dst.byteLength) throw new RangeError(`copy: ${shapeString(src.shape)} → ${shapeString(dst.shape)} differ in size`);
    this.commandEncoder().copyBufferToBuffer(src.buffer, src.byteOffset ?? 0, dst.buffer, dst.byteOffset ?? 0, src.byteLength);
  }

  /** Submits everything recorded so far. */
  flush(): void {
    if (!this.encoder) return;
    const encoder = this.commandEncoder();
    const profiled = this.profiler?.collect(encoder);
    this.device.queue.submit([encoder.finish()]);
    this.pendingErrors.push(this.device.popErrorScope());
    this.encoder = null;
    this.stats.submits++;
    // Work submitted from now on is queued after these commands, so their buffers may be reused.
    for (const b of this.deferred.splice(0)) this.pool.release(b);
    if (profiled) this.pendingProfiles.push(profiled());
  }

  /** Submits and waits for the GPU to finish. */
  async done(): Promise<void> {
    this.flush();
    await Promise.all([this.device.queue.onSubmittedWorkDone(), this.checkErrors()]);
  }

  /** Submits pending work and reads tensors back (one staging copy each, one submit for all). */
  async readMany(tensors: Tensor[]): Promise<(Float32Array | Uint32Array | Int32Array)[]> {
    const encoder = this.commandEncoder();
    const staging = tensors.map((t) => {
      const bytes = Math.max(t.byteLength, BYTES_PER_ELEMENT);
      const s = this.pool.acquire(bytes, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, 'readback');
      encoder.copyBufferToBuffer(t.buffer, t.byteOffset ?? 0, s, 0, bytes);
      return s;
    });
    this.flush();
    this.stats.readbacks++;
    try {
      await this.checkErrors();
    } catch (e) {
      for (const s of staging) this.pool.release(s);
      throw e;
    }
    return Promise.all(staging.map(async (s, i) => {
      const t = tensors[i];
      await s.mapAsync(GPUMapMode.READ, 0, Math.max(t.byteLength, BYTES_PER_ELEMENT));
      const copy = s.getMappedRange(0, Math.max(t.byteLength, BYTES_PER_ELEMENT)).slice(0, t.byteLength);
      s.unmap();
      this.pool.release(s);
      return typedArrayFor(t.dtype, copy);
    }));
  }

  async read<D extends DType>(t: Tensor<D>): Promise<TypedArrayOf<D>> {
    const [out] = await this.readMany([t]);
    return out as TypedArrayOf<D>;
  }

  // ---- profiling -------------------------------------------------------------------------------

  /**
   * Runs `body` with every dispatch timed by timestamp queries. Returns undefined timings when the
   * adapter lacks 'timestamp-query' (the body still runs).
   */
  async profile<T>(body: () => Promise<T> | T): Promise<{ result: T; entries: ProfileEntry[] | undefined }> {
    if (!this.hasTimestamps) return { result: await body(), entries: undefined };
    this.flush();
    this.profiler ??= new Profiler(this.device);
    const prev = this.pendingProfiles;
    this.pendingProfiles = [];
    let result: T;
    try {
      result = await body();
      await this.done();
    } finally {
      this.profiler = null;
      this.flush();
    }
    const entries = (await Promise.all(this.pendingProfiles)).flat();
    this.pendingProfiles = prev;
    return { result, entries };
  }

  destroy(): void {
    this.encoder = null;
    this.pass = null;
    this.pool.trim();
    this.handle.destroy();
  }
}
