// The contract between benchmark suites and the harness (bench/run.mjs). Benchmarks are not
// tests: they measure, and BENCHMARKS.md records what they measured next to the peer measured in
// the same run.

export interface BenchRow {
  /** Which benchmark, e.g. "matmul", "train-step", "env-steps". */
  bench: string;
  /** Which implementation, e.g. "wgsl-regblock", "tfjs-webgpu", "f64-reference". */
  impl: string;
  /** The workload, e.g. "1024x1024x1024". */
  shape: string;
  gflops?: number;
  ms?: number;
  per_s?: number;
  /** Unit of per_s when it is not obvious ("steps", "candidates", "tokens"). */
  unit?: string;
  note?: string;
}

export interface BenchDescription {
  title: string;
  /** The impl every other impl's figure is divided by in the ratio column. */
  baseline: string;
  /** A paragraph for BENCHMARKS.md: what is measured and how to read it. */
  about?: string;
}

export interface BenchContext {
  record(row: BenchRow): void;
  describe(bench: string, d: BenchDescription): void;
  log(message: string): void;
  /** Shortened runs (fewer reps, smaller shapes) for smoke-testing the harness. */
  quick: boolean;
  /** 'browser' (Chromium, SwiftShader or real GPU) or 'node'. */
  where: 'browser' | 'node';
}

export interface BenchSuite {
  /** Must equal the file name (bench/suites/<name>.ts): the page imports suites by file name. */
  name: string;
  where: 'browser' | 'node';
  run(ctx: BenchContext): Promise<void>;
}

/**
 * Times `fn` (which must finish its work, e.g. await a readback or onSubmittedWorkDone) after one
 * warm-up: at least `minReps` runs and until `minMs` has passed, returning the median ms.
 */
export async function timeIt(fn: () => Promise<unknown> | unknown, opts: { minReps?: number; minMs?: number; maxReps?: number } = {}): Promise<number> {
  const { minReps = 3, minMs = 600, maxReps = 50 } = opts;
  await fn();
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < maxReps && (samples.length < minReps || performance.now() - start < minMs)) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}
