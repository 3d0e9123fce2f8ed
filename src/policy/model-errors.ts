// Typed errors for loading and running a backbone. transformers.js and ONNX Runtime report
// failures as free-form strings from three layers (hub fetch, protobuf parse, kernel run); this
// module turns them into four kinds a user can act on, each with a message that says what to do.
// Errors cross the worker boundary as plain data and are rebuilt on the other side.

export type ModelErrorKind = 'missing-file' | 'corrupt-model' | 'unsupported-architecture' | 'out-of-memory' | 'bad-input' | 'load-failed' | 'worker-crashed';

export class ModelError extends Error {
  readonly kind: ModelErrorKind;
  readonly modelId: string;
  /** The file concerned, relative to the model folder, where known. */
  readonly file: string | null;
  /** The underlying runtime message, for the details panel and bug reports. */
  readonly detail: string;
  constructor(kind: ModelErrorKind, modelId: string, message: string, detail = '', file: string | null = null) {
    super(message);
    this.name = 'ModelError';
    this.kind = kind;
    this.modelId = modelId;
    this.file = file;
    this.detail = detail;
  }
}

export interface SerializedModelError {
  kind: ModelErrorKind;
  modelId: string;
  message: string;
  detail: string;
  file: string | null;
}

export function serializeModelError(e: ModelError): SerializedModelError {
  return { kind: e.kind, modelId: e.modelId, message: e.message, detail: e.detail, file: e.file };
}

export function deserializeModelError(s: SerializedModelError): ModelError {
  return new ModelError(s.kind, s.modelId, s.message, s.detail, s.file);
}

function messageOf(e: unknown): string {
  if (e instanceof Error) return `${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}`;
  if (typeof e === 'string') return e;
  // ORT-web rejects with numbers (wasm abort codes) or objects in some builds.
  try {
    return JSON.stringify(e);
  } catch {
    return String(e);
  }
}

const OOM = /out of memory|\boom\b|bad_alloc|could not allocate|cannot allocate|failed to allocate|allocation failed|Aborted\(OOM\)|WebAssembly\.Memory|memory access out of bounds|array buffer allocation failed|RangeError: Array buffer|GPUOutOfMemory|exceeds the (maximum|max) (buffer|storage)/i;
const CORRUPT = /protobuf parsing failed|in JSON at position|Expected .* in JSON|failed to load model|invalid (model|protobuf)|no graph was found|ModelProto does not have a graph|Unexpected token .* is not valid JSON|JSON\.parse|not valid JSON|Unexpected end of JSON|onnx.*(load|parse)/i;
const UNSUPPORTED = /Unsupported model type|unsupported architecture|model_type|is not supported|Could not find an implementation for|NOT_IMPLEMENTED|not implemented/i;
const MISSING = /Could not locate file|file was not found|not found locally|ModelFileNotFoundError|404|ENOENT|no such file/i;

/** The file a runtime message mentions, relative to the model folder, if any. */
function fileIn(message: string, modelId: string): string | null {
  const known = message.match(/(onnx\/[\w.-]+\.onnx(?:_data)?|config\.json|generation_config\.json|tokenizer(?:_config)?\.json)/);
  if (known) return known[1];
  const at = message.indexOf(modelId);
  if (at >= 0) {
    const rest = message.slice(at + modelId.length).match(/^\/(?:resolve\/[^/]+\/)?([\w./-]+)/);
    if (rest) return rest[1];
  }
  return null;
}

/**
 * Maps anything thrown while loading or running a model to a ModelError. `phase` says whether
 * files were being fetched/parsed or the graph was running; `file` is known when we were reading one.
 */
export function classifyModelError(e: unknown, modelId: string, phase: 'load' | 'run', file: string | null = null): ModelError {
  if (e instanceof ModelError) return e;
  const detail = messageOf(e);
  const name = e instanceof Error ? e.name : '';
  const where = file ?? fileIn(detail, modelId);
  if (OOM.test(detail)) {
    return new ModelError(
      'out-of-memory',
      modelId,
      `Out of memory while ${phase === 'load' ? 'loading' : 'running'} "${modelId}". Close other tabs, pick a smaller model or a quantised variant (q4), or reduce the batch size.`,
      detail,
      where,
    );
  }
  if (name === 'ModelFileNotFoundError' || MISSING.test(detail)) {
    return new ModelError(
      'missing-file',
      modelId,
      `Model "${modelId}" is missing ${where ? `the file "${where}"` : 'a required file'}. Check the model folder (config.json, tokenizer.json, tokenizer_config.json and onnx/model*.onnx) or, for a hub model, the repository name and your connection.`,
      detail,
      where,
    );
  }
  if (UNSUPPORTED.test(detail)) {
    return new ModelError(
      'unsupported-architecture',
      modelId,
      `Model "${modelId}" has an architecture this lab cannot run: ${detail.split('\n')[0].slice(0, 200)}. Stepwise needs a decoder-only causal language model (for example llama, qwen2 or mistral) exported to ONNX with a KV cache.`,
      detail,
      where,
    );
  }
  if (CORRUPT.test(detail)) {
    return new ModelError(
      'corrupt-model',
      modelId,
      `The file ${where ? `"${where}" ` : ''}of model "${modelId}" is damaged or not what it claims to be${phase === 'load' ? ' and could not be parsed' : ''}. Rebuild it (npm run build:model for the bundled model) or download it again (clear the browser cache for hub models).`,
      detail,
      where,
    );
  }
  return new ModelError('load-failed', modelId, `Model "${modelId}" failed while ${phase === 'load' ? 'loading' : 'running'}: ${detail.split('\n')[0].slice(0, 300)}`, detail, where);
}
