import { describe, expect, it } from 'vitest';
import { acquireGpu, BufferPool, DeviceLostError, Gpu, GpuUnavailableError, PipelineCache, ShaderCompileError, sizeClass, summarizeProfile, type Tensor } from '.';
import { testGpu } from './testing';

// A kernel of the test's own, so this layer's tests need nothing from kernels/ above it.
const ADD_ONE_WG = 64;
const ADD_ONE = `
// x[i] += 1 for every element of x.
override WG: u32 = 64u;
@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x < arrayLength(&x)) { x[gid.x] += 1.0; }
}
`;

async function addOnePipeline(gpu: Gpu): Promise<GPUComputePipeline> {
  const module = await gpu.pipelines.compileSource('test-add-one', ADD_ONE);
  return gpu.device.createComputePipeline({ label: 'test-add-one', layout: 'auto', compute: { module, entryPoint: 'main', constants: { WG: ADD_ONE_WG } } });
}

function dispatchAddOne(gpu: Gpu, pipeline: GPUComputePipeline, x: Tensor, label: string): void {
  gpu.dispatch(pipeline, [x], [Math.ceil(x.size / ADD_ONE_WG)], { label });
}

describe('device', () => {
  it('finds an adapter in Node through Dawn and reports what it is', async () => {
    const gpu = await testGpu();
    const i = gpu.info;
    expect(i.runtime).toBe('node');
    expect(typeof i.vendor).toBe('string');
    expect(typeof i.isFallbackAdapter).toBe('boolean');
    // The device was created with the adapter's real limits, not the spec defaults.
    expect(gpu.device.limits.maxStorageBufferBindingSize).toBe(i.limits.maxStorageBufferBindingSize);
    expect(gpu.device.limits.maxComputeInvocationsPerWorkgroup).toBe(i.limits.maxComputeInvocationsPerWorkgroup);
  });

  it('surfaces device loss as an event with a typed error', async () => {
    const handle = await acquireGpu();
    const lost = new Promise<DeviceLostError>((resolve) => handle.onLost(resolve));
    handle.device.destroy(); // not handle.destroy(): that one is a deliberate shutdown and stays quiet
    const err = await lost;
    expect(err).toBeInstanceOf(DeviceLostError);
    expect(err.message).toMatch(/device was lost \(destroyed\)/);
  });

  it('typed unavailability errors name the cause and the fix', () => {
    const e = new GpuUnavailableError('insecure-context');
    expect(e.cause).toBe('insecure-context');
    expect(e.message).toMatch(/secure context.*127\.0\.0\.1/);
    expect(new GpuUnavailableError('no-vulkan-loader').fix).toMatch(/apt-get install chromium libvulkan1/);
  });
});

describe('shaders and pipelines', () => {
  it('a WGSL compile error names the shader, the line and the message', async () => {
    const gpu = await testGpu();
    const cache = new PipelineCache(gpu.device);
    const code = '// header\n@compute @workgroup_size(1)\nfn main() {\n  let x: f32 = undefined_thing;\n}\n';
    const err = await cache.compileSource('broken', code).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShaderCompileError);
    const e = err as ShaderCompileError;
    expect(e.shader).toBe('broken');
    expect(e.message).toMatch(/broken\.wgsl:4:\d+/);
    expect(e.message).toMatch(/undefined_thing/);
    expect(e.sourceLine).toContain('undefined_thing');
  });

  it('an unknown shader is an error, not a silent null', async () => {
    const gpu = await testGpu();
    await expect(gpu.pipeline({ shader: 'no-such-kernel' })).rejects.toThrow(/Unknown shader "no-such-kernel"/);
  });

  it('a bad entry point fails pipeline creation with the shader named', async () => {
    const gpu = await testGpu();
    await expect(gpu.pipeline({ shader: 'reduce', entryPoint: 'nope' })).rejects.toThrow(/reduce\.wgsl/);
  });

  it('caches pipelines by shader, entry point and constants', async () => {
    const gpu = await testGpu();
    const a = await gpu.pipeline({ shader: 'reduce', entryPoint: 'partial', constants: { SQUARE: 1, WG: 64 } });
    const b = await gpu.pipeline({ shader: 'reduce', entryPoint: 'partial', constants: { WG: 64, SQUARE: 1 } });
    const c = await gpu.pipeline({ shader: 'reduce', entryPoint: 'partial', constants: { WG: 64, SQUARE: 0 } });
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });
});

describe('buffers and tensors', () => {
  it('size classes round up with bounded waste', () => {
    expect(sizeClass(1)).toBe(256);
    expect(sizeClass(257)).toBe(512);
    expect(sizeClass(1 << 20)).toBe(1 << 20);
    for (const n of [1.3e6, 5e6, 9.9e7]) {
      const c = sizeClass(n);
      expect(c).toBeGreaterThanOrEqual(n);
      expect(c / n).toBeLessThanOrEqual(1.25);
    }
  });

  it('the pool reuses released buffers of the same class and usage', async () => {
    const gpu = await testGpu();
    const pool = new BufferPool(gpu.device);
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST;
    const a = pool.acquire(1000, usage);
    pool.release(a);
    const b = pool.acquire(900, usage);
    expect(b).toBe(a);
    expect(pool.reused).toBe(1);
    expect(() => pool.release(gpu.device.createBuffer({ size: 4, usage }))).toThrow(/not acquired from this pool/);
  });

  it('uploads, reads back and writes typed data; rejects a shape that does not fit', async () => {
    const gpu = await testGpu();
    const t = gpu.tensor(new Int32Array([-3, 1, 4, 1, 5, 9]), [2, 3]);
    expect(Array.from(await gpu.read(t))).toEqual([-3, 1, 4, 1, 5, 9]);
    gpu.write(t, new Int32Array([7, 7]), 4);
    expect(Array.from(await gpu.read(t))).toEqual([-3, 1, 4, 1, 7, 7]);
    expect(() => gpu.tensor(new Float32Array(5), [2, 3])).toThrow(/5 elements but shape \[2×3\]/);
    const z = gpu.zeros([5], 'u32');
    expect(Array.from(await gpu.read(z))).toEqual([0, 0, 0, 0, 0]);
    gpu.release(t, z);
  });

  it('records many dispatches into one submit and reads back once', async () => {
    const gpu = await testGpu();
    const addOne = await addOnePipeline(gpu);
    const x = gpu.zeros([1000]);
    await gpu.done();
    const before = { ...gpu.stats };
    for (let i = 0; i < 20; i++) dispatchAddOne(gpu, addOne, x, `add-one-${i}`);
    expect(gpu.stats.submits).toBe(before.submits); // nothing submitted while recording
    const got = await gpu.read(x);
    expect(gpu.stats.submits - before.submits).toBe(1);
    expect(gpu.stats.dispatches - before.dispatches).toBe(20);
    expect(Array.from(got)).toEqual(new Array(1000).fill(20));
    gpu.release(x);
  });
});

describe('profiling', () => {
  /** Profiles two labelled dispatches; the data must be right whether or not timings come back. */
  async function profileTwo(gpu: Gpu) {
    const addOne = await addOnePipeline(gpu);
    const x = gpu.zeros([100_000]);
    const before = gpu.stats.dispatches;
    const { result, entries } = await gpu.profile(() => {
      dispatchAddOne(gpu, addOne, x, 'first');
      dispatchAddOne(gpu, addOne, x, 'second');
      return 'body ran';
    });
    const dispatches = gpu.stats.dispatches - before;
    const values = new Set(await gpu.read(x));
    gpu.release(x);
    return { result, entries, dispatches, values };
  }

  it('times each dispatch with timestamp queries when the device has them', async () => {
    const gpu = await testGpu();
    // Dawn offers timestamp-query on every Vulkan adapter (SwiftShader's included), so this path runs here.
    expect(gpu.hasTimestamps, 'the adapter should offer timestamp-query').toBe(true);
    const { result, entries, dispatches, values } = await profileTwo(gpu);
    expect(result).toBe('body ran');
    expect(entries!.map((e) => e.label)).toEqual(['first', 'second']);
    for (const e of entries!) expect(e.ms).toBeGreaterThanOrEqual(0);
    expect(summarizeProfile(entries!)[0].calls).toBe(1);
    expect(dispatches).toBe(2);
    expect([...values]).toEqual([2]);
  });

  it('without timestamp-query (switched off at device creation) the body still runs and no timings come back', async () => {
    const gpu = await Gpu.create({ withoutFeatures: ['timestamp-query'] });
    try {
      expect(gpu.handle.adapter.features.has('timestamp-query')).toBe(true);
      expect(gpu.device.features.has('timestamp-query')).toBe(false);
      expect(gpu.hasTimestamps).toBe(false);
      // Only the named feature is withheld: the other optional ones are still enabled.
      expect(gpu.device.features.has('subgroups')).toBe(gpu.handle.adapter.features.has('subgroups'));
      const { result, entries, dispatches, values } = await profileTwo(gpu);
      expect(result).toBe('body ran');
      expect(entries).toBeUndefined();
      expect(dispatches).toBe(2);
      expect([...values]).toEqual([2]);
    } finally {
      gpu.destroy();
    }
  });
});

describe('validation errors', () => {
  it('a dispatch whose bindings do not match its pipeline fails loudly at the next read', async () => {
    const gpu = await testGpu();
    const pipe = await gpu.pipeline({ shader: 'reduce', entryPoint: 'partial', constants: { WG: 64 } });
    const x = gpu.tensor(new Float32Array([1, 2, 3]));
    const out = gpu.zeros([1]);
    gpu.dispatch(pipe, [x, out], [1]); // binding 0 must be the uniform block: invalid
    await expect(gpu.read(out)).rejects.toThrow(/failed validation/);
    // The next batch is unaffected.
    const ok = gpu.tensor(new Float32Array([5]));
    expect(Array.from(await gpu.read(ok))).toEqual([5]);
    gpu.release(x, out, ok);
  });
});
