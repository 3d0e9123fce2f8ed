import { seededFloats, testGpu } from '../gpu/testing';
import { groupRows, RowGather } from './embedding';
import { gatherRef, scatterAddRef } from './embedding.ref';
import { expectClose, finiteDiff, toF64 } from './expect-close';
import { expect } from './cases/expect';
import { kernelCases } from './cases/suite';

export default kernelCases('embedding', ({ describe, it }) => {
  // Gather copies floats exactly; the scatter sums ≤ 100 float32 terms of magnitude ≤ 1.
  const EXACT = { abs: 1e-12, rel: 0 };
  const SUM_TOL = { abs: 2e-6, rel: 1e-6 };

  function indices(n: number, tableRows: number, seed: number): Uint32Array {
    // Skewed towards low ids so many rows share a table row, as frequent tokens do.
    return Uint32Array.from(seededFloats(n, seed, 0, 1), (u) => Math.floor(u * u * tableRows));
  }

  describe('row gather / scatter-add vs float64 reference', () => {
    it('one plan serves batches of 1, 57 and 100 (= capacity) rows', async () => {
      const gpu = await testGpu();
      const spec = { cols: 24, tableRows: 37, maxRows: 100 };
      const plan = await RowGather.create(gpu, spec);
      const table = seededFloats(spec.tableRows * spec.cols, 1);
      const T = gpu.tensor(table, [spec.tableRows, spec.cols]);
      const out = gpu.empty([spec.maxRows, spec.cols]);
      const dtable = gpu.empty([spec.tableRows, spec.cols]);
      const src = gpu.empty([spec.maxRows, spec.cols]);
      for (const [n, seed] of [[1, 3], [57, 4], [100, 5]]) {
        const index = indices(n, spec.tableRows, seed);
        const g = seededFloats(n * spec.cols, seed + 10);
        const d0 = seededFloats(spec.tableRows * spec.cols, seed + 20);
        plan.setIndex(index);
        gpu.write(src, g);
        gpu.write(dtable, d0);
        plan.gather(T, out);
        plan.scatterAdd(src, dtable);
        const [o, d] = await gpu.readMany([out, dtable]);
        expectClose(o.subarray(0, n * spec.cols), gatherRef(table, index, spec.cols), EXACT, `gather (${n} rows)`);
        expectClose(d, scatterAddRef(d0, index, g, spec.cols), SUM_TOL, `scatter-add (${n} rows)`);
      }
      plan.destroy();
      gpu.release(T, out, dtable, src);
    });

    it('the scatter-add is the gradient of Σ G ⊙ gather(table): matches finite differences', async () => {
      const gpu = await testGpu();
      const spec = { cols: 3, tableRows: 5, maxRows: 8 };
      const index = Uint32Array.from([4, 0, 4, 2, 4, 0]);
      const G = seededFloats(index.length * spec.cols, 7);
      const table = toF64(seededFloats(spec.tableRows * spec.cols, 8));
      const loss = () => gatherRef(table, index, spec.cols).reduce((s, v, i) => s + v * G[i], 0);
      const fd = finiteDiff(loss, table);
      const plan = await RowGather.create(gpu, spec);
      plan.setIndex(index);
      const src = gpu.tensor(G), dtable = gpu.zeros([spec.tableRows * spec.cols]);
      plan.scatterAdd(src, dtable);
      const got = await gpu.read(dtable);
      expectClose(scatterAddRef(new Float64Array(table.length), index, G, spec.cols), fd, { abs: 1e-8, rel: 1e-7 }, 'reference vs FD');
      expectClose(got, fd, { abs: 1e-6, rel: 1e-6 }, 'GPU vs FD');
      expect(Array.from(got.subarray(3, 6))).toEqual([0, 0, 0]); // table row 1 is never read
      plan.destroy();
      gpu.release(src, dtable);
    });

    it('groups rows stably by index and rejects bad batches before the GPU', async () => {
      const g = groupRows([2, 0, 2, 2, 0], 4);
      expect(Array.from(g.uniq)).toEqual([0, 2]);
      expect(Array.from(g.starts)).toEqual([0, 2, 5]);
      expect(Array.from(g.order)).toEqual([1, 4, 0, 2, 3]);
      expect(() => groupRows([0, 4], 4)).toThrow(/index 4 at row 1 is outside the table's 4 rows/);
      expect(() => groupRows([-1], 4)).toThrow(RangeError);
      const gpu = await testGpu();
      const plan = await RowGather.create(gpu, { cols: 2, tableRows: 4, maxRows: 3 });
      expect(() => plan.gather(gpu.zeros([8]), gpu.zeros([6]))).toThrow(/setIndex before recording/);
      expect(() => plan.setIndex([])).toThrow(/positive integer, got 0/);
      expect(() => plan.setIndex([0, 1, 2, 3])).toThrow(/more than the plan's capacity of 3/);
      plan.destroy();
    });
  });
});
