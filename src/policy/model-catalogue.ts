// The models the lab offers. The bundled model ships in public/models and works offline; hub
// models download once through transformers.js' hub path and then come from the browser cache.

import type { BackboneDevice, LoadRequest, ModelSource } from './backbone-types';

// Declared with the protocol types (backbone-types.ts imports nothing from here); re-exported
// because choosing a model and a device is what this module is about.
export type { BackboneDevice, ModelSource } from './backbone-types';
export type DeviceChoice = 'auto' | BackboneDevice;

export interface CatalogueEntry {
  /** The id passed to from_pretrained: a folder under localModelPath, or a hub repo "org/name". */
  id: string;
  label: string;
  source: ModelSource;
  blurb: string;
  parameters: number;
  /** Feature vectors come from the hidden state when the graph exports it, else from a logit sketch. */
  exposesHiddenStates: boolean;
  /** Which ONNX variant to fetch per device (transformers.js dtype names; each maps to onnx/model_<suffix>.onnx). */
  dtype: { wasm: string; webgpu: string; webgpuNoF16: string; cpu: string };
  /** Download size in bytes of the variant for each device, shown before the user commits to it. */
  approxBytes: { wasm: number; webgpu: number; webgpuNoF16: number; cpu: number };
  license: string;
  revision?: string;
}

const MB = 1024 * 1024;

export const BUNDLED_MODEL_ID = 'stepwise-tiny';

export const MODEL_CATALOGUE: readonly CatalogueEntry[] = [
  {
    id: BUNDLED_MODEL_ID,
    label: 'Stepwise tiny (bundled)',
    source: 'local',
    blurb: 'A 2-layer Llama-style decoder built by this project, fine-tuned in WGSL on expert episodes, with a tokenizer fitted to the three environments\u2019 train text. Loads instantly, works offline.',
    parameters: 368_960,
    exposesHiddenStates: true,
    dtype: { wasm: 'fp32', webgpu: 'fp32', webgpuNoF16: 'fp32', cpu: 'fp32' },
    approxBytes: { wasm: 3 * MB, webgpu: 3 * MB, webgpuNoF16: 3 * MB, cpu: 3 * MB },
    license: 'MIT',
  },
  {
    // The ONNX export lives in the model's own repo (uploaded by the onnx-community converter).
    id: 'HuggingFaceTB/SmolLM2-135M-Instruct',
    label: 'SmolLM2 135M Instruct',
    source: 'hub',
    blurb: 'Hugging Face\u2019s small instruction-tuned Llama (30 layers, d=576). A real language prior for the policy.',
    parameters: 134_515_008,
    exposesHiddenStates: false,
    dtype: { wasm: 'q4', webgpu: 'q4f16', webgpuNoF16: 'q4', cpu: 'q4' },
    approxBytes: { wasm: 200 * MB, webgpu: 134 * MB, webgpuNoF16: 200 * MB, cpu: 200 * MB },
    license: 'Apache-2.0',
  },
  {
    id: 'onnx-community/Qwen2.5-0.5B-Instruct',
    label: 'Qwen2.5 0.5B Instruct',
    source: 'hub',
    blurb: 'Alibaba\u2019s 0.5B instruction model (24 layers, d=896, grouped KV heads). Best on a real GPU.',
    parameters: 494_032_768,
    exposesHiddenStates: false,
    dtype: { wasm: 'q8', webgpu: 'q4f16', webgpuNoF16: 'q4', cpu: 'q8' },
    approxBytes: { wasm: 512 * MB, webgpu: 483 * MB, webgpuNoF16: 786 * MB, cpu: 512 * MB },
    license: 'Apache-2.0',
  },
];

export function catalogueEntry(id: string): CatalogueEntry | undefined {
  return MODEL_CATALOGUE.find((m) => m.id === id);
}

/** The dtype to request for an entry on a device (webgpu without shader-f16 cannot run *f16 variants). */
export function dtypeFor(entry: CatalogueEntry, device: BackboneDevice, shaderF16: boolean): string {
  if (device === 'webgpu') return shaderF16 ? entry.dtype.webgpu : entry.dtype.webgpuNoF16;
  return entry.dtype[device];
}

/**
 * The load request for a catalogue entry on a chosen device. `localModelPath` is where bundled
 * models live (bundledModelPath() in the browser, bundledModelDir() in Node).
 */
export function loadRequestFor(
  entry: CatalogueEntry,
  device: BackboneDevice,
  opts: { shaderF16?: boolean; localModelPath: string; remoteHost?: string; wasmThreads?: number },
): LoadRequest {
  return {
    modelId: entry.id,
    source: entry.source,
    device,
    dtype: dtypeFor(entry, device, opts.shaderF16 ?? false),
    revision: entry.revision,
    ...(entry.source === 'local' ? { localModelPath: opts.localModelPath } : { remoteHost: opts.remoteHost }),
    ...(opts.wasmThreads ? { wasmThreads: opts.wasmThreads } : {}),
  };
}
