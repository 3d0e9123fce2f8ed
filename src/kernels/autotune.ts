// Picks the fastest applicable kernel variant per adapter and shape class, on first use, and
// remembers the choice (see tune-store.ts). This is how one codebase is fast both on SwiftShader
// (which punishes workgroup barriers ~4×) and on real GPUs (which reward workgroup-memory
// tiling). Tuning happens while a plan is built, once per capacity bucket (shape class), never
// while a step is being recorded.

import type { Gpu } from '../gpu';

export interface TuneCandidate {
  name: string;
  /** Records one run of the candidate into the gpu's encoder. */
  record(): void;
}

export interface TuneResult {
  choice: string;
  /** Best milliseconds per run for each candidate that was timed. */
  timings: Record<string, number>;
}

export type { TuneStore } from './tune-store';

/** A stable identity for the adapter, so choices made on one GPU are not reused on another. */
export function adapterKey(gpu: Gpu): string {
  const i = gpu.info;
  return [i.runtime, i.vendor, i.architecture, i.device, i.description].join('/');
}

/**
 * Times each candidate and returns the fastest. Candidates are timed round-robin (so a burst of load
 * from another process hurts them all alike) and each keeps its best round, the figure least
 * disturbed by noise. Fast kernels are batched per round so timer resolution does not decide.
 */
export async function timeCandidates(
  gpu: Gpu, candidates: TuneCandidate[], rounds = 3,
  /** Multiplies a candidate's time before comparing (a prior against variants known to suffer here). */
  weights: Record<string, number> = {},
): Promise<TuneResult> {
  await gpu.done(); // work recorded before tuning must not be timed as a candidate's
  const reps = new Map<string, number>();
  for (const c of candidates) {
    c.record(); // warm-up: the first dispatch pays for lazy driver work
    await gpu.done();
    const t0 = performance.now();
    c.record();
    await gpu.done();
    const once = performance.now() - t0;
    reps.set(c.name, Math.max(1, Math.min(64, Math.ceil(4 / Math.max(once, 0.01)))));
  }
  const best: Record<string, number> = {};
  for (let r = 0; r < rounds; r++) {
    for (const c of candidates) {
      const n = reps.get(c.name)!;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) c.record();
      await gpu.done();
      const ms = (performance.now() - t0) / n;
      best[c.name] = Math.min(best[c.name] ?? Infinity, ms);
    }
  }
  const weighted = (name: string) => best[name] * (weights[name] ?? 1);
  const choice = Object.keys(best).sort((a, b) => weighted(a) - weighted(b))[0];
  return { choice, timings: best };
}
