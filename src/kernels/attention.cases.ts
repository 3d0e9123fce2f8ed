import type { Gpu } from '../gpu';
import { seededFloats, testGpu } from '../gpu/testing';
import { Attention, fusedQkvLayout, MAX_HEAD_DIM, type AttentionSpec } from './attention';
import { attentionBackwardRef, attentionForwardRef } from './attention.ref';
import { expectClose, finiteDiff, toF64 } from './expect-close';
import { packRows } from './packing';
import { expect } from './cases/expect';
import { kernelCases } from './cases/suite';

export default kernelCases('attention', ({ describe, it }) => {
  // Float32 dot products over HD ≤ 64 and softmax sums over ≤ 300 keys, rescaled tile by tile:
  // errors ~1e-6 relative; gradients sum over ≤ 300 rows as well.
  const TOL = { abs: 3e-6, rel: 3e-5 };

  async function run(gpu: Gpu, plan: Attention, qkv: Float32Array, start: Uint32Array, dO: Float32Array) {
    const rows = start.length;
    const { heads, headDim } = plan.spec;
    const Q = gpu.tensor(qkv), S = gpu.tensor(start), O = gpu.empty([rows * heads * headDim]), L = gpu.empty([heads * rows]);
    const DO = gpu.tensor(dO), DQ = gpu.zeros([qkv.length]);
    plan.forward({ start: S, qkv: Q, o: O, lse: L }, rows);
    plan.backward({ start: S, qkv: Q, o: O, dO: DO, lse: L, dqkv: DQ }, rows);
    const [o, lse, dqkv] = await gpu.readMany([O, L, DQ]);
    gpu.release(Q, S, O, L, DO, DQ);
    return { o, lse, dqkv };
  }

  function check(got: Awaited<ReturnType<typeof run>>, qkv: Float32Array, start: Uint32Array, dO: Float32Array, spec: AttentionSpec, what: string) {
    const layout = fusedQkvLayout(spec);
    const rows = start.length;
    const f = attentionForwardRef(qkv, start, rows, spec, layout);
    expectClose(got.o, f.o, TOL, `${what}: o`);
    expectClose(got.lse, f.lse, TOL, `${what}: lse`);
    expectClose(got.dqkv, attentionBackwardRef(qkv, start, dO, rows, spec, layout), TOL, `${what}: ∂L/∂qkv`);
  }

  describe('flash attention vs float64 reference', () => {
    it('one plan, grouped heads (4 q, 2 kv): packed sequences of 1, 17, 40, 5 rows, then one sequence at capacity', async () => {
      const gpu = await testGpu();
      const spec = { heads: 4, kvHeads: 2, headDim: 16, maxRows: 100 };
      const plan = await Attention.create(gpu, spec);
      const ld = fusedQkvLayout(spec).ld;
      for (const [lengths, seed] of [[[1, 17, 40, 5], 1], [[100], 2]] as const) {
        const { start } = packRows(lengths);
        const rows = start.length;
        const qkv = seededFloats(rows * ld, seed, -2, 2), dO = seededFloats(rows * spec.heads * spec.headDim, seed + 7);
        check(await run(gpu, plan, qkv, start, dO), qkv, start, dO, spec, `sequences ${lengths.join('+')}`);
      }
      plan.destroy();
    });

    it('a long sequence (300 rows) and head dimension 64', async () => {
      const gpu = await testGpu();
      for (const spec of [{ heads: 2, kvHeads: 2, headDim: 32, maxRows: 300 }, { heads: 2, kvHeads: 1, headDim: 64, maxRows: 300 }]) {
        const plan = await Attention.create(gpu, spec);
        const { start } = packRows(spec.headDim === 32 ? [300] : [150, 150]);
        const ld = fusedQkvLayout(spec).ld;
        const qkv = seededFloats(300 * ld, spec.headDim, -1.5, 1.5), dO = seededFloats(300 * spec.heads * spec.headDim, 5);
        check(await run(gpu, plan, qkv, start, dO), qkv, start, dO, spec, `HD ${spec.headDim}`);
        plan.destroy();
      }
    });

    it('gradients match finite differences of L = Σ G ⊙ attention(qkv)', async () => {
      const gpu = await testGpu();
      const spec = { heads: 2, kvHeads: 1, headDim: 4, maxRows: 5 };
      const layout = fusedQkvLayout(spec);
      const { start } = packRows([3, 2]);
      const rows = start.length;
      const qkv = toF64(seededFloats(rows * layout.ld, 21, -1.5, 1.5));
      const G = seededFloats(rows * spec.heads * spec.headDim, 22);
      const fd = finiteDiff(() => attentionForwardRef(qkv, start, rows, spec, layout).o.reduce((s, v, i) => s + v * G[i], 0), qkv);
      expectClose(attentionBackwardRef(qkv, start, G, rows, spec, layout), fd, { abs: 1e-8, rel: 1e-6 }, 'reference vs FD');
      const plan = await Attention.create(gpu, spec);
      const got = await run(gpu, plan, Float32Array.from(qkv), start, G);
      expectClose(got.dqkv, fd, { abs: 2e-6, rel: 2e-5 }, 'GPU vs FD');
      // Row 0 attends only to itself: o_0 = v_0 whatever q_0 and k_0 are.
      expect(Math.abs(fd[0])).toBeLessThan(1e-9);
      plan.destroy();
    });

    it('extreme scores stay finite (the online max rescales them)', async () => {
      const gpu = await testGpu();
      const spec = { heads: 1, kvHeads: 1, headDim: 4, maxRows: 40 };
      const plan = await Attention.create(gpu, spec);
      const { start } = packRows([40]);
      const qkv = seededFloats(40 * 12, 31, -1, 1).map((v, i) => (i % 12 < 8 ? v * 60 : v)); // |s| up to ~1800
      const dO = seededFloats(40 * 4, 32);
      const got = await run(gpu, plan, qkv, start, dO);
      for (const a of [got.o, got.lse, got.dqkv]) expect(Array.from(a).every(Number.isFinite)).toBe(true);
      const f = attentionForwardRef(qkv, start, 40, spec, fusedQkvLayout(spec));
      expectClose(got.o, f.o, { abs: 1e-5, rel: 1e-4 }, 'o at large scores');
      plan.destroy();
    });

    it('bad specs are refused', async () => {
      const gpu = await testGpu();
      await expect(Attention.create(gpu, { heads: 1, kvHeads: 1, headDim: 6, maxRows: 4 })).rejects.toThrow(/multiple of 4/);
      await expect(Attention.create(gpu, { heads: 1, kvHeads: 1, headDim: MAX_HEAD_DIM + 4, maxRows: 4 })).rejects.toThrow(/at most/);
      await expect(Attention.create(gpu, { heads: 3, kvHeads: 2, headDim: 8, maxRows: 4 })).rejects.toThrow(/multiple of kvHeads/);
      const plan = await Attention.create(gpu, { heads: 1, kvHeads: 1, headDim: 4, maxRows: 4 });
      const t = gpu.zeros([64]), s = gpu.zeros([8], 'u32');
      expect(() => plan.forward({ start: s, qkv: t, o: t, lse: t }, 5)).toThrow(/capacity of 4/);
      plan.destroy();
      gpu.release(t, s);
    });
  });
});
