import { seededFloats, testGpu } from '../gpu/testing';
import { expectClose, finiteDiff, toF64 } from './expect-close';
import { offsetsFromSizes } from './segments';
import { PreparedSpaLoss, releaseTrajectories, SPA_METRIC, uploadTrajectories } from './spa';
import { spaLossRef } from './spa.ref';
import { expect } from './cases/expect';
import { kernelCases } from './cases/suite';

export default kernelCases('spa', ({ describe, it }) => {
  const TOL = { abs: 2e-6, rel: 2e-5 };

  async function run(sizes: number[], seed: number, grad = true) {
    const gpu = await testGpu();
    const offsets = offsetsFromSizes(sizes);
    const T = offsets[sizes.length];
    const c = seededFloats(T, seed, -0.3, 0.3);
    const R = seededFloats(sizes.length, seed + 1, 0, 1);
    const loss = await PreparedSpaLoss.create(gpu, sizes.length, grad);
    const traj = uploadTrajectories(gpu, offsets, R, T);
    const C = gpu.tensor(c), dc = gpu.empty([T]), metrics = gpu.empty([4]);
    loss.record(traj, C, metrics, grad ? dc : undefined);
    const [m, d, per] = await gpu.readMany([metrics, dc, loss.perTrajectory]);
    loss.destroy();
    releaseTrajectories(gpu, traj);
    gpu.release(C, dc, metrics);
    return { offsets, c, R, m, d, per };
  }

  describe('SPA estimator loss vs float64 reference', () => {
    const cases: [string, number[]][] = [
      ['one trajectory of one step', [1]],
      ['131 trajectories of 1–40 steps', Array.from({ length: 131 }, (_, i) => 1 + ((i * 13) % 40))],
    ];
    for (const [name, sizes] of cases) {
      it(`${name}: MSE, MAE, predictions, ∂L/∂ĉ`, async () => {
        const g = await run(sizes, sizes.length + 3);
        const ref = spaLossRef(g.offsets, g.c, g.R);
        expectClose([g.m[SPA_METRIC.mse], g.m[SPA_METRIC.mae]], [ref.loss, ref.mae], TOL, 'MSE, MAE');
        expectClose([g.m[SPA_METRIC.meanPrediction]], [ref.predictions.reduce((a, b) => a + b, 0) / sizes.length], TOL, 'mean Ĉ');
        expectClose(Float32Array.from(sizes, (_, i) => g.per[i * 4 + 2]), ref.predictions, TOL, 'Ĉ per trajectory');
        expectClose(g.d, ref.dc, TOL, '∂L/∂ĉ');
      });
    }

    it('∂L/∂ĉ matches finite differences (reference and GPU)', async () => {
      const g = await run([3, 1, 5, 2], 17);
      const c = toF64(g.c);
      const fd = finiteDiff(() => spaLossRef(g.offsets, c, g.R).loss, c);
      expectClose(spaLossRef(g.offsets, c, g.R).dc, fd, { abs: 1e-9, rel: 1e-6 }, 'reference vs FD');
      expectClose(g.d, fd, TOL, 'GPU vs FD');
    });

    it('held-out evaluation reports metrics without a gradient', async () => {
      const g = await run([4, 4, 2], 5, false);
      const ref = spaLossRef(g.offsets, g.c, g.R);
      expectClose([g.m[0], g.m[1]], [ref.loss, ref.mae], TOL, 'held-out MSE, MAE');
    });

    it('rejects malformed trajectories before any dispatch', async () => {
      const gpu = await testGpu();
      const before = gpu.stats.dispatches;
      expect(() => uploadTrajectories(gpu, [0, 2, 2, 5], [0, 1, 1])).toThrow(/trajectories: set 1 is empty/);
      expect(() => uploadTrajectories(gpu, [0, 3, 2], [0, 1])).toThrow(/offsets out of order/);
      expect(() => uploadTrajectories(gpu, [0, 2, 5], [1])).toThrow(/1 rewards for 2 trajectories/);
      expect(() => uploadTrajectories(gpu, [0, 2, 5], [1, NaN])).toThrow(/reward 1 is NaN/);
      expect(() => uploadTrajectories(gpu, [0, 2, 5], [1, 0], 6)).toThrow(/end at 5 but there are 6 rows/);
      const loss = await PreparedSpaLoss.create(gpu, 2);
      const traj = uploadTrajectories(gpu, [0, 2, 5], [1, 0]);
      expect(() => loss.record(traj, gpu.zeros([4]), gpu.zeros([4]), gpu.zeros([5]))).toThrow(/contributions ĉ has 4 elements, needs at least 5/);
      expect(() => loss.record(traj, gpu.zeros([5]), gpu.zeros([4]))).toThrow(/needs a dc tensor/);
      expect(gpu.stats.dispatches).toBe(before);
      loss.destroy();
      releaseTrajectories(gpu, traj);
    });
  });
});
