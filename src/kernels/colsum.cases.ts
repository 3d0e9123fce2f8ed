import { seededFloats, testGpu } from '../gpu/testing';
import { colsumChunks, PreparedColsum } from './colsum';
import { colsumRef } from './colsum.ref';
import { expectClose } from './expect-close';
import { expect } from './cases/expect';
import { kernelCases } from './cases/suite';

export default kernelCases('colsum', ({ describe, it }) => {
  // Tolerance: float32 sums of ≤ 5000 terms of magnitude ≤ 1 in chunks: |err| ≤ 1e-5·(rows/100+1).
  describe('colsum vs float64 reference', () => {
    const shapes: [number, number][] = [[1, 1], [7, 3], [65, 1], [100, 257], [1000, 16], [4099, 5]];
    for (const [rows, cols] of shapes) {
      for (const weighted of [false, true]) {
        it(`${rows}×${cols}${weighted ? ' weighted' : ''}, scaled`, async () => {
          const gpu = await testGpu();
          const x = seededFloats(rows * cols, rows + cols), w = seededFloats(rows, 99);
          const op = await PreparedColsum.create(gpu, { rows, cols, weighted });
          const X = gpu.tensor(x, [rows, cols]), W = gpu.tensor(w), out = gpu.empty([cols]);
          op.record(X, out, { weights: weighted ? W : undefined, scale: 0.5 });
          expectClose(await gpu.read(out), colsumRef(x, rows, cols, weighted ? w : undefined, 0.5), { abs: 1e-5 * (rows / 100 + 1), rel: 1e-6 }, 'colsum');
          op.destroy();
          gpu.release(X, W, out);
        });
      }
    }

    it('accumulates into the output when asked', async () => {
      const gpu = await testGpu();
      const [rows, cols] = [33, 9];
      const x = seededFloats(rows * cols, 4);
      const op = await PreparedColsum.create(gpu, { rows, cols, accumulate: true });
      const X = gpu.tensor(x, [rows, cols]), out = gpu.tensor(new Float32Array(cols).fill(1));
      op.record(X, out);
      op.record(X, out);
      expectClose(await gpu.read(out), colsumRef(x, rows, cols).map((v) => 1 + 2 * v), { abs: 1e-5, rel: 1e-6 }, 'accumulate');
      op.destroy();
      gpu.release(X, out);
    });

    it('chunking covers every row exactly once', () => {
      for (const [r, c] of [[1, 1], [17, 1], [4096, 256], [81920, 256], [5, 100000]]) {
        const { P, rowsPerChunk } = colsumChunks(r, c);
        expect(P * rowsPerChunk).toBeGreaterThanOrEqual(r);
        expect((P - 1) * rowsPerChunk).toBeLessThan(r);
      }
    });

    it('rejects mismatched sizes before dispatching', async () => {
      const gpu = await testGpu();
      const op = await PreparedColsum.create(gpu, { rows: 4, cols: 3 });
      const X = gpu.zeros([4, 2]), out = gpu.zeros([3]);
      const before = gpu.stats.dispatches;
      expect(() => op.record(X, out)).toThrow(/colsum input has 8 elements, needs at least 12/);
      expect(() => op.record(gpu.zeros([12]), out, { weights: gpu.zeros([4]) })).toThrow(/without row weights/);
      expect(gpu.stats.dispatches).toBe(before);
      await expect(PreparedColsum.create(gpu, { rows: 0, cols: 3 })).rejects.toThrow(/rows must be a positive integer/);
      op.destroy();
      gpu.release(X, out);
    });
  });
});
