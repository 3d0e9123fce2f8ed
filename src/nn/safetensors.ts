// The safetensors file format (huggingface/safetensors), written byte for byte as its reference
// serializer writes it, so Python's `safetensors.safe_open` / `load_file` reads our checkpoints:
//
//   8 bytes   N, the header length, little-endian u64
//   N bytes   UTF-8 JSON: {"__metadata__": {str: str}, name: {"dtype", "shape", "data_offsets": [begin, end]}, …}
//             compact, padded with spaces to a multiple of 8 (so every tensor starts 8-aligned)
//   the rest  tensor bytes, little-endian, C order, contiguous: offsets must tile the data exactly
//
// Tensors are laid out as the reference does: by dtype alignment, largest first, then by name.
// The reader applies the reference's checks (header size, offsets contiguous from 0, byte counts
// matching dtype × shape, data ending exactly at the end of the file).

export type SafeDType = 'BOOL' | 'U8' | 'I8' | 'I16' | 'U16' | 'F16' | 'BF16' | 'I32' | 'U32' | 'F32' | 'F64' | 'I64' | 'U64';

/** Element sizes, in the reference's alignment order (the order its serializer sorts by). */
const DTYPE_ORDER: SafeDType[] = ['BOOL', 'U8', 'I8', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64'];
const DTYPE_SIZE: Record<SafeDType, number> = { BOOL: 1, U8: 1, I8: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8 };
const MAX_HEADER = 100_000_000;

export interface SafeTensor {
  dtype: SafeDType;
  shape: number[];
  /** Little-endian bytes, C order. */
  data: Uint8Array;
}

export class SafetensorsError extends Error {
  override readonly name = 'SafetensorsError';
}

export function f32Tensor(values: Float32Array, shape: number[]): SafeTensor {
  const data = new Uint8Array(values.byteLength);
  const view = new DataView(data.buffer);
  values.forEach((v, i) => view.setFloat32(4 * i, v, true));
  return { dtype: 'F32', shape, data };
}

export function tensorToF32(t: SafeTensor): Float32Array {
  if (t.dtype !== 'F32') throw new SafetensorsError(`expected an F32 tensor, got ${t.dtype}`);
  const view = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return Float32Array.from({ length: t.data.byteLength / 4 }, (_, i) => view.getFloat32(4 * i, true));
}

function numel(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function encodeSafetensors(tensors: Record<string, SafeTensor>, metadata?: Record<string, string>): Uint8Array {
  const names = Object.keys(tensors).sort((a, b) => {
    const d = DTYPE_ORDER.indexOf(tensors[b].dtype) - DTYPE_ORDER.indexOf(tensors[a].dtype);
    return d !== 0 ? d : a < b ? -1 : a > b ? 1 : 0;
  });
  if (names.includes('__metadata__')) throw new SafetensorsError('"__metadata__" is reserved and cannot name a tensor');
  const header: Record<string, unknown> = {};
  if (metadata) {
    const sorted: Record<string, string> = {};
    for (const k of Object.keys(metadata).sort()) {
      if (typeof metadata[k] !== 'string') throw new SafetensorsError(`metadata "${k}" must be a string`);
      sorted[k] = metadata[k];
    }
    header.__metadata__ = sorted;
  }
  let offset = 0;
  for (const name of names) {
    const t = tensors[name];
    if (!(t.dtype in DTYPE_SIZE)) throw new SafetensorsError(`tensor "${name}": unknown dtype ${t.dtype}`);
    const bytes = numel(t.shape) * DTYPE_SIZE[t.dtype];
    if (bytes !== t.data.byteLength) throw new SafetensorsError(`tensor "${name}": ${t.data.byteLength} bytes for ${t.dtype}[${t.shape.join(', ')}] (needs ${bytes})`);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let at = 8 + padded;
  for (const name of names) {
    out.set(tensors[name].data, at);
    at += tensors[name].data.byteLength;
  }
  return out;
}

export function decodeSafetensors(bytes: Uint8Array): { tensors: Record<string, SafeTensor>; metadata: Record<string, string> } {
  if (bytes.byteLength < 8) throw new SafetensorsError('file too small for a safetensors header');
  const n64 = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER)) throw new SafetensorsError(`header of ${n64} bytes exceeds the ${MAX_HEADER}-byte limit`);
  const n = Number(n64);
  if (8 + n > bytes.byteLength) throw new SafetensorsError(`header length ${n} runs past the end of the file (${bytes.byteLength} bytes)`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw new SafetensorsError('header is not valid UTF-8');
  }
  if (!text.startsWith('{')) throw new SafetensorsError('header does not start with "{"');
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new SafetensorsError(`header is not valid JSON: ${(e as Error).message}`);
  }
  const metadata: Record<string, string> = {};
  const entries: { name: string; dtype: SafeDType; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== 'string') throw new SafetensorsError(`metadata "${k}" is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    const info = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = info.dtype as SafeDType;
    if (!(typeof dtype === 'string' && dtype in DTYPE_SIZE)) throw new SafetensorsError(`tensor "${name}": unknown dtype ${String(info.dtype)}`);
    const shape = info.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw new SafetensorsError(`tensor "${name}": bad shape ${JSON.stringify(shape)}`);
    const off = info.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isInteger(d) && d >= 0)) throw new SafetensorsError(`tensor "${name}": bad data_offsets ${JSON.stringify(off)}`);
    entries.push({ name, dtype, shape: shape as number[], begin: off[0] as number, end: off[1] as number });
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of entries) {
    if (e.begin !== at || e.end < e.begin) throw new SafetensorsError(`tensor "${e.name}": data_offsets [${e.begin}, ${e.end}] do not continue from ${at}`);
    if (e.end - e.begin !== numel(e.shape) * DTYPE_SIZE[e.dtype]) throw new SafetensorsError(`tensor "${e.name}": ${e.end - e.begin} bytes for ${e.dtype}[${e.shape.join(', ')}]`);
    at = e.end;
  }
  if (8 + n + at !== bytes.byteLength) throw new SafetensorsError(`tensor data ends at ${8 + n + at} but the file has ${bytes.byteLength} bytes`);
  const tensors: Record<string, SafeTensor> = {};
  for (const e of entries) tensors[e.name] = { dtype: e.dtype, shape: e.shape, data: bytes.slice(8 + n + e.begin, 8 + n + e.end) };
  return { tensors, metadata };
}
