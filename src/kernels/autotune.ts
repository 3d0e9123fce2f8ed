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

/** How many times slower than the fastest (after weights) a candidate's first timed run may be and still be timed in rounds. */
const CLEAR_LOSS = 2;

/** A stable identity for the adapter, so choices made on one GPU are not reused on another. */
export function adapterKey(gpu: Gpu): string {
  const i = gpu.info;
  return [i.runtime, i.vendor, i.architecture, i.device, i.description].join('/');
}

/**
 * Times each candidate and returns the fastest. One timed run each first; those within CLEAR_LOSS
 * of the fastest are then timed round-robin (so a burst of load from another process hurts them
 * all alike) and each keeps its best round, the figure least disturbed by noise. Fast kernels are
 * batched per round so timer resolution does not decide.
 */
export async function timeCandidates(
  gpu: Gpu, candidates: TuneCandidate[], rounds = 3,
  /** Multiplies a candidate's time before comparing (a prior against variants known to suffer here). */
  weights: Record<string, number> = {},
): Promise<TuneResult> {
  await gpu.done(); // work recorded before tuning must not be timed as a candidate's
  const reps = new Map<string, number>();
  const first: Record<string, number> = {};
  for (const c of candidates) {
    c.record(); // warm-up: the first dispatch pays for lazy driver work
    await gpu.done();
    const t0 = performance.now();
    c.record();
    await gpu.done();
    const once = performance.now() - t0;
    first[c.name] = once;
    reps.set(c.name, Math.max(1, Math.min(64, Math.ceil(4 / Math.max(once, 0.01)))));
  }
  // A candidate already CLEAR_LOSS times slower than the fastest is out: rounds only separate
  // close ones (on a software adapter a losing variant can take seconds per run at plan sizes).
  const weight = (name: string) => weights[name] ?? 1;
  const fastest = Math.min(...candidates.map((c) => first[c.name] * weight(c.name)));
  const close = candidates.filter((c) => first[c.name] * weight(c.name) <= CLEAR_LOSS * fastest);
  const best: Record<string, number> = close.length > 1 ? {} : { ...first };
  for (let r = 0; r < (close.length > 1 ? rounds : 0); r++) {
    for (const c of close) {
      const n = reps.get(c.name)!;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) c.record();
      await gpu.done();
      const ms = (performance.now() - t0) / n;
      best[c.name] = Math.min(best[c.name] ?? Infinity, ms);
    }
  }
  for (const c of candidates) best[c.name] ??= first[c.name];
  const choice = Object.keys(best).sort((a, b) => best[a] * weight(a) - best[b] * weight(b))[0];
  return { choice, timings: best };
}
