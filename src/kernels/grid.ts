// Workgroup counts for one-dimensional work. WebGPU caps each dimension at 65535 workgroups, so
// large element counts spill into y; kernels index `gid.x + gid.y · nwg.x · WG` and bound-check.

const MAX_PER_DIM = 65535;

export function grid1d(invocations: number, workgroupSize: number): [number, number] {
  const groups = Math.max(1, Math.ceil(invocations / workgroupSize));
  if (groups <= MAX_PER_DIM) return [groups, 1];
  const y = Math.ceil(groups / MAX_PER_DIM);
  return [Math.ceil(groups / y), y];
}

/** Throws a RangeError naming `what` unless `n` is a positive integer. */
export function assertCount(n: number, what: string): void {
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`${what} must be a positive integer, got ${n}`);
}

/** Throws unless the tensor holds exactly `n` f32 elements. */
export function assertSize(t: { size: number; dtype: string }, n: number, what: string, dtype = 'f32'): void {
  if (t.dtype !== dtype) throw new TypeError(`${what} must be ${dtype}, got ${t.dtype}`);
  if (t.size !== n) throw new RangeError(`${what} has ${t.size} elements, expected ${n}`);
}

/** Throws unless the tensor is an f32 matrix of exactly rows × cols (the matmul kernels need 2-D shapes). */
export function assertMatrix(t: { size: number; dtype: string; shape: readonly number[] }, rows: number, cols: number, what: string): void {
  assertSize(t, rows * cols, what);
  if (t.shape.length !== 2 || t.shape[0] !== rows || t.shape[1] !== cols) {
    throw new RangeError(`${what} must have shape [${rows}×${cols}], got [${t.shape.join('×')}]`);
  }
}

/** The same tensor seen as rows × cols (a reshape of the handle; the data is not touched). */
export function asMatrix<T extends { size: number; dtype: string; shape: readonly number[] }>(t: T, rows: number, cols: number, what: string): T {
  assertSize(t, rows * cols, what);
  if (t.shape.length === 2 && t.shape[0] === rows && t.shape[1] === cols) return t;
  return { ...t, shape: [rows, cols] };
}

/**
 * Throws unless the tensor is `dtype` and holds at least `n` elements. Plans own buffers sized to
 * their capacity and record batches of any size up to it: a batch uses a prefix of each buffer.
 */
export function assertFits(t: { size: number; dtype: string }, n: number, what: string, dtype = 'f32'): void {
  if (t.dtype !== dtype) throw new TypeError(`${what} must be ${dtype}, got ${t.dtype}`);
  if (t.size < n) throw new RangeError(`${what} has ${t.size} elements, needs at least ${n}`);
}

/** Throws unless `n` is an integer in [1, capacity]: the batch a plan was sized for. */
export function assertWithin(n: number, capacity: number, what: string): void {
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`${what} must be a positive integer, got ${n}`);
  if (n > capacity) throw new RangeError(`${what} is ${n}, more than the plan's capacity of ${capacity}`);
}
