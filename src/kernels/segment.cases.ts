import { seededFloats, testGpu } from '../gpu/testing';
import { expectClose } from './expect-close';
import type { Activation } from './matmul';
import { PreparedSegmentRows } from './segment';
import { segmentBroadcastRef, segmentSumRef } from './segment.ref';
import { offsetsFromSizes, uploadSegments, validateOffsets } from './segments';
import { expect } from './cases/expect';
import { kernelCases } from './cases/suite';

export default kernelCases('segment', ({ describe, it }) => {
  const TOL = { abs: 1e-6, rel: 1e-5 };

  describe('segment rows vs float64 reference', () => {
    // Set sizes 1 … 200; 131 sets (not a multiple of the workgroup); 5 columns.
    const sizes = Array.from({ length: 131 }, (_, i) => (i === 7 ? 200 : 1 + ((i * 37) % 23)));
    const offsets = offsetsFromSizes(sizes);
    const C = 5, S = sizes.length, N = offsets[S];
    for (const act of ['identity', 'relu', 'tanh', 'gelu'] as Activation[]) {
      it(`broadcast with ${act}, and sum`, async () => {
        const gpu = await testGpu();
        const perSet = seededFloats(S * C, 1), perRow = seededFloats(N * C, 2), g = seededFloats(N * C, 3);
        const op = await PreparedSegmentRows.create(gpu, C, act);
        const seg = uploadSegments(gpu, offsets, { what: 'sets' });
        const PS = gpu.tensor(perSet), A = gpu.tensor(perRow), Y = gpu.empty([N * C]), G = gpu.tensor(g), T = gpu.empty([S * C]);
        op.broadcast(seg, PS, A, Y);
        op.sum(seg, G, T);
        const [z, y, t] = await gpu.readMany([A, Y, T]);
        const ref = segmentBroadcastRef(offsets, perSet, perRow, C, act);
        expectClose(z, ref.z, TOL, 'Z (in place)');
        expectClose(y, ref.y, TOL, 'Y');
        expectClose(t, segmentSumRef(offsets, g, C), { abs: 1e-5, rel: 1e-5 }, 'sum');
        gpu.release(PS, A, Y, G, T, seg.offsets);
      });
    }

    it('sum is the adjoint of the broadcast: <bcast(S), G> = <S, sum(G)> (its exact gradient)', () => {
      const offsets = offsetsFromSizes([1, 4, 2]);
      const S = seededFloats(3 * 2, 8), G = seededFloats(7 * 2, 9);
      const b = segmentBroadcastRef(offsets, S, new Float32Array(14), 2, 'identity').y;
      const lhs = b.reduce((a, v, i) => a + v * G[i], 0);
      const rhs = segmentSumRef(offsets, G, 2).reduce((a, v, i) => a + v * S[i], 0);
      expect(lhs).toBeCloseTo(rhs, 12);
    });
  });

  describe('offset validation', () => {
    it('names what is wrong', () => {
      const r = { what: 'trajectories' };
      expect(() => validateOffsets([0, 3, 2], r)).toThrow(/trajectories: offsets out of order at set 1 \(3 > 2\)/);
      expect(() => validateOffsets([0, 2, 2, 5], r)).toThrow(/set 1 is empty/);
      expect(() => validateOffsets([1, 2], r)).toThrow(/must start at 0/);
      expect(() => validateOffsets([0], r)).toThrow(/at least 2 entries/);
      expect(() => validateOffsets([0, 2, 5], { ...r, total: 6 })).toThrow(/end at 5 but there are 6 rows/);
      expect(() => validateOffsets([0, 2.5, 5], r)).toThrow(/not a u32/);
      expect(validateOffsets([0, 1, 5], r)).toEqual({ count: 2, total: 5, largest: 4 });
    });

    it('record checks sizes before dispatching', async () => {
      const gpu = await testGpu();
      const op = await PreparedSegmentRows.create(gpu, 3);
      const seg = uploadSegments(gpu, [0, 2, 3], { what: 'sets' });
      const before = gpu.stats.dispatches;
      expect(() => op.broadcast(seg, gpu.zeros([6]), gpu.zeros([8]), gpu.zeros([9]))).toThrow(/per-row input has 8 elements, needs at least 9/);
      expect(() => op.sum(seg, gpu.zeros([9]), gpu.zeros([5]))).toThrow(/segment-sum output has 5 elements, needs at least 6/);
      expect(gpu.stats.dispatches).toBe(before);
    });
  });
});
