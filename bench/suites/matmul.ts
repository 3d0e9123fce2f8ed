// Matmul GFLOP/s: every WGSL variant and the autotuner's pick against a naive WGSL kernel, a plain
// JS loop, and TensorFlow.js on webgpu (same adapter) and wasm (the CPU peer).
//
// A slow implementation is timed on the first rows of A (and C) only and scaled to the full
// product: its rate per row is the same, and the suite then takes about as long on a slow
// machine as on a fast one (bench/run.mjs holds each suite to half of its time limit).

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { Gpu } from '../../src/gpu';
import { applicableVariants, prepareMatmul, tunedVariant, type MatmulDims, type MatmulVariant } from '../../src/kernels/matmul';
import { timeIt, type BenchSuite } from '../suite-types';

const SHAPES: [number, number, number][] = [[256, 256, 256], [1024, 1024, 1024], [4096, 256, 512]];

/** Longest one timed run may take; an implementation slower than this on the full shape runs on fewer rows. */
const RUN_BUDGET_MS = 300;
/** Rows of the probe run that estimates the time per row; subsets are whole multiples of it. */
const PROBE_ROWS = 64;
/** Products queued per timed run at most (GPU work is pipelined: several dispatches, one wait). */
const MAX_QUEUED = 4;

/** One implementation prepared for the first `rows` rows: run it `queued` times, then wait for the result. */
interface Runner {
  run(queued: number): Promise<void> | void;
  dispose(): void;
}

interface Timed {
  /** Milliseconds per full M×K·K×N product. */
  ms: number;
  /** Rows it was timed on (M when the full shape fits the run budget). */
  rows: number;
}

/**
 * Probes the time per row on PROBE_ROWS rows, picks the most rows whose run fits RUN_BUDGET_MS
 * (all M when they fit), times that with a warm-up and at least 2 runs and 300 ms, and scales to M rows.
 */
async function timeScaled(M: number, prepare: (rows: number) => Promise<Runner>): Promise<Timed> {
  let rows = Math.min(M, PROBE_ROWS);
  let runner = await prepare(rows);
  await runner.run(1); // compiles shaders, warms caches
  const t0 = performance.now();
  await runner.run(1);
  const perRow = Math.max(performance.now() - t0, 0.01) / rows;
  const fit = perRow * M <= RUN_BUDGET_MS ? M : Math.max(PROBE_ROWS, Math.floor(RUN_BUDGET_MS / perRow / PROBE_ROWS) * PROBE_ROWS);
  if (fit !== rows) {
    runner.dispose();
    rows = Math.min(M, fit);
    runner = await prepare(rows);
  }
  const queued = Math.max(1, Math.min(MAX_QUEUED, Math.floor(RUN_BUDGET_MS / (perRow * rows))));
  try {
    const ms = (await timeIt(() => runner.run(queued), { minReps: 2, minMs: 300 })) / queued;
    return { ms: (ms * M) / rows, rows };
  } finally {
    runner.dispose();
  }
}

function subsetNote(t: Timed, M: number): string | undefined {
  return t.rows < M ? `timed on the first ${t.rows} of ${M} rows and scaled ×${(M / t.rows).toFixed(0)}` : undefined;
}

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
        `An implementation whose full product would take over ${RUN_BUDGET_MS} ms is timed on the first rows of A ` +
        'only (a multiple of 64, noted under the table) and scaled to the full shape. ' +
        'Ratio = GFLOP/s ÷ the tfjs-webgpu figure for the same shape.',
    });
    const gpu = await Gpu.create();
    setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
    const shapes = ctx.quick ? SHAPES.slice(0, 1) : SHAPES;
    for (const [M, N, K] of shapes) {
      const shape = M === K && K === N ? `${M}³` : `${M}x${K}·${K}x${N}`;
      const flop = 2 * M * N * K;
      const record = (impl: string, t: Timed, note?: string): void => {
        const notes = [note, subsetNote(t, M)].filter(Boolean).join('; ');
        ctx.record({ bench: 'matmul', impl, shape, gflops: flop / t.ms / 1e6, ms: t.ms, ...(notes ? { note: notes } : {}) });
      };
      const a = new Float32Array(M * K).map(() => Math.random() - 0.5);
      const b = new Float32Array(K * N).map(() => Math.random() - 0.5);
      const full: MatmulDims = { M, N, K, form: 'nn' };
      const B = gpu.tensor(b, [K, N]);
      const wgsl = (variant: MatmulVariant) => async (rows: number): Promise<Runner> => {
        const op = await prepareMatmul(gpu, { ...full, M: rows }, { variant });
        const A = gpu.tensor(a.subarray(0, rows * K), [rows, K]), C = gpu.empty([rows, N]);
        return {
          run: async (queued) => {
            for (let r = 0; r < queued; r++) op.record(A, B, C);
            await gpu.done();
          },
          dispose: () => gpu.release(A, C),
        };
      };
      // The autotuner picks for the full shape (timing its candidates there, on first use). Its
      // row is the picked variant's measurement: the same kernel on the same operands.
      const pick = await tunedVariant(gpu, full);
      const timed = new Map<MatmulVariant, Timed>();
      for (const variant of applicableVariants(full)) {
        timed.set(variant, await timeScaled(M, wgsl(variant)));
        record(`wgsl-${variant}`, timed.get(variant)!);
      }
      record(`wgsl-autotuned (${pick})`, timed.get(pick)!);
      gpu.release(B);

      const c = new Float32Array(M * N);
      record('js-loop', await timeScaled(M, async (rows) => ({
        run: (queued) => { for (let r = 0; r < queued; r++) jsMatmul(a, b, c, rows, N, K); },
        dispose: () => undefined,
      })));

      for (const backend of ['webgpu', 'wasm'] as const) {
        await tf.setBackend(backend);
        await tf.ready();
        const tb = tf.tensor2d(b, [K, N]);
        const t = await timeScaled(M, async (rows) => {
          const ta = tf.tensor2d(a.subarray(0, rows * K), [rows, K]);
          return {
            run: async (queued) => {
              let last: tf.Tensor | undefined;
              for (let r = 0; r < queued; r++) { last?.dispose(); last = tf.matMul(ta, tb); }
              await last!.data();
              last!.dispose();
            },
            dispose: () => ta.dispose(),
          };
        });
        tb.dispose();
        const note = backend === 'wasm' ? `XNNPACK, ${tf.env().getNumber('WASM_HAS_MULTITHREAD_SUPPORT') ? 'threads available' : 'single thread'}` : undefined;
        record(`tfjs-${backend}`, t, note);
      }
      ctx.log(`matmul ${shape} done`);
    }
    gpu.destroy();
  },
};
