import { seededFloats, testGpu } from '../gpu/testing';
import { PreparedReduce, partialCount, reduce, type ReduceOp } from './reduce';
import { reduceAbsRef, reduceRef } from './reduce.ref';
import { expect } from './cases/expect';
import { kernelCases } from './cases/suite';

export default kernelCases('reduce', ({ describe, it }) => {
  // Tolerance: |gpu − f64| ≤ 1e-6 · Σ|term| + 1e-7. The two-level strided summation keeps the
  // float32 error near √n·ε relative to Σ|term|, far inside this bound for n ≤ 10⁶.
  describe('reduce vs float64 reference', () => {
    const sizes = [1, 7, 63, 64, 65, 255, 1000, 4097, 100_003, 1_000_000];
    for (const op of ['sum', 'sumsq'] as ReduceOp[]) {
      for (const n of sizes) {
        it(`${op} of ${n} values`, async () => {
          const gpu = await testGpu();
          const x = seededFloats(n, n + 3, -2, 2);
          const X = gpu.tensor(x);
          const out = await reduce(gpu, X, op);
          const [got] = await gpu.read(out);
          const want = reduceRef(x, op);
          expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-6 * reduceAbsRef(x, op) + 1e-7);
          gpu.release(X, out);
        });
      }
    }

    it('writes into a chosen slot of a metrics tensor, leaving the others', async () => {
      const gpu = await testGpu();
      const x = gpu.tensor(new Float32Array([1, 2, 3, 4]));
      const metrics = gpu.tensor(new Float32Array([-1, -1, -1]));
      const [sum, sq] = await Promise.all([PreparedReduce.create(gpu, 'sum'), PreparedReduce.create(gpu, 'sumsq')]);
      sum.record(x, metrics, 0);
      sq.record(x, metrics, 2);
      expect(Array.from(await gpu.read(metrics))).toEqual([10, -1, 30]);
      expect(() => sum.record(x, metrics, 3)).toThrow(/outIndex 3/);
      gpu.release(x, metrics);
    });

    it('very large values do not overflow to NaN', async () => {
      const gpu = await testGpu();
      const x = gpu.tensor(new Float32Array(1000).fill(1e30));
      const out = await reduce(gpu, x, 'sum');
      const [got] = await gpu.read(out);
      expect(got / 1e33).toBeCloseTo(1, 5);
      expect(partialCount(1000)).toBeGreaterThan(1);
      gpu.release(x, out);
    });
  });
});
