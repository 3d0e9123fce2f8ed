import { seededFloats, testGpu } from '../gpu/testing';
import { ADAM_STATE, ADAM_STATE_SIZE, DEFAULT_ADAM, PreparedAdam, type AdamConfig } from './adam';
import { adamStepRef, type AdamRefState } from './adam.ref';
import { expectClose } from './expect-close';
import { expect } from './cases/expect';
import { kernelCases } from './cases/suite';

export default kernelCases('adam', ({ describe, it }) => {
  // Tolerance: Adam's update is ~lr per step whatever the gradient scale; float32 keeps it to
  // ~1e-7 relative, and bias-correction powers in f32 add ~1e-7: 1e-6·lr·steps absolute + 1e-6 relative.
  async function run(n: number, configs: AdamConfig | ((step: number) => AdamConfig), steps: number, decayEnd = n, poison = -1) {
    const gpu = await testGpu();
    const configAt = typeof configs === 'function' ? configs : () => configs;
    const adam = await PreparedAdam.create(gpu, n, decayEnd);
    const p0 = seededFloats(n, 1, -1, 1);
    const P = gpu.tensor(p0), G = gpu.empty([n]), M = gpu.zeros([n]), V = gpu.zeros([n]), S = gpu.zeros([ADAM_STATE_SIZE]);
    let ref: AdamRefState = { params: Float64Array.from(p0), m: new Float64Array(n), v: new Float64Array(n), step: 0 };
    const norms: number[] = [];
    for (let k = 0; k < steps; k++) {
      const g = seededFloats(n, 10 + k, -3, 3);
      if (k === poison) g[n - 1] = NaN;
      gpu.write(G, g);
      adam.record({ params: P, grads: G, m: M, v: V, state: S }, configAt(k));
      const r = adamStepRef(ref, g, configAt(k), decayEnd);
      ref = r.state;
      norms.push(r.gradNorm);
    }
    const [p, m, v, s] = await gpu.readMany([P, M, V, S]);
    adam.destroy();
    gpu.release(P, G, M, V, S);
    return { p, m, v, s, ref, norms };
  }

  describe('Adam / AdamW vs float64 reference', () => {
    const cases: [string, AdamConfig, number][] = [
      ['AdamW, clipped (‖g‖ ≫ 1), weight decay on the weights only', { ...DEFAULT_ADAM, lr: 1e-2, weightDecay: 0.1, maxGradNorm: 1 }, 3],
      ['Adam with coupled L2 decay, no clipping', { ...DEFAULT_ADAM, lr: 3e-3, weightDecay: 0.05, decoupled: false, maxGradNorm: null }, 3],
      ['clip threshold above the norm (no effect), β₂ = 0.95', { ...DEFAULT_ADAM, lr: 1e-3, beta2: 0.95, maxGradNorm: 1e4 }, 2],
    ];
    for (const [name, config, steps] of cases) {
      it(name, async () => {
        const n = 1000, decayEnd = 640;
        const g = await run(n, config, steps, decayEnd);
        const tol = { abs: 1e-6 * config.lr * steps + 1e-7, rel: 1e-6 };
        expectClose(g.p, g.ref.params, tol, 'θ');
        expectClose(g.m, g.ref.m, { abs: 1e-6, rel: 1e-5 }, 'm');
        expectClose(g.v, g.ref.v, { abs: 1e-6, rel: 1e-5 }, 'v');
        expect(g.s[ADAM_STATE.step]).toBe(steps);
        expectClose([g.s[ADAM_STATE.gradNorm]], [g.norms[steps - 1]], { abs: 0, rel: 1e-5 }, 'grad norm');
        const clipScale = config.maxGradNorm === null ? 1 : Math.min(1, config.maxGradNorm / (g.norms[steps - 1] + 1e-6));
        expectClose([g.s[ADAM_STATE.clipScale]], [clipScale], { abs: 0, rel: 1e-5 }, 'clip scale');
      });
    }

    it('a learning rate that changes every step follows the reference and makes no new uniform buffer', async () => {
      const gpu = await testGpu();
      const uniforms = new Set<GPUBuffer>();
      const original = gpu.uniforms;
      gpu.uniforms = (...args) => {
        const u = original.apply(gpu, args);
        uniforms.add(u);
        return u;
      };
      const lrAt = (k: number) => 1e-2 * (1 + Math.cos(k + 0.5)) / 2 + 1e-4;
      let afterFirst = -1;
      try {
        const g = await run(256, (k) => {
          if (k === 1) afterFirst = uniforms.size;
          return { ...DEFAULT_ADAM, lr: lrAt(k), weightDecay: 0.1 };
        }, 4, 128);
        expectClose(g.p, g.ref.params, { abs: 1e-6 * 1e-2 * 4 + 1e-7, rel: 1e-6 }, 'θ under a schedule');
      } finally {
        gpu.uniforms = original;
      }
      expect(afterFirst).toBeGreaterThan(0);
      expect(uniforms.size).toBe(afterFirst);
    });

    it('a non-finite gradient skips the step without touching θ, m, v or t', async () => {
      const config = { ...DEFAULT_ADAM, lr: 1e-2 };
      const clean = await run(64, config, 2);
      const poisoned = await run(64, config, 3, 64, 1); // step 1 of 0,1,2 has a NaN
      expect(poisoned.s[ADAM_STATE.step]).toBe(2);
      // Steps 0 and 2 applied: compare with the reference that skipped step 1.
      expectClose(poisoned.p, poisoned.ref.params, { abs: 1e-7, rel: 1e-6 }, 'θ after a skipped step');
      expect(poisoned.p.every(Number.isFinite)).toBe(true);
      expect(clean.s[ADAM_STATE.skipped]).toBe(0);
    });

    it('rejects bad shapes and configs before any dispatch', async () => {
      const gpu = await testGpu();
      await expect(PreparedAdam.create(gpu, 10)).rejects.toThrow(/multiple of 4/);
      await expect(PreparedAdam.create(gpu, 16, 18)).rejects.toThrow(/decayEnd must be a multiple of 4 in \[0, 16\]/);
      const adam = await PreparedAdam.create(gpu, 16);
      const t = (n: number) => gpu.zeros([n]);
      const ok = { params: t(16), grads: t(16), m: t(16), v: t(16), state: t(ADAM_STATE_SIZE) };
      const before = gpu.stats.dispatches;
      expect(() => adam.record({ ...ok, m: t(12) })).toThrow(/Adam m has 12 f32 elements, expected 16/);
      expect(() => adam.record(ok, { ...DEFAULT_ADAM, beta1: 1 })).toThrow(/beta1 must be in \[0, 1\)/);
      expect(() => adam.record(ok, { ...DEFAULT_ADAM, maxGradNorm: 0 })).toThrow(/maxGradNorm must be positive/);
      expect(gpu.stats.dispatches).toBe(before);
      adam.destroy();
    });
  });
});
