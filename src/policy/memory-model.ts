// Models that exist only as bytes: a run's SFT export is a model folder held in IndexedDB (browser)
// or in memory, never at a URL. A load request carries the folder's files (LoadRequest.files) and
// transformers.js reads them through a custom cache (transformers-adapter.ts). This module has no
// runtime imports, so the trainer worker can build such requests without pulling in transformers.js.

import type { LoadRequest } from './backbone-types';

/** Files a model folder must hold for transformers.js to load it as a causal LM with its tokenizer. */
export const REQUIRED_MODEL_FILES = ['config.json', 'onnx/model.onnx', 'tokenizer.json', 'tokenizer_config.json'] as const;

/** transformers.js' model-id rule (hub/constants.js REPO_ID_REGEX, no "--" or ".."); ids outside it are not looked up under localModelPath. */
const MODEL_ID = /^[\w.-]{1,96}$/;

/**
 * The model id an in-memory model loads under: `<base>-<name>` made valid for transformers.js
 * (letters, digits, '_', '-', '.'; at most 96 characters), so ModelInfo.modelId names the run.
 */
export function memoryModelId(base: string, name: string): string {
  let id = `${base}-${name}`.replace(/[^\w.-]+/g, '-').replace(/-{2,}/g, '-').replace(/\.{2,}/g, '.').replace(/^[-.]+|[-.]+$/g, '');
  if (id.length > 96) {
    // Keep the distinctive tail (a run id ends in its time and random part).
    id = `${base.slice(0, 40)}-${id.slice(id.length - 50)}`.replace(/-{2,}/g, '-');
  }
  if (!MODEL_ID.test(id)) throw new RangeError(`cannot make a model id from "${base}" and "${name}"`);
  return id;
}

/** Missing required files of a model folder, in REQUIRED_MODEL_FILES order. */
export function missingModelFiles(files: Record<string, unknown>): string[] {
  return REQUIRED_MODEL_FILES.filter((f) => !(f in files));
}

/**
 * A load request for a model folder given as bytes, on the device and dtype of `base` (the plan
 * for the model it was trained from). The files are copied into buffers of their own, which the
 * request owns: transferring them to the LLM worker leaves the caller's arrays intact.
 */
export function filesLoadRequest(base: LoadRequest, modelId: string, files: Record<string, Uint8Array>): LoadRequest {
  const missing = missingModelFiles(files);
  if (missing.length) throw new RangeError(`the model folder "${modelId}" lacks ${missing.join(', ')}`);
  const own: Record<string, ArrayBuffer> = {};
  for (const [name, bytes] of Object.entries(files)) own[name] = bytes.slice().buffer as ArrayBuffer;
  const { remoteHost: _r, useBrowserCache: _c, revision: _v, ...rest } = base;
  return { ...rest, modelId, source: 'local', files: own };
}

/** The buffers of a request to transfer (not copy) to the LLM worker. */
export function loadTransfers(request: LoadRequest): ArrayBuffer[] {
  return request.files ? [...new Set(Object.values(request.files))] : [];
}
