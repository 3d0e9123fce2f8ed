import { seededFloats, testGpu } from '../gpu/testing';
import { expectClose } from './expect-close';
import { DEFAULT_PPO, PPO_BATCH_COL, PPO_BATCH_STRIDE, PPO_METRICS, PPO_METRICS_SIZE, ppoMetricsFrom, PreparedPpoLoss, type PpoConfig } from './ppo';
import { ppoMetricsRef, ppoStepRef, type PpoStepInput } from './ppo.ref';
import { GRAD_STRIDE, SET_STRIDE } from './segsoftmax';
import { expect } from './cases/expect';
import { kernelCases } from './cases/suite';

export default kernelCases('ppo', ({ describe, it }) => {
  const TOL = { abs: 2e-6, rel: 1e-4 };

  function makeSteps(n: number, seed: number): PpoStepInput[] {
    const r = (k: number, lo: number, hi: number) => seededFloats(n, seed * 10 + k, lo, hi);
    const lp = r(0, -3, -0.1), shift = r(1, -0.5, 0.5), adv = r(2, -2, 2), vOld = r(3, -1, 1), dv = r(4, -0.5, 0.5);
    const ret = r(5, -1, 2), H = r(6, 0, 2), prior = r(7, -4, -0.1), kl = r(8, 0, 1), ref = r(9, -0.8, 0.8);
    // Every 10th step: a ratio of e^1.5 ≈ 4.5 on a negative advantage, which the dual clip (c = 3) catches.
    // log π_ref near log π (a BC-frozen reference the policy has moved from), never the prior's value.
    return Array.from({ length: n }, (_, i) => ({
      lp: lp[i], lpOld: lp[i] + (i % 10 ? shift[i] : -1.5), adv: i % 10 ? adv[i] : -Math.abs(adv[i]) - 0.1, vOld: vOld[i], v: vOld[i] + dv[i], ret: ret[i],
      entropy: H[i], lpPrior: prior[i], klExact: kl[i], lpRef: lp[i] + ref[i],
    }));
  }

  async function runGpu(xs: PpoStepInput[], config: PpoConfig) {
    const gpu = await testGpu();
    const S = xs.length;
    const setOut = new Float32Array(S * SET_STRIDE), batch = new Float32Array(S * PPO_BATCH_STRIDE);
    xs.forEach((x, s) => {
      setOut.set([x.lp, x.entropy, x.lpPrior, x.klExact], s * SET_STRIDE);
      const C = PPO_BATCH_COL, at = s * PPO_BATCH_STRIDE;
      batch[at + C.lpOld] = x.lpOld; batch[at + C.advantage] = x.adv; batch[at + C.valueOld] = x.vOld; batch[at + C.ret] = x.ret; batch[at + C.lpRef] = x.lpRef;
    });
    const loss = await PreparedPpoLoss.create(gpu, S);
    const SO = gpu.tensor(setOut), V = gpu.tensor(Float32Array.from(xs, (x) => x.v)), B = gpu.tensor(batch);
    const G = gpu.empty([S * GRAD_STRIDE]), DV = gpu.empty([S]), M = gpu.empty([PPO_METRICS_SIZE]);
    loss.record({ setOut: SO, values: V, batch: B, grads: G, dValues: DV, metrics: M }, config);
    const [g, dv, m] = await gpu.readMany([G, DV, M]);
    loss.destroy();
    gpu.release(SO, V, B, G, DV, M);
    return { g, dv, m };
  }

  const CONFIGS: [string, PpoConfig][] = [
    ['defaults (value clip, k3)', DEFAULT_PPO],
    ['dual clip 3, k1 KL, entropy bonus', { ...DEFAULT_PPO, dualClip: 3, klCoef: 0.1, klEstimator: 'k1', entCoef: 0.01 }],
    ['no value clip, exact KL, asymmetric clip', { ...DEFAULT_PPO, valueClip: null, clipHigh: 0.28, klCoef: 0.05, klEstimator: 'exact', entCoef: 0.02 }],
    ['k3 KL with coefficient, tight clips', { ...DEFAULT_PPO, clipLow: 0.05, clipHigh: 0.05, valueClip: 0.05, klCoef: 0.2, vfCoef: 1 }],
  ];

  describe('PPO loss vs float64 reference', () => {
    for (const [name, config] of CONFIGS) {
      it(`${name}: gradients and metrics over 150 steps`, async () => {
        const xs = makeSteps(150, name.length);
        const { g, dv, m } = await runGpu(xs, config);
        const ref = xs.map((x) => ppoStepRef(x, config, xs.length));
        const col = (k: number) => Float32Array.from(xs, (_, s) => g[s * GRAD_STRIDE + k]);
        expectClose(col(0), ref.map((r) => r.dLp), TOL, '∂L/∂log π');
        expectClose(col(1), ref.map((r) => r.dH), TOL, '∂L/∂H');
        expectClose(col(2), ref.map((r) => r.dKL), TOL, '∂L/∂KL');
        expectClose(dv, ref.map((r) => r.dV), TOL, '∂L/∂V');
        const metrics = ppoMetricsFrom(m), want = ppoMetricsRef(xs, config);
        for (const k of PPO_METRICS) expectClose([metrics[k]], [want[k]], { abs: 1e-5, rel: 1e-4 }, k);
        // Every branch is exercised by these inputs.
        expect(want.clipfrac).toBeGreaterThan(0);
        expect(want.clipfrac).toBeLessThan(1);
        if (config.valueClip !== null) expect(want.vf_clipfrac).toBeGreaterThan(0);
        if (config.dualClip !== null) expect(want.clipfrac_lower).toBeGreaterThan(0);
      });
    }
  });

  describe('PPO gradients vs finite differences', () => {
    for (const [name, config] of CONFIGS) {
      it(name, async () => {
        const xs = makeSteps(24, name.length + 100);
        if (config.dualClip !== null) xs[0] = { ...xs[0], adv: -1, lp: xs[0].lpOld + 1.5 }; // ratio e^1.5 > c = 3
        const N = xs.length;
        const L = () => xs.reduce((s, x) => s + ppoStepRef(x, config, N).loss, 0) / N;
        const { g, dv } = await runGpu(xs, config);
        const h = 1e-6;
        const fd = (i: number, k: keyof PpoStepInput) => {
          const x0 = xs[i][k];
          xs[i] = { ...xs[i], [k]: x0 + h }; const p = L();
          xs[i] = { ...xs[i], [k]: x0 - h }; const q = L();
          xs[i] = { ...xs[i], [k]: x0 };
          return (p - q) / (2 * h);
        };
        const ref = xs.map((x) => ppoStepRef(x, config, N));
        for (const [k, gi, refOf, gpuOf] of [
          ['lp', 0, (i: number) => ref[i].dLp, (i: number) => g[i * GRAD_STRIDE]],
          ['entropy', 1, (i: number) => ref[i].dH, (i: number) => g[i * GRAD_STRIDE + 1]],
          ['klExact', 2, (i: number) => ref[i].dKL, (i: number) => g[i * GRAD_STRIDE + 2]],
          ['v', -1, (i: number) => ref[i].dV, (i: number) => dv[i]],
        ] as const) {
          const want = xs.map((_, i) => fd(i, k));
          expectClose(xs.map((_, i) => refOf(i)), want, { abs: 1e-8, rel: 1e-5 }, `reference ∂L/∂${k} vs FD`);
          expectClose(xs.map((_, i) => gpuOf(i)), want, TOL, `GPU ∂L/∂${k} vs FD (${gi})`);
        }
        // The reference is a constant of the loss (no gradient flows to it), and with k1/k3 reading
        // log π_ref from the batch the softmax's log π⁰(a) no longer enters the loss at all.
        for (const k of ['lpPrior'] as const) expectClose(xs.map((_, i) => fd(i, k)), xs.map(() => 0), { abs: 1e-9, rel: 0 }, `∂L/∂${k} = 0`);
        if (config.klEstimator !== 'exact' && config.klCoef > 0) {
          expect(Math.max(...xs.map((_, i) => Math.abs(fd(i, 'lpRef'))))).toBeGreaterThan(1e-4);
        }
      });
    }
  });

  describe('PPO KL reference column', () => {
    for (const [name, config] of CONFIGS.filter(([, c]) => c.klEstimator !== 'exact')) {
      it(`${name}: log π_ref = log π⁰(a) gives the prior-anchored loss and gradients exactly`, async () => {
        // Before the lpRef column, k1/k3 read log π⁰(a) from the softmax's per-set outputs; with the
        // column holding those same values the GPU results must be bit-identical, whatever the
        // per-set prior column then holds.
        const xs = makeSteps(40, name.length + 7).map((x) => ({ ...x, lpRef: x.lpPrior }));
        const klConfig = { ...config, klCoef: config.klCoef || 0.1 };
        const a = await runGpu(xs, klConfig);
        const b = await runGpu(xs.map((x, i) => ({ ...x, lpPrior: x.lpPrior - 1 - (i % 3) })), klConfig);
        expect(Array.from(b.g)).toEqual(Array.from(a.g));
        expect(Array.from(b.dv)).toEqual(Array.from(a.dv));
        expect(Array.from(b.m)).toEqual(Array.from(a.m));
        // And the prior-anchored float64 loss (the formula before the column) is what it computes.
        const ref = xs.map((x) => ppoStepRef(x, klConfig, xs.length));
        const priorKl = xs.map((x) => {
          const d = x.lpPrior - x.lp;
          return klConfig.klEstimator === 'k1' ? x.lp - x.lpPrior : Math.min(10, Math.exp(d) - d - 1);
        });
        expectClose(ref.map((r) => r.kl), priorKl, { abs: 1e-12, rel: 0 }, 'KL to the prior');
        expectClose([ppoMetricsFrom(a.m).kl], [priorKl.reduce((s, v) => s + v, 0) / xs.length], { abs: 1e-5, rel: 1e-4 }, 'GPU mean KL to the prior');
      });
    }

    it('a reference equal to the current policy gives zero KL and no KL gradient (k1 and k3)', async () => {
      for (const klEstimator of ['k1', 'k3'] as const) {
        const xs = makeSteps(16, 5).map((x) => ({ ...x, lpRef: x.lp }));
        const config = { ...DEFAULT_PPO, klCoef: 0.5, klEstimator, entCoef: 0 };
        const { g, m } = await runGpu(xs, config);
        expect(Math.abs(ppoMetricsFrom(m).kl)).toBeLessThan(1e-7);
        const noKl = await runGpu(xs, { ...config, klCoef: 0 });
        // k3's gradient 1 − e^0 is 0 and k1's is the constant c_kl/N, so only k3 matches the no-KL gradient.
        if (klEstimator === 'k3') expectClose(Float32Array.from(xs, (_, s) => g[s * GRAD_STRIDE]), Float32Array.from(xs, (_, s) => noKl.g[s * GRAD_STRIDE]), TOL, 'k3 ∂L/∂log π');
      }
    });
  });

  describe('PPO edge cases and errors', () => {
    it('huge log-ratio and advantages stay finite', async () => {
      const xs = makeSteps(5, 3).map((x, i) => ({ ...x, lp: x.lpOld + (i % 2 ? 80 : -80), adv: i % 2 ? 1e6 : -1e6 }));
      const { g, dv, m } = await runGpu(xs, { ...DEFAULT_PPO, dualClip: 3, klCoef: 0.1 });
      for (const a of [g, dv, m]) expect(Array.from(a).every(Number.isFinite)).toBe(true);
    });

    it('rejects bad sizes and configs before any dispatch', async () => {
      const gpu = await testGpu();
      const loss = await PreparedPpoLoss.create(gpu, 4);
      const t = (n: number) => gpu.zeros([n]);
      const ok = { setOut: t(32), values: t(4), batch: t(4 * PPO_BATCH_STRIDE), grads: t(16), dValues: t(4), metrics: t(16) };
      const before = gpu.stats.dispatches;
      expect(() => loss.record({ ...ok, values: t(3) })).toThrow(/PPO values V\(s\) has 3 elements, needs at least 4/);
      expect(() => loss.record({ ...ok, batch: t(16) })).toThrow(/rollout batch has 16 elements, needs at least 20/);
      expect(() => loss.record(ok, { ...DEFAULT_PPO, clipLow: 1.5 })).toThrow(/clipLow must be in \(0, 1\)/);
      expect(() => loss.record(ok, { ...DEFAULT_PPO, dualClip: 0.5 })).toThrow(/dualClip must be > 1/);
      expect(gpu.stats.dispatches).toBe(before);
      await expect(PreparedPpoLoss.create(gpu, 0)).rejects.toThrow(/positive integer/);
      loss.destroy();
    });
  });
});
