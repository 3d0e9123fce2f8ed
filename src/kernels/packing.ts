// Packed sequences: several token sequences laid one after another as the rows of one batch. The
// attention kernel needs each row's sequence start (row i attends to rows start[i] … i) and the
// rotary kernel each row's position inside its sequence.

export interface PackedRows {
  /** First row of each row's sequence. */
  start: Uint32Array;
  /** Position of each row inside its sequence (plus that sequence's start position). */
  position: Uint32Array;
  /** offsets[s] = first row of sequence s; offsets[count] = rows. */
  offsets: Uint32Array;
}

/** Rows of sequences of these lengths, packed in order; `startPositions[s]` offsets sequence s's positions (a KV-cached continuation). */
export function packRows(lengths: readonly number[], startPositions?: readonly number[]): PackedRows {
  if (lengths.length === 0) throw new RangeError('packRows: no sequences');
  if (startPositions && startPositions.length !== lengths.length) {
    throw new RangeError(`packRows: ${startPositions.length} start positions for ${lengths.length} sequences`);
  }
  const offsets = new Uint32Array(lengths.length + 1);
  lengths.forEach((n, s) => {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`packRows: sequence ${s} has length ${n}; every sequence needs at least one token`);
    offsets[s + 1] = offsets[s] + n;
  });
  const rows = offsets[lengths.length];
  const start = new Uint32Array(rows);
  const position = new Uint32Array(rows);
  lengths.forEach((n, s) => {
    const p0 = startPositions?.[s] ?? 0;
    for (let t = 0; t < n; t++) {
      start[offsets[s] + t] = offsets[s];
      position[offsets[s] + t] = p0 + t;
    }
  });
  return { start, position, offsets };
}
