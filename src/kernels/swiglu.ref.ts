// Float64 reference of the SwiGLU activation on gate|up rows (formulas in shaders/swiglu.wgsl).

const sigmoid = (g: number) => 1 / (1 + Math.exp(-g));

export function swigluForwardRef(gu: ArrayLike<number>, rows: number, inner: number): Float64Array {
  const act = new Float64Array(rows * inner);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < inner; c++) {
      const g = gu[r * 2 * inner + c], u = gu[r * 2 * inner + inner + c];
      act[r * inner + c] = g * sigmoid(g) * u;
    }
  }
  return act;
}

export function swigluBackwardRef(gu: ArrayLike<number>, dact: ArrayLike<number>, rows: number, inner: number): Float64Array {
  const dgu = new Float64Array(rows * 2 * inner);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < inner; c++) {
      const ig = r * 2 * inner + c;
      const g = gu[ig], u = gu[ig + inner], s = sigmoid(g), d = dact[r * inner + c];
      dgu[ig] = d * u * s * (1 + g * (1 - s));
      dgu[ig + inner] = d * g * s;
    }
  }
  return dgu;
}
