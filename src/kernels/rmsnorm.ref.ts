// Float64 reference of RMSNorm and its backward (formulas in shaders/rmsnorm.wgsl).

export function rmsNormForwardRef(x: ArrayLike<number>, w: ArrayLike<number>, rows: number, dim: number, eps: number): { y: Float64Array; rstd: Float64Array } {
  const y = new Float64Array(rows * dim);
  const rstd = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let ss = 0;
    for (let c = 0; c < dim; c++) ss += x[r * dim + c] ** 2;
    const rho = 1 / Math.sqrt(ss / dim + eps);
    rstd[r] = rho;
    for (let c = 0; c < dim; c++) y[r * dim + c] = x[r * dim + c] * rho * w[c];
  }
  return { y, rstd };
}

export function rmsNormBackwardRef(x: ArrayLike<number>, w: ArrayLike<number>, dy: ArrayLike<number>, rows: number, dim: number, eps: number): { dx: Float64Array; dw: Float64Array } {
  const { rstd } = rmsNormForwardRef(x, w, rows, dim, eps);
  const dx = new Float64Array(rows * dim);
  const dw = new Float64Array(dim);
  for (let r = 0; r < rows; r++) {
    const rho = rstd[r];
    let gx = 0;
    for (let c = 0; c < dim; c++) gx += dy[r * dim + c] * w[c] * x[r * dim + c];
    const k = (rho ** 3 * gx) / dim;
    for (let c = 0; c < dim; c++) {
      const i = r * dim + c;
      dx[i] = rho * dy[i] * w[c] - k * x[i];
      dw[c] += dy[i] * x[i] * rho;
    }
  }
  return { dx, dw };
}
