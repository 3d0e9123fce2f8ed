// Float64 reference of the row gather and its scatter-add (see shaders/embedding.wgsl).

export function gatherRef(table: ArrayLike<number>, index: ArrayLike<number>, cols: number): Float64Array {
  const out = new Float64Array(index.length * cols);
  for (let r = 0; r < index.length; r++) {
    for (let c = 0; c < cols; c++) out[r * cols + c] = table[index[r] * cols + c];
  }
  return out;
}

/** dtable + Σ_r onehot(index[r]) ⊗ src[r]: the gather's backward, added to `dtable` (copied). */
export function scatterAddRef(dtable: ArrayLike<number>, index: ArrayLike<number>, src: ArrayLike<number>, cols: number): Float64Array {
  const out = Float64Array.from(dtable as ArrayLike<number>);
  for (let r = 0; r < index.length; r++) {
    for (let c = 0; c < cols; c++) out[index[r] * cols + c] += src[r * cols + c];
  }
  return out;
}
