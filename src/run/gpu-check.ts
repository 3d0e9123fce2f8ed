// The GPU check the lab's GPU screen shows, run where the training device lives (the trainer
// worker): every matmul variant multiplies seeded matrices and sampled entries are compared with a
// float64 reference, with timings, so a user can trust the numbers before training on this GPU.

import type { Gpu } from '../gpu';
import { applicableVariants, prepareMatmul, tunedVariant, type MatmulDims, type MatmulVariant } from '../kernels/matmul';
import type { MatmulCheckRow } from './protocol';

const SIZES = [64, 256, 512];
/** Output entries compared against float64 per case. */
export const CHECK_SAMPLES = 256;
/** Pass when the error relative to Σ|a·b| of the sampled entry is at most this. */
export const CHECK_TOLERANCE = 1e-4;

function seeded(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}

export async function runMatmulCheck(gpu: Gpu, onRow: (r: MatmulCheckRow) => void): Promise<MatmulCheckRow[]> {
  const rows: MatmulCheckRow[] = [];
  for (const n of SIZES) {
    const dims: MatmulDims = { M: n, N: n, K: n, form: 'nn' };
    const a = seeded(n * n, n), b = seeded(n * n, n + 1);
    const A = gpu.tensor(a, [n, n]), B = gpu.tensor(b, [n, n]);
    const pick = await tunedVariant(gpu, dims);
    const variants: (MatmulVariant | 'auto')[] = [...applicableVariants(dims), 'auto'];
    for (const variant of variants) {
      const op = await prepareMatmul(gpu, dims, { variant });
      const C = gpu.empty([n, n]);
      op.record(A, B, C);
      await gpu.done();
      const t0 = performance.now();
      op.record(A, B, C);
      const c = await gpu.read(C);
      const ms = performance.now() - t0;
      let maxRelErr = 0;
      for (let s = 0; s < CHECK_SAMPLES; s++) {
        const i = (s * 7919) % n, j = (s * 104729) % n;
        let want = 0, scale = 0; // float64 dot product of row i and column j
        for (let k = 0; k < n; k++) {
          want += a[i * n + k] * b[k * n + j];
          scale += Math.abs(a[i * n + k] * b[k * n + j]);
        }
        maxRelErr = Math.max(maxRelErr, Math.abs(c[i * n + j] - want) / (scale + 1e-12));
      }
      const row: MatmulCheckRow = {
        shape: `${n}³`, variant: variant === 'auto' ? `autotuned → ${pick}` : variant,
        ms, gflops: (2 * n * n * n) / ms / 1e6, maxRelErr, ok: maxRelErr <= CHECK_TOLERANCE,
      };
      rows.push(row);
      onRow(row);
      gpu.release(C);
    }
    gpu.release(A, B);
  }
  return rows;
}

/** C = A·B on the device, for checks made outside (the e2e test compares it with float64 there). */
export async function multiplyOnGpu(gpu: Gpu, p: { a: number[]; b: number[]; M: number; N: number; K: number }): Promise<number[]> {
  const { M, N, K } = p;
  if (p.a.length !== M * K || p.b.length !== K * N) throw new RangeError(`probe: A must hold M·K = ${M * K} and B K·N = ${K * N} numbers`);
  const A = gpu.tensor(new Float32Array(p.a), [M, K]), B = gpu.tensor(new Float32Array(p.b), [K, N]);
  const op = await prepareMatmul(gpu, { M, N, K, form: 'nn' });
  const C = gpu.empty([M, N]);
  op.record(A, B, C);
  const out = Array.from(await gpu.read(C));
  gpu.release(A, B, C);
  return out;
}
