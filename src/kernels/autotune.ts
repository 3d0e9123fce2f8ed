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
  /** Median milliseconds per run for each candidate that was timed. */
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

/** Times each candidate (after one warm-up) and returns the fastest. `budgetMs` bounds each candidate. */
export async function timeCandidates(gpu: Gpu, candidates: TuneCandidate[], budgetMs = 150): Promise<TuneResult> {
  const timings: Record<string, number> = {};
  for (const c of candidates) {
    c.record(); // warm-up: first dispatch pays for lazy driver work
    await gpu.done();
    const samples: number[] = [];
    const start = performance.now();
    let reps = 1;
    while (samples.length < 3) {
      const t0 = performance.now();
      for (let r = 0; r < reps; r++) c.record();
      await gpu.done();
      const dt = (performance.now() - t0) / reps;
      samples.push(dt);
      // Small shapes finish in microseconds: batch more runs per sample to beat timer noise.
      if (dt * reps < 2) reps *= 4;
      if (performance.now() - start > budgetMs) break;
    }
    samples.sort((a, b) => a - b);
    timings[c.name] = samples[Math.floor(samples.length / 2)];
  }
  const choice = Object.entries(timings).sort((a, b) => a[1] - b[1])[0][0];
  return { choice, timings };
}
