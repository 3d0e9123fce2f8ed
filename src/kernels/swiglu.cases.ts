import { seededFloats, testGpu } from '../gpu/testing';
import { expectClose, finiteDiff, toF64 } from './expect-close';
import { SwiGlu } from './swiglu';
import { swigluBackwardRef, swigluForwardRef } from './swiglu.ref';
import { expect } from './cases/expect';
import { kernelCases } from './cases/suite';

export default kernelCases('swiglu', ({ describe, it }) => {
  // A handful of float32 operations per element, exp included: a few ulp.
  const TOL = { abs: 1e-6, rel: 3e-6 };

  describe('SwiGLU vs float64 reference', () => {
    it('one plan: batches of 1, 13 and 40 (= capacity) rows, I = 77', async () => {
      const gpu = await testGpu();
      const I = 77, cap = 40;
      const plan = await SwiGlu.create(gpu, { inner: I, maxRows: cap });
      const GU = gpu.empty([cap, 2 * I]), A = gpu.empty([cap, I]), DA = gpu.empty([cap, I]), DGU = gpu.empty([cap, 2 * I]);
      for (const [rows, seed] of [[1, 1], [13, 2], [40, 3]]) {
        const gu = seededFloats(rows * 2 * I, seed, -6, 6), dact = seededFloats(rows * I, seed + 5);
        gpu.write(GU, gu);
        gpu.write(DA, dact);
        plan.forward({ gu: GU, act: A }, rows);
        plan.backward({ gu: GU, dact: DA, dgu: DGU }, rows);
        const [a, dgu] = await gpu.readMany([A, DGU]);
        expectClose(a.subarray(0, rows * I), swigluForwardRef(gu, rows, I), TOL, `act (${rows} rows)`);
        expectClose(dgu.subarray(0, rows * 2 * I), swigluBackwardRef(gu, dact, rows, I), TOL, `dgu (${rows} rows)`);
      }
      gpu.release(GU, A, DA, DGU);
    });

    it('gradients match finite differences; extreme gates stay finite', async () => {
      const gpu = await testGpu();
      const rows = 2, I = 3;
      const gu = toF64(seededFloats(rows * 2 * I, 9, -3, 3));
      const G = seededFloats(rows * I, 10);
      const fd = finiteDiff(() => swigluForwardRef(gu, rows, I).reduce((s, v, i) => s + v * G[i], 0), gu);
      expectClose(swigluBackwardRef(gu, G, rows, I), fd, { abs: 1e-8, rel: 1e-7 }, 'reference vs FD');
      const plan = await SwiGlu.create(gpu, { inner: I, maxRows: rows });
      const GU = gpu.tensor(Float32Array.from(gu)), A = gpu.empty([rows * I]), DA = gpu.tensor(G), DGU = gpu.empty([rows * 2 * I]);
      plan.backward({ gu: GU, dact: DA, dgu: DGU }, rows);
      expectClose(await gpu.read(DGU), fd, { abs: 1e-6, rel: 1e-5 }, 'GPU vs FD');
      // gates of ±200 and ±1e30: silu → 0 or g, its derivative → 0 or 1, never NaN
      gpu.write(GU, Float32Array.from([-200, 200, -1e30, 1, 1, 1, 1e30, 0, 100, 1, 1, 1]));
      plan.forward({ gu: GU, act: A }, rows);
      plan.backward({ gu: GU, dact: DA, dgu: DGU }, rows);
      const [a, d] = await gpu.readMany([A, DGU]);
      expect(Array.from(a)).toEqual([-0, 200, -0, 1e30, 0, 100].map(Math.fround));
      expect(Array.from(d).every(Number.isFinite)).toBe(true);
      gpu.release(GU, A, DA, DGU);
    });
  });
});
