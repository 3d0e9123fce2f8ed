// Float64 reference for colsum.ts.

export function colsumRef(x: ArrayLike<number>, rows: number, cols: number, weights?: ArrayLike<number>, scale = 1): Float64Array {
  const out = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const w = weights ? weights[r] : 1;
    for (let c = 0; c < cols; c++) out[c] += w * x[r * cols + c];
  }
  for (let c = 0; c < cols; c++) out[c] *= scale;
  return out;
}
