// The lab's state in the URL, declared once per screen, as tensorflow/playground's state.ts does:
// each screen lists its parameters as typed fields (the run config's field vocabulary), and one
// codec reads and writes them. Screens never parse the hash themselves. The Train screen's state
// is the whole run config under "run.", so a link reproduces a run.
//
//   #/<screen>?<name>=<value>&…     nested fields use dotted names: run.ppo.lr=0.0003
//
// Reading never throws: a value that does not fit its field falls back to the default and is
// reported as an issue naming the parameter, so a mangled link still opens the screen and says
// what it ignored.

import * as v from 'valibot';
import type { SplitName } from '../envs/env';
import { envNames } from '../envs/registry';
import { RUN_CONFIG_SPEC, safeParseRunConfig, type ConfigIssue, type RunConfig } from '../run/config';
import {
  choice, defaultsOf, fieldSchema, flattenTree, fromQueryValue, getPath, int, num, setPath, text, toQueryValue,
  type Field, type FieldTree, type ValuesOf,
} from '../run/config-fields';
import { OUTCOMES } from './lab/outcome';
import { formatRoute, parseRoute } from './shell/route';

export interface ScreenStateDef<T extends FieldTree> {
  screen: string;
  params: T;
  /** Write every parameter, not only changed ones: the link then survives changed defaults. */
  writeAll?: boolean;
  /** Checks across parameters; each issue's field is reset to its default. */
  check?: (values: ValuesOf<T>) => ConfigIssue[];
  /** Rewrites parameters of older links into today's names before they are read (never throws). */
  migrate?: (params: URLSearchParams) => URLSearchParams;
}

export function defineScreenState<const T extends FieldTree>(def: ScreenStateDef<T>): ScreenStateDef<T> {
  return def;
}

export interface DecodedState<V> {
  values: V;
  /** What was ignored, by parameter name. */
  issues: ConfigIssue[];
}

function sameValue(a: unknown, b: unknown): boolean {
  return Array.isArray(a) && Array.isArray(b) ? a.length === b.length && a.every((x, i) => x === b[i]) : a === b;
}

function defaultOf(f: Field): unknown {
  return Array.isArray(f.default) ? [...f.default] : f.default;
}

/** The screen's values from query parameters; unknown, repeated or bad ones are issues. */
export function decodeState<T extends FieldTree>(def: ScreenStateDef<T>, params: URLSearchParams): DecodedState<ValuesOf<T>> {
  const fields = flattenTree(def.params);
  const byPath = new Map(fields.map((f) => [f.path, f.field]));
  const values = defaultsOf(def.params);
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const [key, raw] of def.migrate ? def.migrate(params) : params) {
    const field = byPath.get(key);
    if (!field) { issues.push({ field: key, message: `unknown parameter ${key}` }); continue; }
    if (seen.has(key)) { issues.push({ field: key, message: `${key} is given more than once; the first is used` }); continue; }
    seen.add(key);
    const r = v.safeParse(fieldSchema(key, field), fromQueryValue(field, raw));
    if (r.success) setPath(values, key, r.output);
    else issues.push({ field: key, message: r.issues[0].message });
  }
  let typed = values as ValuesOf<T>;
  if (def.check) {
    for (const issue of def.check(typed)) {
      issues.push(issue);
      const field = byPath.get(issue.field);
      if (field) setPath(values, issue.field, defaultOf(field));
    }
    // Resetting one field can leave another inconsistent (a task range for another env): start over.
    if (def.check(typed).length > 0) typed = defaultsOf(def.params) as ValuesOf<T>;
  }
  return { values: typed, issues };
}

/** Query parameters for the values, in declaration order; defaults left out unless writeAll. */
export function encodeState<T extends FieldTree>(def: ScreenStateDef<T>, values: ValuesOf<T>): URLSearchParams {
  const q = new URLSearchParams();
  for (const { path, field } of flattenTree(def.params)) {
    const value = getPath(values, path);
    if (value === undefined || (!def.writeAll && sameValue(value, field.default))) continue;
    q.set(path, toQueryValue(field, value));
  }
  return q;
}

/** The link (hash) that opens the screen with these values. */
export function stateLink<T extends FieldTree>(def: ScreenStateDef<T>, values: ValuesOf<T>): string {
  return formatRoute(def.screen, encodeState(def, values));
}

/** A screen's view of the live URL: read on open, written on every change, watched for back/forward. */
export class UrlState<T extends FieldTree> {
  constructor(readonly def: ScreenStateDef<T>) {}

  /** The values in the current URL when it shows this screen, else the defaults. */
  read(): DecodedState<ValuesOf<T>> {
    const route = parseRoute(location.hash);
    return decodeState(this.def, route.screen === this.def.screen ? route.params : new URLSearchParams());
  }

  /** Replaces the URL's state (no history entry: every small change would flood the back button). */
  write(values: ValuesOf<T>): void {
    if (parseRoute(location.hash).screen !== this.def.screen) return;
    const link = stateLink(this.def, values);
    if (link !== location.hash) history.replaceState(null, '', link);
  }

  /** Calls back with the new values when the user edits the URL or goes back/forward on this screen. */
  watch(callback: (state: DecodedState<ValuesOf<T>>) => void): () => void {
    const listener = () => { if (parseRoute(location.hash).screen === this.def.screen) callback(this.read()); };
    window.addEventListener('hashchange', listener);
    return () => window.removeEventListener('hashchange', listener);
  }
}

// ---- the screens' parameters --------------------------------------------------------------------

const SPLIT_NAMES = ['train', 'seen-test', 'unseen-test', 'test'] as const satisfies readonly SplitName[];
/** Run ids as the stores accept them (persistence/store.ts checkId), '' for none. */
const RUN_ID = /^(?!\.)[\w.-]{0,200}$/;
const RUN_IDS = /^[\w.,-]*$/;

export const PLAYGROUND_STATE = defineScreenState({
  screen: 'playground',
  // Every parameter is written: a shared link names the exact episode.
  writeAll: true,
  params: {
    env: choice('Environment', envNames(), 'household'),
    split: choice('Split', SPLIT_NAMES, 'train'),
    task: int('Task', 0, 1_000_000, 0),
    seed: int('Seed', 0, 2 ** 31 - 1, 0),
  },
});

/**
 * Links written before the Train screen's separate "Step cap per episode" run option was folded
 * into the config's episode.maxSteps carried it as options.maxSteps, which overrode the config's
 * cap when above 0. Such a link still opens the run it described: a positive value becomes
 * run.episode.maxSteps; 0 (follow the config) is dropped.
 */
function migrateTrainParams(params: URLSearchParams): URLSearchParams {
  if (!params.has('options.maxSteps')) return params;
  // The old reader took the first of a repeated parameter; anything but a positive cap meant "no override".
  const cap = Number(params.get('options.maxSteps'));
  const override = Number.isFinite(cap) && cap > 0;
  const out = new URLSearchParams([...params].filter(([k]) => k !== 'options.maxSteps' && !(override && k === 'run.episode.maxSteps')));
  if (override) out.set('run.episode.maxSteps', String(params.get('options.maxSteps')));
  return out;
}

export const TRAIN_STATE = defineScreenState({
  screen: 'train',
  // The run config is the whole state: every setting that changes what a run does is one of its fields.
  params: { run: RUN_CONFIG_SPEC },
  writeAll: true,
  migrate: migrateTrainParams,
  check: (values) => {
    const r = safeParseRunConfig(values.run);
    return r.ok ? [] : r.error.issues.map((i) => ({ field: `run.${i.field}`, message: i.message }));
  },
});

/** The Outcome filter: every trajectory, or one outcome (lab/outcome.ts). */
export const TRAJECTORY_SUCCESS = ['all', ...OUTCOMES] as const;
export const SPEEDS = [0.5, 1, 2, 4] as const;

export const TRAJECTORIES_STATE = defineScreenState({
  screen: 'trajectories',
  params: {
    run: text('Run', RUN_ID, 200, 'a run id', ''),
    iteration: int('Iteration', -1, 1_000_000, -1, { help: '−1 shows every iteration.' }),
    split: choice('Split', ['all', ...SPLIT_NAMES], 'all'),
    success: choice('Outcome', TRAJECTORY_SUCCESS, 'all'),
    traj: text('Trajectory', /^[^\n]*$/, 400, 'a trajectory id', ''),
    step: int('Step', 0, 100_000, 0),
    speed: num('Speed (steps per second)', 0.25, 8, 1),
  },
});

export const COMPARE_STATE = defineScreenState({
  screen: 'compare',
  params: {
    runs: text('Runs', RUN_IDS, 4000, 'comma-separated run ids', '', { help: 'Empty compares every stored run.' }),
    metric: text('Metric', /^[\w/.-]{1,80}$/, 80, 'a metric name', 'success_rate'),
    smooth: int('Smoothing window', 1, 50, 1),
  },
});

/** A run config as the Train screen's link (what "Copy link" and the CLI's hand-off produce). */
export function trainLink(config: RunConfig): string {
  return stateLink(TRAIN_STATE, { run: config });
}
