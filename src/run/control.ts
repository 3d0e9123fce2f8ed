// Cooperative control of a running pipeline and its progress arithmetic, shared by the
// orchestrator (which callers hold) and the pipeline (which checks in at every point it may stop).

import type { Stage } from './resume';

export class RunCancelledError extends Error {
  override name = 'RunCancelledError';
  constructor() {
    super('the run was cancelled');
  }
}

export type ControlState = 'running' | 'paused' | 'cancelled';

/** Cooperative pause and cancel: the pipeline calls `checkpoint()` wherever it may stop. */
export class RunControl {
  private current: ControlState = 'running';
  private wake: (() => void) | null = null;
  private gate: Promise<void> | null = null;
  private readonly listeners = new Set<(s: ControlState) => void>();

  get state(): ControlState {
    return this.current;
  }

  onChange(fn: (s: ControlState) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private set(s: ControlState): void {
    this.current = s;
    for (const fn of this.listeners) fn(s);
  }

  pause(): void {
    if (this.current !== 'running') return;
    this.gate = new Promise((r) => { this.wake = r; });
    this.set('paused');
  }

  resume(): void {
    if (this.current !== 'paused') return;
    this.set('running');
    this.release();
  }

  cancel(): void {
    if (this.current === 'cancelled') return;
    this.set('cancelled');
    this.release();
  }

  private release(): void {
    const w = this.wake;
    this.wake = null;
    this.gate = null;
    w?.();
  }

  /** Waits while paused; throws RunCancelledError once cancelled. */
  async checkpoint(): Promise<void> {
    while (this.current === 'paused' && this.gate) await this.gate;
    if (this.current === 'cancelled') throw new RunCancelledError();
  }
}

export interface ProgressEvent {
  stage: Stage | 'sft' | 'explore' | 'start';
  /** Fraction of the whole run done, 0 … 1. */
  fraction: number;
  /** Fraction of the current stage done. */
  stageFraction: number;
  /** Seconds left at this session's pace, null until there is a pace to go by. */
  etaSeconds: number | null;
  /** PPO iteration in progress (0 before PPO). */
  iteration: number;
  message?: string;
}

/** Weighted stages → overall fraction and ETA. */
export class ProgressTracker {
  private readonly weights = new Map<string, number>();
  private readonly done = new Map<string, number>();
  private readonly total: number;
  private startFraction: number | null = null;
  private startTime = 0;

  constructor(units: ReadonlyArray<[key: string, weight: number]>, private readonly emit: (e: ProgressEvent) => void, private readonly now: () => number = () => performance.now()) {
    for (const [k, w] of units) this.weights.set(k, w);
    this.total = units.reduce((a, [, w]) => a + w, 0) || 1;
  }

  /** Marks `key` (a stage, or "ppo:3") as `fraction` done and emits an event. */
  report(key: string, fraction: number, event: Omit<ProgressEvent, 'fraction' | 'stageFraction' | 'etaSeconds'>): void {
    this.done.set(key, Math.max(0, Math.min(1, fraction)));
    let sum = 0;
    for (const [k, w] of this.weights) sum += w * (this.done.get(k) ?? 0);
    const f = sum / this.total;
    const t = this.now();
    if (this.startFraction === null) {
      this.startFraction = f;
      this.startTime = t;
    }
    const gained = f - this.startFraction;
    const eta = gained > 1e-6 ? ((t - this.startTime) / 1000 / gained) * (1 - f) : null;
    this.emit({ ...event, fraction: f, stageFraction: fraction, etaSeconds: eta });
  }

  /** Marks units already done by an earlier session (a resumed run). */
  skip(key: string): void {
    this.done.set(key, 1);
  }
}

