import { seededFloats, testGpu } from '../gpu/testing';
import { expectClose, finiteDiff, toF64 } from './expect-close';
import { RmsNorm } from './rmsnorm';
import { rmsNormBackwardRef, rmsNormForwardRef } from './rmsnorm.ref';
import { expect } from './cases/expect';
import { kernelCases } from './cases/suite';

export default kernelCases('rmsnorm', ({ describe, it }) => {
  // float32 sums of D ≤ 200 squares and products, then a few multiplies: ~1e-6 relative. The
  // weight gradient sums up to 300 rows: its absolute error grows with the row count.
  const TOL = { abs: 2e-6, rel: 2e-5 };
  const EPS = 1e-5;

  describe('RMSNorm vs float64 reference', () => {
    it('one plan: batches of 1, 7, 300 (= capacity) rows (7: a tail after the four-row steps), D = 200 (not a multiple of the workgroup)', async () => {
      const gpu = await testGpu();
      const D = 200, cap = 300;
      const plan = await RmsNorm.create(gpu, { dim: D, eps: EPS, maxRows: cap });
      const w = seededFloats(D, 1, 0.5, 1.5);
      const W = gpu.tensor(w);
      const X = gpu.empty([cap, D]), Y = gpu.empty([cap, D]), R = gpu.empty([cap]), DY = gpu.empty([cap, D]), DX = gpu.empty([cap, D]), DW = gpu.empty([D]);
      for (const [rows, seed] of [[1, 2], [7, 3], [300, 4]]) {
        const x = seededFloats(rows * D, seed, -2, 2), dy = seededFloats(rows * D, seed + 9);
        gpu.write(X, x);
        gpu.write(DY, dy);
        plan.forward({ x: X, weight: W, y: Y, rstd: R }, rows);
        plan.backward({ x: X, weight: W, rstd: R, dy: DY, dx: DX, dweight: DW }, rows);
        const [y, r, dx, dw] = await gpu.readMany([Y, R, DX, DW]);
        const f = rmsNormForwardRef(x, w, rows, D, EPS);
        const b = rmsNormBackwardRef(x, w, dy, rows, D, EPS);
        expectClose(y.subarray(0, rows * D), f.y, TOL, `y (${rows} rows)`);
        expectClose(r.subarray(0, rows), f.rstd, TOL, `ρ (${rows} rows)`);
        expectClose(dx.subarray(0, rows * D), b.dx, TOL, `dx (${rows} rows)`);
        expectClose(dw, b.dw, { abs: 2e-6 * rows, rel: 2e-5 }, `dw (${rows} rows)`);
      }
      plan.destroy();
      gpu.release(W, X, Y, R, DY, DX, DW);
    });

    it('accumulates into dx and dw when asked', async () => {
      const gpu = await testGpu();
      const rows = 5, D = 8;
      const plan = await RmsNorm.create(gpu, { dim: D, eps: EPS, maxRows: rows });
      const x = seededFloats(rows * D, 5), w = seededFloats(D, 6), dy = seededFloats(rows * D, 7);
      const dx0 = seededFloats(rows * D, 8), dw0 = seededFloats(D, 9);
      const X = gpu.tensor(x), W = gpu.tensor(w), Y = gpu.empty([rows * D]), R = gpu.empty([rows]), DY = gpu.tensor(dy), DX = gpu.tensor(dx0), DW = gpu.tensor(dw0);
      plan.forward({ x: X, weight: W, y: Y, rstd: R }, rows);
      plan.backward({ x: X, weight: W, rstd: R, dy: DY, dx: DX, dweight: DW, accumulateInput: true, accumulateWeight: true }, rows);
      const [dx, dw] = await gpu.readMany([DX, DW]);
      const b = rmsNormBackwardRef(x, w, dy, rows, D, EPS);
      expectClose(dx, b.dx.map((v, i) => v + dx0[i]), TOL, 'dx += …');
      expectClose(dw, b.dw.map((v, i) => v + dw0[i]), TOL, 'dw += …');
      plan.destroy();
      gpu.release(X, W, Y, R, DY, DX, DW);
    });

    it('gradients match finite differences of L = Σ G ⊙ rmsnorm(x; w)', async () => {
      const gpu = await testGpu();
      const rows = 3, D = 5;
      const x = toF64(seededFloats(rows * D, 11, -1.5, 1.5)), w = toF64(seededFloats(D, 12, 0.5, 1.5));
      const G = seededFloats(rows * D, 13);
      const loss = () => rmsNormForwardRef(x, w, rows, D, EPS).y.reduce((s, v, i) => s + v * G[i], 0);
      const fdx = finiteDiff(loss, x), fdw = finiteDiff(loss, w);
      const ref = rmsNormBackwardRef(x, w, G, rows, D, EPS);
      expectClose(ref.dx, fdx, { abs: 1e-8, rel: 1e-6 }, 'reference dx vs FD');
      expectClose(ref.dw, fdw, { abs: 1e-8, rel: 1e-6 }, 'reference dw vs FD');
      const plan = await RmsNorm.create(gpu, { dim: D, eps: EPS, maxRows: rows });
      const X = gpu.tensor(Float32Array.from(x)), W = gpu.tensor(Float32Array.from(w)), Y = gpu.empty([rows * D]), R = gpu.empty([rows]);
      const DY = gpu.tensor(G), DX = gpu.empty([rows * D]), DW = gpu.empty([D]);
      plan.forward({ x: X, weight: W, y: Y, rstd: R }, rows);
      plan.backward({ x: X, weight: W, rstd: R, dy: DY, dx: DX, dweight: DW }, rows);
      const [dx, dw] = await gpu.readMany([DX, DW]);
      expectClose(dx, fdx, { abs: 1e-5, rel: 1e-4 }, 'GPU dx vs FD');
      expectClose(dw, fdw, { abs: 1e-5, rel: 1e-4 }, 'GPU dw vs FD');
      plan.destroy();
      gpu.release(X, W, Y, R, DY, DX, DW);
    });

    it('rejects a batch over capacity and undersized buffers', async () => {
      const gpu = await testGpu();
      const plan = await RmsNorm.create(gpu, { dim: 4, eps: EPS, maxRows: 2 });
      const t = gpu.zeros([8]), small = gpu.zeros([3]);
      expect(() => plan.forward({ x: t, weight: t, y: t, rstd: t }, 3)).toThrow(/capacity of 2/);
      expect(() => plan.forward({ x: t, weight: small, y: t, rstd: t }, 2)).toThrow(/RMSNorm weight has 3 elements, needs at least 4/);
      await expect(RmsNorm.create(gpu, { dim: 4, eps: 0, maxRows: 2 })).rejects.toThrow(/ε must be > 0/);
      plan.destroy();
      gpu.release(t, small);
    });
  });
});
