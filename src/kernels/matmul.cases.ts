import { testGpu, seededFloats } from '../gpu/testing';
import { applicableVariants, matmul, matmulDims, tunedVariant, type Activation, type MatmulForm, type MatmulVariant } from './matmul';
import { matmulAbsRef, matmulRef } from './matmul.ref';
import { expect } from './cases/expect';
import { kernelCases } from './cases/suite';

export default kernelCases('matmul', ({ describe, it }) => {
  // Tolerance: float32 accumulation over K terms. Each output may differ from the float64 reference
  // by at most 1e-5 × Σ_k |A(m,k)|·|B(k,n)| + 1e-6 (a bound that K·ε₃₂ ≈ 6e-5 at K=1000 only
  // reaches with adversarial rounding; observed errors are ~100× smaller).
  function expectClose(got: Float32Array, want: Float64Array, scale: Float64Array, what: string): void {
    let worst = 0, at = -1;
    for (let i = 0; i < want.length; i++) {
      const err = Math.abs(got[i] - want[i]) / (1e-5 * scale[i] + 1e-6);
      if (!(err <= worst)) { worst = err; at = i; } // NaN counts as worst
    }
    expect(got.length).toBe(want.length);
    expect(worst, `${what}: worst at ${at}: got ${got[at]}, want ${want[at]}`).toBeLessThanOrEqual(1);
  }

  const SHAPES: [number, number, number][] = [
    [1, 1, 1], [7, 7, 7], [1, 65, 63], [63, 65, 7], [65, 63, 64], [64, 1000, 4], [1000, 8, 64], [7, 20, 1000], [1, 1000, 64],
  ];
  const FORMS: MatmulForm[] = ['nn', 'nt', 'tn'];

  describe('matmul vs float64 reference', () => {
    for (const form of FORMS) {
      for (const [M, N, K] of SHAPES) {
        it(`${form} M=${M} N=${N} K=${K}, every applicable variant`, async () => {
          const gpu = await testGpu();
          const a = seededFloats(M * K, 11 + M, -1, 1);
          const b = seededFloats(K * N, 23 + N, -1, 1);
          const A = gpu.tensor(a, form === 'tn' ? [K, M] : [M, K]);
          const B = gpu.tensor(b, form === 'nt' ? [N, K] : [K, N]);
          const want = matmulRef(a, b, M, N, K, form);
          const scale = matmulAbsRef(a, b, M, N, K, form);
          const dims = matmulDims(A, B, form);
          const variants: (MatmulVariant | 'auto')[] = [...applicableVariants(dims), 'auto'];
          for (const variant of variants) {
            const C = await matmul(gpu, A, B, { form, variant });
            expectClose(await gpu.read(C), want, scale, `${form} ${variant}`);
            gpu.release(C);
          }
          gpu.release(A, B);
        });
      }
    }
  });

  describe('matmul epilogues', () => {
    const acts: Activation[] = ['identity', 'relu', 'tanh', 'gelu'];
    for (const form of FORMS) {
      for (const activation of acts) {
        it(`${form} bias + ${activation} on 33×36×20 (regblock, tiled)`, async () => {
          const gpu = await testGpu();
          const [M, N, K] = form === 'tn' ? [36, 36, 21] : [33, 36, 20];
          const a = seededFloats(M * K, 5), b = seededFloats(K * N, 6), bias = seededFloats(N, 7);
          const A = gpu.tensor(a, form === 'tn' ? [K, M] : [M, K]);
          const B = gpu.tensor(b, form === 'nt' ? [N, K] : [K, N]);
          const bT = gpu.tensor(bias);
          const want = matmulRef(a, b, M, N, K, form, bias, activation);
          const scale = matmulAbsRef(a, b, M, N, K, form).map((s) => s + 1);
          for (const variant of applicableVariants(matmulDims(A, B, form)).filter((v) => v !== 'naive')) {
            const C = await matmul(gpu, A, B, { form, variant, bias: bT, activation });
            expectClose(await gpu.read(C), want, scale, `${form} ${variant} ${activation}`);
            gpu.release(C);
          }
          gpu.release(A, B, bT);
        });
      }
    }

    it('accumulate adds the product into the output (gradient accumulation)', async () => {
      const gpu = await testGpu();
      const [M, N, K] = [16, 24, 8];
      const a = seededFloats(M * K, 1), b = seededFloats(K * N, 2), c0 = seededFloats(M * N, 3);
      const A = gpu.tensor(a, [K, M]), B = gpu.tensor(b, [K, N]);
      const prod = matmulRef(a, b, M, N, K, 'tn');
      const scale = matmulAbsRef(a, b, M, N, K, 'tn').map((s) => s + 2);
      for (const variant of ['regblock', 'tiled'] as const) {
        const C = gpu.tensor(c0, [M, N]);
        await matmul(gpu, A, B, { form: 'tn', variant, accumulate: true, out: C });
        await matmul(gpu, A, B, { form: 'tn', variant, accumulate: true, out: C });
        expectClose(await gpu.read(C), prod.map((p, i) => c0[i] + 2 * p), scale, `accumulate ${variant}`);
        gpu.release(C);
      }
      gpu.release(A, B);
    });
  });

  describe('matmul errors and tuning', () => {
    it('rejects mismatched inner dimensions before dispatching anything', async () => {
      const gpu = await testGpu();
      const A = gpu.zeros([4, 5]), B = gpu.zeros([6, 4]);
      const before = gpu.stats.dispatches;
      await expect(matmul(gpu, A, B)).rejects.toThrow(/inner dimensions differ.*K=5.*K=6/);
      await expect(matmul(gpu, A, B, { form: 'nt', variant: 'regblock' })).rejects.toThrow(/K=5.*K=4/);
      expect(gpu.stats.dispatches).toBe(before);
      gpu.release(A, B);
    });

    it('refuses a variant that cannot take the shape', async () => {
      const gpu = await testGpu();
      const A = gpu.zeros([4, 6]), B = gpu.zeros([6, 4]);
      await expect(matmul(gpu, A, B, { variant: 'regblock' })).rejects.toThrow(/cannot compute nn M=4 N=4 K=6/);
      gpu.release(A, B);
    });

    it('the autotuner picks an applicable variant once per shape class and remembers it', async () => {
      const gpu = await testGpu();
      const dims = { M: 128, N: 128, K: 128, form: 'nn' as const };
      const first = await tunedVariant(gpu, dims);
      expect(['regblock', 'tiled']).toContain(first);
      // Remembered, not re-timed: a second shape of the same class (log2 bucket) allocates no
      // timing buffers. Counting allocations, not milliseconds, keeps this true on a loaded machine.
      const zeros = gpu.zeros;
      let allocated = 0;
      gpu.zeros = ((...args: Parameters<typeof zeros>) => { allocated++; return zeros.apply(gpu, args); }) as typeof zeros;
      try {
        expect(await tunedVariant(gpu, { ...dims, M: 100 })).toBe(first);
      } finally {
        gpu.zeros = zeros;
      }
      expect(allocated).toBe(0);
      console.log(`[stepwise] autotune ${gpu.info.architecture || gpu.info.vendor}: 128³ nn → ${first}`);
    });
  });
});
