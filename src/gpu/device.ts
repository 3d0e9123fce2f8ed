// Getting a GPUDevice in the browser (navigator.gpu) and in Node (Dawn through the npm `webgpu`
// package), behind one function, so every layer above runs unchanged in both.

import { summarizeAdapter, type AdapterSummary } from './adapter-info';
import { DeviceLostError, GpuUnavailableError } from './errors';

export interface GpuHandle {
  device: GPUDevice;
  adapter: GPUAdapter;
  info: AdapterSummary;
  /** Fires once with a DeviceLostError when the device goes away (unless it was destroyed by us). */
  onLost(listener: (error: DeviceLostError) => void): () => void;
  destroy(): void;
}

export interface AcquireOptions {
  powerPreference?: GPUPowerPreference;
  /** Features to enable when the adapter has them (missing ones are skipped, not fatal). */
  optionalFeatures?: GPUFeatureName[];
  /** Features never to enable, even when the adapter has them: tests switch one off to run its fallback. */
  withoutFeatures?: GPUFeatureName[];
}

const DEFAULT_OPTIONAL: GPUFeatureName[] = ['timestamp-query', 'subgroups' as GPUFeatureName, 'shader-f16'];
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';

async function nodeGpu(): Promise<GPU> {
  const env = process.env;
  const fs = await import(/* @vite-ignore */ 'node:' + 'fs');
  // Dawn reads VK_ICD_FILENAMES when the instance is created: set it first, and only when the user
  // has not chosen a driver, so a real GPU's ICD is never overridden.
  if (!env.VK_ICD_FILENAMES && !env.VK_DRIVER_FILES && fs.existsSync(SWIFTSHADER_ICD)) {
    env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  if (!env.XDG_RUNTIME_DIR) env.XDG_RUNTIME_DIR = '/tmp'; // silences a harmless Dawn warning
  let mod: { create: (flags: string[]) => GPU; globals: Record<string, unknown> };
  try {
    mod = await import(/* @vite-ignore */ 'web' + 'gpu');
  } catch (e) {
    throw new GpuUnavailableError('no-node-webgpu', String(e));
  }
  // Dawn's enums/classes (GPUBufferUsage, ...) must be global, as they are in browsers.
  for (const [k, v] of Object.entries(mod.globals)) {
    if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
  }
  // The instance must stay reachable: if only the device is kept, Dawn's instance is collected
  // mid-dispatch and the process dies (segfault or futex error).
  const g = globalThis as { __stepwiseDawn?: GPU };
  g.__stepwiseDawn ??= mod.create([]);
  return g.__stepwiseDawn;
}

function browserGpu(): GPU {
  if (typeof isSecureContext !== 'undefined' && !isSecureContext) throw new GpuUnavailableError('insecure-context');
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) throw new GpuUnavailableError('no-navigator-gpu');
  return gpu;
}

export async function acquireGpu(options: AcquireOptions = {}): Promise<GpuHandle> {
  const gpu = isNode ? await nodeGpu() : browserGpu();
  const adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
  if (!adapter) {
    if (isNode) {
      const fs = await import(/* @vite-ignore */ 'node:' + 'fs');
      const hasLoader = ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1', '/usr/lib/libvulkan.so.1']
        .some((p) => fs.existsSync(p));
      if (!hasLoader) throw new GpuUnavailableError('no-vulkan-loader', 'libvulkan.so.1 not found');
      if (!process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES) {
        throw new GpuUnavailableError('no-vulkan-loader', `no Vulkan ICD (looked for ${SWIFTSHADER_ICD})`);
      }
    }
    throw new GpuUnavailableError('no-adapter');
  }
  const info = summarizeAdapter(adapter, isNode ? 'node' : 'browser');
  const wanted = options.optionalFeatures ?? DEFAULT_OPTIONAL;
  const requiredFeatures = wanted.filter((f) => adapter.features.has(f) && !options.withoutFeatures?.includes(f));
  // Ask for the adapter's real limits: the defaults (128 MiB bindings, 256 invocations) are far
  // below what real GPUs offer and would cap batch sizes for no reason.
  const requiredLimits: Record<string, number> = {};
  for (const [k, v] of Object.entries(info.limits)) requiredLimits[k] = v;
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredFeatures, requiredLimits });
  } catch (e) {
    throw new GpuUnavailableError('device-request-failed', String(e));
  }
  const listeners = new Set<(error: DeviceLostError) => void>();
  let destroyedByUs = false;
  void device.lost.then((lost) => {
    if (destroyedByUs && lost.reason === 'destroyed') return;
    const err = new DeviceLostError(String(lost.reason), lost.message);
    for (const l of listeners) l(err);
  });
  device.addEventListener?.('uncapturederror', (ev) => {
    // Validation errors outside an error scope would otherwise only reach the console.
    console.error('[stepwise gpu] uncaptured error:', (ev as GPUUncapturedErrorEvent).error.message);
  });
  return {
    device,
    adapter,
    info,
    onLost(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    destroy() {
      destroyedByUs = true;
      device.destroy();
    },
  };
}
