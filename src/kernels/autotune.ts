// Picks the fastest applicable kernel variant per adapter and shape class, on first use, and
// remembers the choice. This is how one codebase is fast both on SwiftShader (which punishes
// workgroup barriers ~4×) and on real GPUs (which reward workgroup-memory tiling).

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

export interface TuneStore {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

/** In-memory store, with localStorage behind it in the browser so choices survive reloads. */
export class DefaultTuneStore implements TuneStore {
  private readonly memory = new Map<string, string>();
  private static readonly PREFIX = 'stepwise.autotune.v1:';

  get(key: string): string | undefined {
    const hit = this.memory.get(key);
    if (hit !== undefined) return hit;
    try {
      const stored = globalThis.localStorage?.getItem(DefaultTuneStore.PREFIX + key) ?? undefined;
      if (stored !== undefined) this.memory.set(key, stored);
      return stored;
    } catch {
      return undefined; // storage disabled (private mode, workers): memory only
    }
  }

  set(key: string, value: string): void {
    this.memory.set(key, value);
    try {
      globalThis.localStorage?.setItem(DefaultTuneStore.PREFIX + key, value);
    } catch {
      /* memory only */
    }
  }
}

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
