// The Playground's model: one environment slot on the worker pool, the episode log, and what
// the view needs (admissible actions, expert hint, step count, reward). No DOM here, so it runs
// under Node in tests with the worker_threads spawner.

import type { SplitName } from '../../envs/env';
import { EnvPool, type Spawner } from '../../envs/pool/index';
import { envNames, getEnvSpec } from '../../envs/registry';

export interface LogEntry {
  /** 0 for the first observation, then the step number. */
  step: number;
  action: string | null;
  text: string;
  valid: boolean;
  reward: number;
  done: boolean;
  /** Who chose the action: typed, clicked, or the expert hint. */
  source: 'start' | 'typed' | 'clicked' | 'expert';
}

export interface Selection {
  env: string;
  split: SplitName;
  task: number;
  seed: number;
}

export type Status = 'idle' | 'playing' | 'won' | 'over';

/** The actions containing `filter`, ignoring case (webshop's keep theirs: click[Buy Now], ASINs). */
export function filterActions(actions: readonly string[], filter: string): readonly string[] {
  const f = filter.trim().toLowerCase();
  return f ? actions.filter((a) => a.toLowerCase().includes(f)) : actions;
}

export class PlaygroundSession {
  selection: Selection;
  goal = '';
  taskLabel = '';
  /** The environment's id of the task being played (what a replay in another worker resets to). */
  taskId = '';
  log: LogEntry[] = [];
  admissible: string[] = [];
  expert: string | null = null;
  steps = 0;
  /** Steps whose action was valid (SPA's grounding signal g_t). */
  validSteps = 0;
  reward = 0;
  status: Status = 'idle';
  busy = false;
  error: string | null = null;

  private pool: EnvPool;
  private listeners = new Set<() => void>();

  constructor(spawn: Spawner, initial?: Partial<Selection>) {
    this.pool = new EnvPool({ slots: 1, workers: 1, spawn, want: { admissible: true, expert: true } });
    const env = initial?.env && envNames().includes(initial.env) ? initial.env : envNames()[0];
    const split = initial?.split && this.splitsOf(env).includes(initial.split) ? initial.split : this.splitsOf(env)[0];
    this.selection = { env, split, task: initial?.task ?? 0, seed: initial?.seed ?? 0 };
  }

  /** Environments in the registry, for the picker. */
  get envs(): string[] {
    return envNames();
  }

  splitsOf(env: string): SplitName[] {
    return Object.keys(getEnvSpec(env).splits) as SplitName[];
  }

  taskCount(): number {
    return getEnvSpec(this.selection.env).splits[this.selection.split] ?? 0;
  }

  maxSteps(): number {
    return getEnvSpec(this.selection.env).maxSteps;
  }

  description(): string {
    return getEnvSpec(this.selection.env).description;
  }

  version(): string {
    return getEnvSpec(this.selection.env).version;
  }

  get restarts(): number {
    return this.pool.restarts;
  }

  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    for (const fn of this.listeners) fn();
  }

  /** Change the selection (clamping the task to the split) and start a new episode. */
  async select(next: Partial<Selection>): Promise<void> {
    const s = { ...this.selection, ...next };
    if (next.env && next.env !== this.selection.env && !next.split) s.split = this.splitsOf(s.env)[0];
    const size = getEnvSpec(s.env).splits[s.split] ?? 0;
    s.task = Math.min(Math.max(0, Math.floor(Number.isFinite(s.task) ? s.task : 0)), Math.max(0, size - 1));
    s.seed = Math.max(0, Math.floor(Number.isFinite(s.seed) ? s.seed : 0));
    this.selection = s;
    await this.reset();
  }

  async reset(): Promise<void> {
    const { env, split, task, seed } = this.selection;
    const spec = getEnvSpec(env);
    this.busy = true;
    this.error = null;
    this.changed();
    try {
      const ref = spec.task(split, task);
      this.taskLabel = ref.label;
      this.taskId = ref.id;
      const [r] = await this.pool.reset([{ env, taskId: ref.id, seed }]);
      if (!r) throw new Error('no observation');
      this.goal = r.observation.goal;
      this.log = [{ step: 0, action: null, text: r.observation.text, valid: true, reward: 0, done: false, source: 'start' }];
      this.admissible = r.admissible ?? [];
      this.expert = r.expert ?? null;
      this.steps = 0;
      this.validSteps = 0;
      this.reward = 0;
      this.status = 'playing';
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
      this.status = 'idle';
    } finally {
      this.busy = false;
      this.changed();
    }
  }

  /** Take an action (any text). Ignored while busy or after the episode ended. */
  async act(action: string, source: LogEntry['source']): Promise<void> {
    if (this.busy || this.status !== 'playing') return;
    this.busy = true;
    this.error = null;
    this.changed();
    try {
      const [r] = await this.pool.step([action]);
      if (!r) throw new Error('no result');
      this.steps++;
      if (r.valid) this.validSteps++;
      this.reward += r.reward;
      this.log = [...this.log, { step: this.steps, action, text: r.observation.text, valid: r.valid, reward: r.reward, done: r.done, source }];
      this.admissible = r.admissible ?? [];
      this.expert = r.expert ?? null;
      if (r.done) this.status = r.won ? 'won' : 'over';
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
    } finally {
      this.busy = false;
      this.changed();
    }
  }

  /** The actions taken so far in this episode, in order. */
  actions(): string[] {
    return this.log.filter((e) => e.action !== null).map((e) => e.action as string);
  }

  dispose(): void {
    this.listeners.clear();
    this.pool.close();
  }
}
