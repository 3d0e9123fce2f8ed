import type { Gpu } from '../gpu';
import { seededFloats, testGpu } from '../gpu/testing';
import { PreparedColsum } from './colsum';
import { expectClose, finiteDiff, toF64 } from './expect-close';
import { offsetsFromSizes } from './segments';
import { CE_STRIDE, GRAD_STRIDE, PreparedSegmentedSoftmax, releaseCandidateSets, SET_COL, SET_STRIDE, uploadCandidateSets } from './segsoftmax';
import { segSoftmaxBackwardRef, segSoftmaxForwardRef } from './segsoftmax.ref';
import { expect } from './cases/expect';
import { kernelCases } from './cases/suite';

export default kernelCases('segsoftmax', ({ describe, it }) => {
  // Tolerance: log-softmax in float32 over ≤ 200 candidates with |z| ≲ 10: errors ~1e-6·|z|.
  const TOL = { abs: 3e-6, rel: 1e-5 };

  interface Case { sizes: number[]; kappa: number; prior: Float32Array; score: Float32Array; chosen: Uint32Array; g: Float32Array }

  function makeCase(sizes: number[], seed: number, kappa = 0.7, scoreRange = 2): Case {
    const N = sizes.reduce((a, b) => a + b, 0);
    const chosen = Uint32Array.from(sizes, (n, i) => (i * 7919 + seed) % n);
    return {
      sizes, kappa, chosen,
      prior: seededFloats(N, seed, -5, 0),
      score: seededFloats(N, seed + 1, -scoreRange, scoreRange),
      g: seededFloats(sizes.length * GRAD_STRIDE, seed + 2),
    };
  }

  async function runGpu(gpu: Gpu, c: Case) {
    const offsets = offsetsFromSizes(c.sizes);
    const S = c.sizes.length, N = offsets[S];
    const sm = await PreparedSegmentedSoftmax.create(gpu);
    const sets = uploadCandidateSets(gpu, offsets, c.chosen, N);
    const prior = gpu.tensor(c.prior), score = gpu.tensor(c.score), logp = gpu.empty([N]), setOut = gpu.empty([S, SET_STRIDE]);
    const grads = gpu.tensor(c.g), dscore = gpu.empty([N]);
    sm.forward(sets, { kappa: c.kappa, prior, score, logp, setOut });
    sm.backward(sets, { kappa: c.kappa, prior, logp, setOut, grads, dscore });
    const [lp, so, ds] = await gpu.readMany([logp, setOut, dscore]);
    releaseCandidateSets(gpu, sets);
    gpu.release(prior, score, logp, setOut, grads, dscore);
    const col = (k: number) => Float32Array.from({ length: S }, (_, s) => so[s * SET_STRIDE + k]);
    return { offsets, logp: lp, setOut: so, dscore: ds, col };
  }

  function gradsOf(c: Case) {
    const S = c.sizes.length;
    const pick = (k: number) => Float64Array.from({ length: S }, (_, s) => c.g[s * GRAD_STRIDE + k]);
    return { gLp: pick(0), gH: pick(1), gKL: pick(2) };
  }

  describe('segmented softmax vs float64 reference', () => {
    const cases: [string, number[]][] = [
      ['sets of 1, 3, 200, 65 and 1', [1, 3, 200, 65, 1]],
      ['131 sets of 1–23 candidates (not a multiple of the workgroup)', Array.from({ length: 131 }, (_, i) => 1 + ((i * 37) % 23))],
    ];
    for (const [name, sizes] of cases) {
      it(`${name}: log π, entropy, KL to prior, backward`, async () => {
        const gpu = await testGpu();
        const c = makeCase(sizes, sizes.length);
        const g = await runGpu(gpu, c);
        const ref = segSoftmaxForwardRef(g.offsets, c.chosen, c.prior, c.score, c.kappa);
        expectClose(g.logp, ref.logp, TOL, 'log π');
        expectClose(g.col(SET_COL.lpChosen), ref.lpChosen, TOL, 'log π(a*)');
        expectClose(g.col(SET_COL.entropy), ref.entropy, TOL, 'entropy');
        expectClose(g.col(SET_COL.priorLpChosen), ref.priorLpChosen, TOL, 'prior log π⁰(a*)');
        expectClose(g.col(SET_COL.klPrior), ref.klPrior, TOL, 'KL(π‖π⁰)');
        expectClose(g.col(SET_COL.argmaxIsChosen), ref.argmaxIsChosen, { abs: 1e-9, rel: 0 }, 'argmax = chosen');
        const { gLp, gH, gKL } = gradsOf(c);
        expectClose(g.dscore, segSoftmaxBackwardRef(g.offsets, c.chosen, c.prior, c.kappa, ref, gLp, gH, gKL), TOL, '∂L/∂f');
      });
    }

    it('gradients match finite differences of L = Σ g_lp·log π(a*) + g_H·H + g_KL·KL', async () => {
      const gpu = await testGpu();
      const c = makeCase([1, 4, 7, 2], 5);
      const g = await runGpu(gpu, c);
      const { gLp, gH, gKL } = gradsOf(c);
      const score = toF64(c.score);
      const loss = () => {
        const r = segSoftmaxForwardRef(g.offsets, c.chosen, c.prior, score, c.kappa);
        let L = 0;
        for (let s = 0; s < c.sizes.length; s++) L += gLp[s] * r.lpChosen[s] + gH[s] * r.entropy[s] + gKL[s] * r.klPrior[s];
        return L;
      };
      const fd = finiteDiff(loss, score);
      const ref = segSoftmaxBackwardRef(g.offsets, c.chosen, c.prior, c.kappa, segSoftmaxForwardRef(g.offsets, c.chosen, c.prior, score, c.kappa), gLp, gH, gKL);
      expectClose(ref, fd, { abs: 1e-8, rel: 1e-6 }, 'reference vs FD');
      expectClose(g.dscore, fd, TOL, 'GPU vs FD');
      expect(fd[0]).toBe(0); // a set of one candidate: π = 1 whatever f is
    });

    it('very large logits give finite, exact results', async () => {
      const gpu = await testGpu();
      const c = makeCase([3, 1, 5], 9);
      c.score.set([1e4, -1e4, 3e4, 5e37, 0, 0, -3e38, 1e30, 2]);
      c.prior.set([-1e30, 0, -1e30, 0, 0, 0, 0, -1e30, 0]);
      const g = await runGpu(gpu, c);
      for (const arr of [g.setOut, g.dscore]) expect(Array.from(arr).every(Number.isFinite)).toBe(true);
      const H = g.col(SET_COL.entropy);
      expect(Array.from(H)).toEqual([0, 0, 0]); // every set is one-hot at these scales
      // z = κℓ + f per set: [1e4−7e29, −1e4, 3e4−7e29], [5e37], [0, 0, −3e38, 3e29, 2]
      expect([g.logp[1], g.logp[3], g.logp[7]]).toEqual([0, 0, 0]);
      expect(g.logp[0]).toBeCloseTo(-7e29, -24);
    });
  });

  describe('behaviour-cloning cross-entropy', () => {
    it('loss, accuracy, entropy and the gradient −1/S', async () => {
      const gpu = await testGpu();
      const c = makeCase([2, 9, 1, 30, 5], 3);
      const offsets = offsetsFromSizes(c.sizes);
      const S = c.sizes.length, N = offsets[S];
      const sm = await PreparedSegmentedSoftmax.create(gpu);
      const sets = uploadCandidateSets(gpu, offsets, c.chosen);
      const prior = gpu.tensor(c.prior), score = gpu.tensor(c.score), logp = gpu.empty([N]), setOut = gpu.empty([S * SET_STRIDE]);
      const grads = gpu.empty([S * GRAD_STRIDE]), stats = gpu.empty([S, CE_STRIDE]), dscore = gpu.empty([N]), means = gpu.empty([CE_STRIDE]);
      const colsum = await PreparedColsum.create(gpu, { rows: S, cols: CE_STRIDE });
      sm.forward(sets, { kappa: c.kappa, prior, score, logp, setOut });
      sm.crossEntropy(sets, setOut, grads, stats);
      colsum.record(stats, means, { scale: 1 / S });
      sm.backward(sets, { kappa: c.kappa, prior, logp, setOut, grads, dscore });
      const [m, ds] = await gpu.readMany([means, dscore]);
      const ref = segSoftmaxForwardRef(offsets, c.chosen, c.prior, c.score, c.kappa);
      const mean = (a: Float64Array) => a.reduce((x, y) => x + y, 0) / S;
      expectClose(m, [-mean(ref.lpChosen), mean(ref.argmaxIsChosen), mean(ref.entropy), 0], TOL, 'BC loss, accuracy, entropy');
      const g = new Float64Array(S).fill(-1 / S), zero = new Float64Array(S);
      expectClose(ds, segSoftmaxBackwardRef(offsets, c.chosen, c.prior, c.kappa, ref, g, zero, zero), TOL, 'BC gradient');
      // The BC loss's FD gradient w.r.t. the scores, in float64:
      const sc = toF64(c.score);
      const fd = finiteDiff(() => -mean(segSoftmaxForwardRef(offsets, c.chosen, c.prior, sc, c.kappa).lpChosen), sc);
      expectClose(ds, fd, TOL, 'BC gradient vs FD');
      colsum.destroy();
      releaseCandidateSets(gpu, sets);
      gpu.release(prior, score, logp, setOut, grads, stats, dscore, means);
    });
  });

  describe('candidate-set validation', () => {
    it('rejects malformed sets before any upload or dispatch', async () => {
      const gpu = await testGpu();
      const before = gpu.stats.dispatches;
      expect(() => uploadCandidateSets(gpu, [0, 3, 2, 4], [0, 0, 0])).toThrow(/offsets out of order at set 1/);
      expect(() => uploadCandidateSets(gpu, [0, 2, 2], [0, 0])).toThrow(/set 1 is empty/);
      expect(() => uploadCandidateSets(gpu, [0, 2, 4], [0])).toThrow(/1 chosen indices for 2 sets \(mismatched lengths\)/);
      expect(() => uploadCandidateSets(gpu, [0, 2, 4], [0, 2])).toThrow(/chosen index 2 of set 1 is outside its 2 candidates/);
      expect(() => uploadCandidateSets(gpu, [0, 2, 4], [0, 1], 5)).toThrow(/end at 4 but there are 5 rows/);
      const sm = await PreparedSegmentedSoftmax.create(gpu);
      const sets = uploadCandidateSets(gpu, [0, 2, 4], [0, 1]);
      const t = (n: number) => gpu.zeros([n]);
      expect(() => sm.forward(sets, { kappa: 1, prior: t(3), score: t(4), logp: t(4), setOut: t(16) })).toThrow(/prior log-likelihoods ℓ has 3 elements, needs at least 4/);
      expect(() => sm.forward(sets, { kappa: NaN, prior: t(4), score: t(4), logp: t(4), setOut: t(16) })).toThrow(/κ must be finite/);
      expect(gpu.stats.dispatches).toBe(before);
      releaseCandidateSets(gpu, sets);
    });
  });
});
