import { seededFloats, testGpu } from '../gpu/testing';
import { expectClose } from './expect-close';
import { PreparedGae, PreparedWhiten, WHITEN_STATS } from './gae';
import { gaeRef, whitenRef } from './gae.ref';
import { offsetsFromSizes, uploadSegments } from './segments';
import { expect } from './cases/expect';
import { kernelCases } from './cases/suite';

export default kernelCases('gae', ({ describe, it }) => {
  const TOL = { abs: 1e-5, rel: 1e-5 };

  describe('step-level GAE vs float64 reference', () => {
    const cases: [string, number[], number, number][] = [
      ['one trajectory of one step', [1], 0.99, 0.95],
      ['67 trajectories of 1–50 steps, γ=0.95 λ=0.9', Array.from({ length: 67 }, (_, i) => 1 + ((i * 29) % 50)), 0.95, 0.9],
      ['γ=1, λ=1 (Monte-Carlo returns)', [5, 3, 8], 1, 1],
      ['λ=0 (one-step TD)', [4, 6], 0.9, 0],
    ];
    for (const [name, sizes, gamma, lambda] of cases) {
      it(name, async () => {
        const gpu = await testGpu();
        const offsets = offsetsFromSizes(sizes);
        const T = offsets[sizes.length];
        const r = seededFloats(T, T, -1, 1), v = seededFloats(T, T + 1, -1, 1);
        const boot = seededFloats(sizes.length, 3, -1, 1).map((b, i) => (i % 2 ? 0 : b)); // half ended, half cut off
        const gae = await PreparedGae.create(gpu);
        const seg = uploadSegments(gpu, offsets, { what: 'trajectories', total: T });
        const R = gpu.tensor(r), V = gpu.tensor(v), B = gpu.tensor(boot), A = gpu.empty([T]), G = gpu.empty([T]);
        gae.record(seg, { gamma, lambda, rewards: R, values: V, bootstrap: B, advantages: A, returns: G });
        const [adv, ret] = await gpu.readMany([A, G]);
        const ref = gaeRef(offsets, r, v, boot, gamma, lambda);
        expectClose(adv, ref.advantages, TOL, 'advantages');
        expectClose(ret, ref.returns, TOL, 'returns');
        gpu.release(R, V, B, A, G, seg.offsets);
      });
    }

    it('the last step of an ended trajectory has A = r − V, of a cut-off one A = r + γ·V_next − V', () => {
      const { advantages } = gaeRef([0, 1, 2], [1, 1], [0.25, 0.25], [0, 0.5], 0.9, 0.95);
      expect(Array.from(advantages)).toEqual([0.75, 1 + 0.45 - 0.25]);
    });
  });

  describe('masked whitening vs float64 reference', () => {
    for (const n of [1, 2, 63, 1000, 4097]) {
      it(`${n} values, about a third masked out`, async () => {
        const gpu = await testGpu();
        const x = seededFloats(n, n, 3, 7); // a large mean relative to the spread: a one-pass variance would cancel
        const m = Float32Array.from({ length: n }, (_, i) => (n < 3 || i % 3 ? 1 : 0));
        const w = await PreparedWhiten.create(gpu, n);
        const X = gpu.tensor(x), M = gpu.tensor(m), Y = gpu.empty([n]), S = gpu.empty([4]);
        w.record(X, M, Y, S);
        const [y, s] = await gpu.readMany([Y, S]);
        const ref = whitenRef(x, m);
        expectClose([s[WHITEN_STATS.mean], s[WHITEN_STATS.variance], s[WHITEN_STATS.count]], [ref.mean, ref.variance, ref.count], { abs: 1e-5, rel: 1e-5 }, 'stats');
        expectClose(y, ref.out, { abs: n === 1 ? 1e-3 : 1e-4, rel: 1e-4 }, 'whitened');
        if (n > 2) {
          let mean = 0, k = 0;
          y.forEach((v, i) => { mean += m[i] * v; k += m[i]; });
          expect(Math.abs(mean / k)).toBeLessThan(1e-4);
        }
        w.destroy();
        gpu.release(X, M, Y, S);
      });
    }
  });

  describe('GAE straight into the PPO batch layout', () => {
    it('returns and whitened advantages land in their columns, the others untouched', async () => {
      const gpu = await testGpu();
      const sizes = [3, 5, 1], offsets = offsetsFromSizes(sizes), T = 9, stride = 4;
      const r = seededFloats(T, 1), v = seededFloats(T, 2), boot = new Float32Array([0, 0.3, 0]);
      const batch0 = seededFloats(T * stride, 3);
      const gae = await PreparedGae.create(gpu), w = await PreparedWhiten.create(gpu, T);
      const seg = uploadSegments(gpu, offsets, { what: 'trajectories' });
      const R = gpu.tensor(r), V = gpu.tensor(v), B = gpu.tensor(boot), A = gpu.empty([T]), batch = gpu.tensor(batch0), M = gpu.tensor(new Float32Array(T).fill(1)), S = gpu.empty([4]);
      gae.record(seg, { gamma: 0.9, lambda: 0.8, rewards: R, values: V, bootstrap: B, advantages: A, returns: batch, returnsLayout: { stride, offset: 3 } });
      w.record(A, M, batch, S, { stride, offset: 1 });
      const got = await gpu.read(batch);
      const ref = gaeRef(offsets, r, v, boot, 0.9, 0.8);
      const white = whitenRef(ref.advantages, new Float32Array(T).fill(1)).out;
      const col = (k: number) => Array.from({ length: T }, (_, t) => got[t * stride + k]);
      expectClose(col(3), ref.returns, TOL, 'returns column');
      expectClose(col(1), white, { abs: 1e-4, rel: 1e-4 }, 'advantage column');
      expect(col(0)).toEqual(Array.from({ length: T }, (_, t) => batch0[t * stride]));
      expect(col(2)).toEqual(Array.from({ length: T }, (_, t) => batch0[t * stride + 2]));
      expect(() => w.record(A, M, batch, S, { stride, offset: 4 })).toThrow(/0 ≤ offset < stride/);
      w.destroy();
      gpu.release(R, V, B, A, batch, M, S, seg.offsets);
    });
  });

  describe('GAE and whitening errors', () => {
    it('reject bad inputs before any dispatch', async () => {
      const gpu = await testGpu();
      const gae = await PreparedGae.create(gpu);
      const seg = uploadSegments(gpu, [0, 2, 5], { what: 'trajectories' });
      const t = (n: number) => gpu.zeros([n]);
      const before = gpu.stats.dispatches;
      const ok = { gamma: 0.9, lambda: 0.9, rewards: t(5), values: t(5), bootstrap: t(2), advantages: t(5), returns: t(5) };
      expect(() => gae.record(seg, { ...ok, values: t(4) })).toThrow(/GAE values has 4 elements, needs at least 5/);
      expect(() => gae.record(seg, { ...ok, bootstrap: t(1) })).toThrow(/bootstrap values \(one per trajectory\) has 1 elements, needs at least 2/);
      expect(() => gae.record(seg, { ...ok, gamma: 1.5 })).toThrow(/γ must be in \[0, 1\]/);
      expect(() => uploadSegments(gpu, [0, 3, 3], { what: 'trajectories' })).toThrow(/trajectories: set 1 is empty/);
      const w = await PreparedWhiten.create(gpu, 5);
      const x = t(5);
      expect(() => w.record(x, t(4), t(5), t(4))).toThrow(/whitening mask has 4 elements, needs at least 5/);
      expect(() => w.record(x, t(5), x, t(4))).toThrow(/cannot run in place/);
      expect(gpu.stats.dispatches).toBe(before);
      w.destroy();
    });
  });
});
