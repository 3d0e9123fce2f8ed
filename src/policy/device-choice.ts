// Which ONNX Runtime device runs the backbone. WebGPU wins only with a real GPU and a model big
// enough to amortise dispatch overhead: the bundled 1.4M-parameter model measured about 15x
// slower on WebGPU (SwiftShader) than on wasm, and small models lose on real GPUs too
// (transformers.js #1750). A software adapter therefore always means wasm.

import { type AdapterSummary, summarizeAdapter } from '../gpu/adapter-info';
import type { BackboneDevice, DeviceChoice } from './model-catalogue';

/** Below this many parameters, wasm is the better device even on a real GPU. */
export const WEBGPU_MIN_PARAMETERS = 50_000_000;

export interface GpuProbe {
  available: boolean;
  adapter: AdapterSummary | null;
  shaderF16: boolean;
  /** Why WebGPU is unavailable, when it is. */
  reason?: string;
}

/** Asks the browser (main thread or worker) for an adapter. Never throws. */
export async function probeWebGpu(): Promise<GpuProbe> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) return { available: false, adapter: null, shaderF16: false, reason: 'this browser exposes no WebGPU (navigator.gpu is missing)' };
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return { available: false, adapter: null, shaderF16: false, reason: 'requestAdapter() returned no adapter' };
    return { available: true, adapter: summarizeAdapter(adapter, 'browser'), shaderF16: adapter.features.has('shader-f16') };
  } catch (e) {
    return { available: false, adapter: null, shaderF16: false, reason: `requestAdapter() failed: ${String(e)}` };
  }
}

export interface DeviceDecision {
  device: BackboneDevice;
  reason: string;
}

/**
 * Picks the device. `choice` is the user's override ('auto' unless they set one); `runtime` is
 * where the backbone runs (Node has onnxruntime-node's CPU provider instead of wasm).
 */
export function chooseDevice(choice: DeviceChoice, parameters: number, probe: GpuProbe, runtime: 'browser' | 'node'): DeviceDecision {
  if (runtime === 'node') {
    if (choice === 'webgpu' || choice === 'wasm') {
      return { device: 'cpu', reason: `${choice} is a browser device; Node runs the backbone on onnxruntime-node's CPU provider` };
    }
    return { device: 'cpu', reason: 'Node: onnxruntime-node CPU provider' };
  }
  if (choice === 'cpu') return { device: 'wasm', reason: 'the browser runs CPU inference through ONNX Runtime\u2019s wasm backend' };
  if (choice === 'wasm') return { device: 'wasm', reason: 'chosen by you' };
  if (choice === 'webgpu') {
    if (!probe.available) return { device: 'wasm', reason: `WebGPU was requested but ${probe.reason ?? 'is unavailable'}; using wasm` };
    return { device: 'webgpu', reason: `chosen by you${probe.adapter?.isSoftware ? ' (note: this adapter is a CPU emulation and will be slow)' : ''}` };
  }
  if (!probe.available) return { device: 'wasm', reason: `no WebGPU: ${probe.reason ?? 'unavailable'}` };
  if (probe.adapter?.isSoftware) {
    return { device: 'wasm', reason: `the WebGPU adapter (${probe.adapter.description || probe.adapter.architecture || 'unknown'}) is a software emulation; wasm is faster` };
  }
  if (parameters < WEBGPU_MIN_PARAMETERS) {
    return { device: 'wasm', reason: `the model is small (${(parameters / 1e6).toFixed(1)}M parameters); GPU dispatch overhead would outweigh the compute` };
  }
  return { device: 'webgpu', reason: `GPU adapter ${[probe.adapter?.vendor, probe.adapter?.architecture].filter(Boolean).join(' ') || 'found'}` };
}
