// Ragged sets described by offsets (set s = rows offsets[s] … offsets[s+1] − 1): validation on
// the CPU, before anything is uploaded or dispatched, and the GPU copy the kernels read.

import type { Gpu, Tensor } from '../gpu';

export interface Segments {
  /** Number of sets. */
  readonly count: number;
  /** Rows in all sets together (= offsets[count]). */
  readonly total: number;
  readonly largest: number;
  readonly host: Uint32Array;
  readonly offsets: Tensor<'u32'>;
}

export interface SegmentRules {
  /** What the sets are, for error messages ("candidate sets", "trajectories"). */
  what: string;
  /** The row count the offsets must end at, when known. */
  total?: number;
  /** Largest allowed set. */
  maxSize?: number;
}

/** Throws a RangeError that says what is wrong with the offsets. Every set must be non-empty. */
export function validateOffsets(offsets: ArrayLike<number>, rules: SegmentRules): { count: number; total: number; largest: number } {
  const { what } = rules;
  if (offsets.length < 2) throw new RangeError(`${what}: offsets need at least 2 entries (one set), got ${offsets.length}`);
  if (offsets[0] !== 0) throw new RangeError(`${what}: offsets must start at 0, got ${offsets[0]}`);
  let largest = 0;
  for (let s = 0; s + 1 < offsets.length; s++) {
    const a = offsets[s], b = offsets[s + 1];
    if (!Number.isInteger(b) || b > 0xffffffff) throw new RangeError(`${what}: offset ${s + 1} is ${b}, not a u32`);
    if (b < a) throw new RangeError(`${what}: offsets out of order at set ${s} (${a} > ${b})`);
    if (b === a) throw new RangeError(`${what}: set ${s} is empty (offsets ${a} … ${b})`);
    largest = Math.max(largest, b - a);
  }
  if (rules.maxSize !== undefined && largest > rules.maxSize) throw new RangeError(`${what}: a set has ${largest} rows, more than the ${rules.maxSize} allowed`);
  const total = offsets[offsets.length - 1];
  if (rules.total !== undefined && total !== rules.total) {
    throw new RangeError(`${what}: offsets end at ${total} but there are ${rules.total} rows (mismatched lengths)`);
  }
  return { count: offsets.length - 1, total, largest };
}

export function uploadSegments(gpu: Gpu, offsets: ArrayLike<number>, rules: SegmentRules): Segments {
  const { count, total, largest } = validateOffsets(offsets, rules);
  const host = Uint32Array.from(offsets as ArrayLike<number>);
  return { count, total, largest, host, offsets: gpu.tensor(host, [host.length], 'u32') };
}

/**
 * Offsets for batches of up to `maxSets` sets and `maxRows` rows, in one GPU buffer owned here and
 * rewritten by each `load` (so a plan that records batches of changing size allocates nothing per
 * batch). A load replaces the previous batch's offsets: record that batch before loading the next.
 */
export class SegmentsBuffer {
  readonly offsets: Tensor<'u32'>;
  constructor(private readonly gpu: Gpu, readonly maxSets: number, readonly maxRows: number) {
    for (const [n, what] of [[maxSets, 'maxSets'], [maxRows, 'maxRows']] as const) {
      if (!Number.isInteger(n) || n <= 0) throw new RangeError(`segments buffer: ${what} must be a positive integer, got ${n}`);
    }
    this.offsets = gpu.empty([maxSets + 1], 'u32', 'segment-offsets');
  }

  load(offsets: ArrayLike<number>, rules: SegmentRules): Segments {
    const { count, total, largest } = validateOffsets(offsets, rules);
    if (count > this.maxSets) throw new RangeError(`${rules.what}: ${count} sets, more than the capacity of ${this.maxSets}`);
    if (total > this.maxRows) throw new RangeError(`${rules.what}: ${total} rows, more than the capacity of ${this.maxRows}`);
    const host = Uint32Array.from(offsets as ArrayLike<number>);
    this.gpu.write(this.offsets, host);
    return { count, total, largest, host, offsets: this.offsets };
  }

  destroy(): void {
    this.gpu.release(this.offsets);
  }
}

/** Offsets from set sizes: [0, n0, n0 + n1, …]. */
export function offsetsFromSizes(sizes: ArrayLike<number>): Uint32Array {
  const out = new Uint32Array(sizes.length + 1);
  for (let i = 0; i < sizes.length; i++) out[i + 1] = out[i] + sizes[i];
  return out;
}
