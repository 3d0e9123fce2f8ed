// Matmul GFLOP/s: every WGSL variant and the autotuner's pick against a naive WGSL kernel, a plain
// JS loop, and TensorFlow.js on webgpu (same adapter) and wasm (the CPU peer).

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { Gpu } from '../../src/gpu';
import { applicableVariants, prepareMatmul, tunedVariant, type MatmulDims } from '../../src/kernels/matmul';
import { timeIt, type BenchSuite } from '../suite-types';

const SHAPES: [number, number, number][] = [[256, 256, 256], [1024, 1024, 1024], [4096, 256, 512]];

function jsMatmul(a: Float32Array, b: Float32Array, c: Float32Array, M: number, N: number, K: number): void {
  // i-k-j order: the inner loop streams rows of B and C, the fastest plain-JS order.
  c.fill(0);
  for (let i = 0; i < M; i++) {
    const ci = i * N;
    for (let k = 0; k < K; k++) {
      const aik = a[i * K + k];
      const bk = k * N;
      for (let j = 0; j < N; j++) c[ci + j] += aik * b[bk + j];
    }
  }
}

export const suite: BenchSuite = {
  name: 'matmul',
  where: 'browser',
  async run(ctx) {
    ctx.describe('matmul', {
      title: 'Matrix multiply C = A·B (f32)',
      baseline: 'tfjs-webgpu',
      about: 'GFLOP/s = 2·M·N·K / time. WGSL rows are pipelined: several dispatches in one submit, then wait. ' +
        'TF.js rows queue several matmuls and read back the last result. The JS loop is i-k-j on Float32Array. ' +
        'Ratio = GFLOP/s ÷ the tfjs-webgpu figure for the same shape.',
    });
    const gpu = await Gpu.create();
    setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
    const shapes = ctx.quick ? SHAPES.slice(0, 1) : SHAPES;
    for (const [M, N, K] of shapes) {
      const shape = M === K && K === N ? `${M}³` : `${M}x${K}·${K}x${N}`;
      const flop = 2 * M * N * K;
      const a = new Float32Array(M * K).map(() => Math.random() - 0.5);
      const b = new Float32Array(K * N).map(() => Math.random() - 0.5);
      const dims: MatmulDims = { M, N, K, form: 'nn' };
      const A = gpu.tensor(a, [M, K]), B = gpu.tensor(b, [K, N]), C = gpu.empty([M, N]);
      const big = flop > 1e9;
      const pick = await tunedVariant(gpu, dims);
      for (const variant of [...applicableVariants(dims), 'auto' as const]) {
        const op = await prepareMatmul(gpu, dims, { variant });
        const reps = variant === 'naive' || big ? 1 : 4;
        const ms = await timeIt(async () => {
          for (let r = 0; r < reps; r++) op.record(A, B, C);
          await gpu.done();
        }, { minReps: variant === 'naive' && big ? 1 : 3, minMs: 500 }) / reps;
        const impl = variant === 'auto' ? `wgsl-autotuned (${pick})` : `wgsl-${variant}`;
        ctx.record({ bench: 'matmul', impl, shape, gflops: flop / ms / 1e6, ms });
      }
      gpu.release(A, B, C);

      const c = new Float32Array(M * N);
      const jsMs = await timeIt(() => jsMatmul(a, b, c, M, N, K), { minReps: 1, minMs: 0, maxReps: big ? 1 : 3 });
      ctx.record({ bench: 'matmul', impl: 'js-loop', shape, gflops: flop / jsMs / 1e6, ms: jsMs });

      for (const backend of ['webgpu', 'wasm'] as const) {
        await tf.setBackend(backend);
        await tf.ready();
        const ta = tf.tensor2d(a, [M, K]), tb = tf.tensor2d(b, [K, N]);
        const reps = backend === 'webgpu' && big ? 2 : 4;
        const ms = await timeIt(async () => {
          let last: tf.Tensor | undefined;
          for (let r = 0; r < reps; r++) { last?.dispose(); last = tf.matMul(ta, tb); }
          await last!.data();
          last!.dispose();
        }, { minReps: big && backend === 'webgpu' ? 1 : 3, minMs: 500 }) / reps;
        const note = backend === 'wasm' ? `XNNPACK, ${tf.env().getNumber('WASM_HAS_MULTITHREAD_SUPPORT') ? 'threads available' : 'single thread'}` : undefined;
        ctx.record({ bench: 'matmul', impl: `tfjs-${backend}`, shape, gflops: flop / ms / 1e6, ms, note });
        ta.dispose(); tb.dispose();
      }
      ctx.log(`matmul ${shape} done`);
    }
    gpu.destroy();
  },
};
