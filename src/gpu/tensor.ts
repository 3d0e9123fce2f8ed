// A tensor is only a view: shape and dtype over a (pooled) storage buffer. All maths lives in
// kernels; this handle exists so kernel signatures can check shapes before anything is dispatched.

export type DType = 'f32' | 'u32' | 'i32';
export type TypedArrayOf<D extends DType> = D extends 'f32' ? Float32Array : D extends 'u32' ? Uint32Array : Int32Array;

export const BYTES_PER_ELEMENT = 4;

export interface Tensor<D extends DType = DType> {
  readonly shape: readonly number[];
  readonly dtype: D;
  readonly buffer: GPUBuffer;
  /** Number of elements (product of shape). */
  readonly size: number;
  /** size × 4: the bytes the tensor uses (the buffer may be larger: pooled size classes). */
  readonly byteLength: number;
  /**
   * Where the tensor starts in `buffer`, in bytes (absent = 0). A non-zero offset makes the
   * tensor a view into a larger buffer (see `tensorView`); views are never released on their own.
   */
  readonly byteOffset?: number;
  label?: string;
}

/**
 * A view of `count` elements of `parent` starting at element `elementOffset`, with its own shape.
 * Packed parameter and gradient buffers hand each layer such views, so one optimiser dispatch
 * covers every parameter. Storage bindings must start at a multiple of the device's
 * minStorageBufferOffsetAlignment (≤ 256 bytes = 64 floats by the spec), checked here.
 */
export function tensorView<D extends DType>(parent: Tensor<D>, elementOffset: number, shape: readonly number[], alignmentBytes = 256): Tensor<D> {
  const size = numel(shape);
  const byteOffset = (parent.byteOffset ?? 0) + elementOffset * BYTES_PER_ELEMENT;
  if (!Number.isInteger(elementOffset) || elementOffset < 0 || elementOffset + size > parent.size) {
    throw new RangeError(`view of ${shapeString(shape)} at element ${elementOffset} overflows a tensor of ${parent.size} elements`);
  }
  if (byteOffset % alignmentBytes !== 0) {
    throw new RangeError(`view at byte ${byteOffset} is not aligned to ${alignmentBytes} bytes (storage binding offsets must be)`);
  }
  return { shape: [...shape], dtype: parent.dtype, buffer: parent.buffer, size, byteLength: size * BYTES_PER_ELEMENT, byteOffset, label: parent.label };
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new RangeError(`Invalid tensor dimension ${d} in shape [${shape.join(', ')}]`);
    n *= d;
  }
  return n;
}

export function typedArrayFor<D extends DType>(dtype: D, source: ArrayBuffer): TypedArrayOf<D> {
  switch (dtype) {
    case 'f32': return new Float32Array(source) as TypedArrayOf<D>;
    case 'u32': return new Uint32Array(source) as TypedArrayOf<D>;
    case 'i32': return new Int32Array(source) as TypedArrayOf<D>;
    default: throw new Error(`Unknown dtype ${String(dtype)}`);
  }
}

export function dtypeOf(data: Float32Array | Uint32Array | Int32Array): DType {
  if (data instanceof Float32Array) return 'f32';
  if (data instanceof Uint32Array) return 'u32';
  if (data instanceof Int32Array) return 'i32';
  throw new TypeError('Expected a Float32Array, Uint32Array or Int32Array');
}

export function shapeString(shape: readonly number[]): string {
  return `[${shape.join('×')}]`;
}
