// Float64 reference for spa.ts.

export interface SpaRef {
  loss: number;
  mae: number;
  predictions: Float64Array;
  dc: Float64Array;
}

export function spaLossRef(offsets: ArrayLike<number>, c: ArrayLike<number>, R: ArrayLike<number>): SpaRef {
  const B = offsets.length - 1;
  const predictions = new Float64Array(B);
  const dc = new Float64Array(offsets[B]);
  let loss = 0, mae = 0;
  for (let i = 0; i < B; i++) {
    let C = 0;
    for (let t = offsets[i]; t < offsets[i + 1]; t++) C += c[t];
    predictions[i] = C;
    const err = C - R[i];
    loss += (err * err) / B;
    mae += Math.abs(err) / B;
    for (let t = offsets[i]; t < offsets[i + 1]; t++) dc[t] = (2 * err) / B;
  }
  return { loss, mae, predictions, dc };
}
