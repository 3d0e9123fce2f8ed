import { describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors, f32Tensor, SafetensorsError, tensorToF32, type SafeTensor } from './safetensors';

// Known-answer vectors: the byte sequences the reference implementation's own unit tests
// (safetensors/src/tensor.rs) expect its serializer to produce.
const SIX = new Float32Array([0, 1, 2, 3, 4, 5]);

describe('safetensors writer, byte for byte', () => {
  it('one F32 tensor, header already 8-aligned (reference test_serialization)', () => {
    const out = encodeSafetensors({ 'attn.0': f32Tensor(SIX, [1, 2, 3]) });
    expect(Array.from(out)).toEqual([
      64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
      116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
      58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
      101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
      0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
    ]);
  });

  it('header padded with spaces to 8 bytes (reference test_serialization_forced_alignement)', () => {
    const out = encodeSafetensors({ attn0: f32Tensor(SIX, [1, 1, 2, 3]) });
    expect(Array.from(out)).toEqual([
      72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58, 123, 34, 100, 116,
      121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58,
      91, 49, 44, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102,
      115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 32, 32, 32, 32, 32,
      32, 32, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0,
      160, 64,
    ]);
  });

  it('empty file, and metadata only (reference test_empty)', () => {
    expect(Array.from(encodeSafetensors({}))).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    expect(Array.from(encodeSafetensors({}, { framework: 'pt' }))).toEqual([
      40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95,
      95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112,
      116, 34, 125, 125, 32, 32, 32, 32, 32,
    ]);
  });

  it('orders tensors as the reference serializer does: wider dtypes first, then by name', () => {
    const i64: SafeTensor = { dtype: 'I64', shape: [], data: new Uint8Array([7, 0, 0, 0, 0, 0, 0, 0]) };
    const out = encodeSafetensors({ b: f32Tensor(new Float32Array([1]), [1]), a: f32Tensor(new Float32Array([2, 3]), [2]), step: i64 });
    const n = Number(new DataView(out.buffer).getBigUint64(0, true));
    const header = new TextDecoder().decode(out.subarray(8, 8 + n));
    expect(header.trimEnd()).toBe('{"step":{"dtype":"I64","shape":[],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},"b":{"dtype":"F32","shape":[1],"data_offsets":[16,20]}}');
    expect(n % 8).toBe(0);
    expect(out.length).toBe(8 + n + 20);
    expect(Array.from(out.subarray(8 + n, 8 + n + 8))).toEqual([7, 0, 0, 0, 0, 0, 0, 0]);
  });
});

describe('safetensors reader', () => {
  it('round-trips tensors and metadata', () => {
    const tensors = { w: f32Tensor(new Float32Array([1.5, -2, 1e-30, 3.4e38]), [2, 2]), b: f32Tensor(new Float32Array([0.25]), [1]) };
    const back = decodeSafetensors(encodeSafetensors(tensors, { format: 'pt', note: 'ünïcode "quoted"\n' }));
    expect(back.metadata).toEqual({ format: 'pt', note: 'ünïcode "quoted"\n' });
    expect(Array.from(tensorToF32(back.tensors.w))).toEqual([1.5, -2, Math.fround(1e-30), Math.fround(3.4e38)]);
    expect(back.tensors.w.shape).toEqual([2, 2]);
  });

  it('applies the reference checks with clear errors', () => {
    const good = encodeSafetensors({ x: f32Tensor(new Float32Array([1, 2]), [2]) });
    expect(() => decodeSafetensors(good.subarray(0, 4))).toThrow(SafetensorsError);
    expect(() => decodeSafetensors(good.subarray(0, good.length - 1))).toThrow(/data ends at \d+ but the file has/);
    const edit = (from: string, to: string) => {
      const n = Number(new DataView(good.buffer).getBigUint64(0, true));
      const text = new TextDecoder().decode(good.subarray(8, 8 + n)).replace(from, to).padEnd(n, ' ');
      const b = good.slice();
      b.set(new TextEncoder().encode(text), 8);
      return b;
    };
    expect(() => decodeSafetensors(edit('[0,8]', '[4,8]'))).toThrow(/do not continue from 0/);
    expect(() => decodeSafetensors(edit('"shape":[2]', '"shape":[3]'))).toThrow(/8 bytes for F32\[3\]/);
    expect(() => decodeSafetensors(edit('"F32"', '"F99"'))).toThrow(/unknown dtype F99/);
    const huge = good.slice();
    new DataView(huge.buffer).setBigUint64(0, 200_000_000n, true);
    expect(() => decodeSafetensors(huge)).toThrow(/exceeds/);
  });
});
