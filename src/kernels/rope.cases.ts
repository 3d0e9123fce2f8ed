import { seededFloats, testGpu } from '../gpu/testing';
import { expectClose, finiteDiff, toF64 } from './expect-close';
import { packRows } from './packing';
import { Rope, ropeTable } from './rope';
import { ropeRef } from './rope.ref';
import { expect } from './cases/expect';
import { kernelCases } from './cases/suite';

export default kernelCases('rope', ({ describe, it }) => {
  // One rotation in float32 with the table's cos/sin rounded once: ~2 ulp of |v|.
  const TOL = { abs: 3e-7, rel: 1e-6 };

  describe('rotary embedding vs float64 reference', () => {
    it('rotates the q and k heads of fused qkv rows of packed sequences, leaves v alone; backward is the transpose', async () => {
      const gpu = await testGpu();
      const hd = 16, H = 4, KV = 2, theta = 10000, maxPositions = 4096;
      const ld = (H + 2 * KV) * hd;
      // The last sequence continues at position 4080: angles of thousands of radians.
      const packed = packRows([5, 1, 9], [0, 7, 4080]);
      const rows = packed.start.length;
      const layout = { rows, heads: H + KV, ld, offset: 0 };
      const rope = await Rope.create(gpu, { headDim: hd, theta, maxPositions });
      rope.checkPositions(packed.position);
      const v = seededFloats(rows * ld, 3, -2, 2);
      const V = gpu.tensor(v), pos = gpu.tensor(packed.position);
      rope.record(V, pos, layout, 'forward');
      const fwd = await gpu.read(V);
      const want = ropeRef(v, packed.position, layout, hd, theta, 'forward');
      expectClose(fwd, want, TOL, 'rotated qkv');
      for (let r = 0; r < rows; r++) {
        const vCols = fwd.subarray(r * ld + (H + KV) * hd, (r + 1) * ld);
        expect(Array.from(vCols)).toEqual(Array.from(v.subarray(r * ld + (H + KV) * hd, (r + 1) * ld)));
      }
      // Position 0 is the identity.
      expect(Array.from(fwd.subarray(0, (H + KV) * hd))).toEqual(Array.from(v.subarray(0, (H + KV) * hd)));
      rope.record(V, pos, layout, 'backward');
      expectClose(await gpu.read(V), v, { abs: 1e-6, rel: 1e-6 }, 'backward ∘ forward = identity');
      const g = seededFloats(rows * ld, 4);
      gpu.write(V, g);
      rope.record(V, pos, layout, 'backward');
      expectClose(await gpu.read(V), ropeRef(g, packed.position, layout, hd, theta, 'backward'), TOL, 'backward');
      rope.destroy();
      gpu.release(V, pos);
    });

    it('the backward matches finite differences of L = Σ G ⊙ rope(v)', async () => {
      const gpu = await testGpu();
      const hd = 4, theta = 100;
      const layout = { rows: 3, heads: 2, ld: 10, offset: 1 };
      const positions = Uint32Array.from([0, 3, 11]);
      const v = toF64(seededFloats(30, 5));
      const G = seededFloats(30, 6);
      const fd = finiteDiff(() => ropeRef(v, positions, layout, hd, theta, 'forward').reduce((s, x, i) => s + x * G[i], 0), v);
      expectClose(ropeRef(G, positions, layout, hd, theta, 'backward'), fd, { abs: 1e-8, rel: 1e-7 }, 'reference vs FD');
      const rope = await Rope.create(gpu, { headDim: hd, theta, maxPositions: 16 });
      const D = gpu.tensor(G), pos = gpu.tensor(positions);
      rope.record(D, pos, layout, 'backward');
      const got = await gpu.read(D);
      expectClose(got, fd, { abs: 1e-6, rel: 1e-6 }, 'GPU vs FD');
      expect([got[0], got[9]]).toEqual([G[0], G[9]]); // columns outside the heads pass through
      rope.destroy();
      gpu.release(D, pos);
    });

    it('the table holds cos and sin of the float32 angle; bad specs and positions are refused', async () => {
      const t = ropeTable({ headDim: 4, theta: 10000, maxPositions: 3 });
      // position 2, pair 1: invFreq = fround(10000^(−1/2)) = fround(0.01)
      const a = Math.fround(2 * Math.fround(0.01));
      expect(t[(2 * 2 + 1) * 2]).toBe(Math.fround(Math.cos(a)));
      expect(t[(2 * 2 + 1) * 2 + 1]).toBe(Math.fround(Math.sin(a)));
      const gpu = await testGpu();
      await expect(Rope.create(gpu, { headDim: 5, theta: 1e4, maxPositions: 4 })).rejects.toThrow(/even/);
      const rope = await Rope.create(gpu, { headDim: 4, theta: 1e4, maxPositions: 4 });
      expect(() => rope.checkPositions([0, 4])).toThrow(/position 4 at row 1 is beyond the rotary table/);
      const v = gpu.zeros([8]), pos = gpu.zeros([2], 'u32');
      expect(() => rope.record(v, pos, { rows: 2, heads: 2, ld: 6, offset: 0 }, 'forward')).toThrow(/overflow a row of 6/);
      rope.destroy();
      gpu.release(v, pos);
    });

    it('packs sequences: starts, positions, offsets; empty sequences are refused', () => {
      const p = packRows([2, 3], [0, 5]);
      expect(Array.from(p.start)).toEqual([0, 0, 2, 2, 2]);
      expect(Array.from(p.position)).toEqual([0, 1, 5, 6, 7]);
      expect(Array.from(p.offsets)).toEqual([0, 2, 5]);
      expect(() => packRows([3, 0])).toThrow(/sequence 1 has length 0/);
      expect(() => packRows([])).toThrow(/no sequences/);
    });
  });
});
