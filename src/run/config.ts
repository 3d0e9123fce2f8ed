// The run config: every setting of one training run (DESIGN.md §1, issue 10), declared once as a
// tree of fields (config-fields.ts). From that one declaration come the TypeScript type, the
// valibot validation (an error names the field and its allowed range), the defaults, the lab's
// forms and the URL query string. JSON and query string both round-trip.
//
// Defaults follow DESIGN.md §1 and the research notes: α = 1, β = 0.5, K = 8 at temperature 1,
// a 10% held-out split for the estimator, ε = 0.2, γ = 0.99 and λ = 0.95 (StepTool/trl), value
// coefficient 0.5 with a 0.2 value clip, and a small k3 ("low_var_kl") KL term to the policy as
// BC left it (verl-agent anchors to its SFT policy; BC of the adapter is our SFT)
// as in verl-agent.
//
// Sizes: the default run is what the lab's Train button and `stepwise train` do, for students and
// live demos, so it is sized to finish in about two minutes on a 2-core machine (issue 10's
// Performance goal: under 5, aim under 2) while still showing the stages move. Rollouts are where
// the time goes (about 100 decisions/s on household here), so the sizes bound decisions: 16 train
// tasks, K = 4, 4 PPO iterations of 8 tasks, 25 evaluation tasks per split and episodes capped at
// 15 steps. The paper-scale settings are each one field away (K = 8, tasks.count = 0 for the whole
// split, eval.tasks = 0 for the whole test split, episode.maxSteps = 0 for the env's own cap).

import * as v from 'valibot';
import type { SplitName } from '../envs/env';
import { ENV_REGISTRY, envNames, getEnvSpec } from '../envs/registry';
import type { KlEstimator } from '../kernels/ppo';
import { BUNDLED_MODEL_ID } from '../policy/model-catalogue';
import type { KlReference } from '../rl/ppo-stage';
import { REWARD_VARIANTS } from '../rl/rewards';
import {
  choice, choices, defaultsOf, flag, flattenTree, fromQueryValue, getPath, int, num, setPath, text, toQueryValue, treeSchema,
  type DeepPartial, type Field, type ValuesOf,
} from './config-fields';

const SPLITS = ['train', 'seen-test', 'unseen-test', 'test'] as const satisfies readonly SplitName[];
const TEST_SPLITS: readonly SplitName[] = ['seen-test', 'unseen-test', 'test'];
const KL_ESTIMATORS = ['k1', 'k3', 'exact'] as const satisfies readonly KlEstimator[];
// Fails to compile when the kernel learns an estimator the config does not offer.
const klComplete: Exclude<KlEstimator, (typeof KL_ESTIMATORS)[number]> extends never ? true : never = true;
void klComplete;
// Declared here rather than imported from rl/ppo-stage so the config keeps the GPU code out of its imports.
const KL_REFERENCES = ['bc', 'prior'] as const satisfies readonly KlReference[];
const klReferenceComplete: Exclude<KlReference, (typeof KL_REFERENCES)[number]> extends never ? true : never = true;
void klReferenceComplete;

const MAX_TASKS = 1_000_000;
const MAX_SEED = 2 ** 31 - 1;

export const RUN_CONFIG_SPEC = {
  env: choice('Environment', envNames(), 'household', { help: 'The text world to train in.' }),
  split: choice('Training split', SPLITS, 'train', { help: 'The split whose tasks exploration and PPO draw from.', advanced: true }),
  tasks: {
    start: int('First task', 0, MAX_TASKS, 0, { help: 'Index of the first training task used.', advanced: true }),
    // 16 tasks: BC sees 16 expert episodes (~100 decisions) and exploration 16 × K episodes.
    count: int('Tasks', 0, MAX_TASKS, 16, { help: 'How many training tasks from the first one; 0 takes the rest of the split.' }),
  },
  episode: {
    // 15: household's expert solves every train task in 3–11 steps (median 7, p95 9), so 15 leaves
    // room for a few wasted moves while an untrained policy's failed episodes stop at 15 instead of
    // the env's 40, which cuts the default run's rollout time by more than half. Applies to
    // exploration, PPO rollouts, BC demonstrations and evaluation alike; a run option (the
    // pipeline's options.maxSteps, used by the tour, the CLI's experiments and tests) overrides
    // it. The Train screen shows this field only: its cap is the config's.
    maxSteps: int('Max steps per episode', 0, 10_000, 15, { help: 'Decisions an episode may take before it is cut off; 0 keeps the environment\'s own cap.' }),
  },
  model: text('Model', /^[A-Za-z0-9][\w.-]*(\/[\w.-]+)?$/, 200, 'a model id like stepwise-tiny or owner/name', BUNDLED_MODEL_ID,
    { help: 'The frozen backbone: the bundled model or a Hugging Face hub id.' }),
  seed: int('Seed', 0, MAX_SEED, 1, { help: 'Seeds every random draw of the run (sampling, initial weights, shuffles, held-out split).' }),
  reward: choice('Method', REWARD_VARIANTS, 'spa', { help: 'The reward variant: SPA or a baseline (see rl/rewards.ts).' }),
  alpha: num('α (progress weight)', 0, 10, 1, { help: 'Weight of the estimator\'s contribution ĉ_t in r_t = α·ĉ_t + β·g_t.' }),
  beta: num('β (grounding weight)', 0, 10, 0.5, { help: 'Weight of the valid-action flag g_t in r_t = α·ĉ_t + β·g_t.' }),
  sft: {
    enabled: flag('Run SFT', false, { help: 'Fine-tune the backbone on expert transcripts first; off because the bundled model already is the SFT result.', advanced: true }),
    steps: int('SFT steps', 1, 1_000_000, 300, { advanced: true }),
    epochs: int('SFT epochs', 1, 1000, 1, { advanced: true }),
    lr: num('SFT learning rate', 0, 1, 1e-3, { minOpen: true, log: true, advanced: true }),
  },
  bc: {
    steps: int('BC steps', 0, 1_000_000, 0, { help: 'Cap on BC optimiser steps; 0 lets the epochs decide.', advanced: true }),
    // 50 epochs at lr 1e-2 (~150 steps on household's 86 demos): with standardised features the
    // adapter fits its training demos (bc/accuracy 1.00); 10 epochs at 1e-3 (30 steps) stayed at 0.16.
    epochs: int('BC epochs', 0, 1000, 50, { help: 'Passes of the policy adapter over the expert trajectories.', advanced: true }),
    lr: num('BC learning rate', 0, 1, 1e-2, { minOpen: true, log: true, advanced: true }),
  },
  explore: {
    // K = 4: the smallest group that still gives rloo and gigpo a baseline from three others; the paper's 8 is one field away.
    k: int('Rollouts per task (K)', 1, 256, 4, { help: 'Exploration rollouts per training task, and the group size of rloo and gigpo.' }),
    temperature: num('Exploration temperature', 0, 10, 1, { minOpen: true, advanced: true }),
  },
  // Invalid distractors: with the env's admissible actions alone every chosen action is valid, so
  // g_t ≡ 1, grounding is 100% by construction and β·g_t is a per-step constant. Up to 6 of the
  // env's plausible-but-ineffective commands join each decision (never more than a third of its
  // admissible count, rl/candidates.ts): about 1 in 4-5 candidates on household, enough that a
  // policy that has not learnt grounding picks some, few enough that the task stays the task.
  candidates: {
    invalid: int('Invalid candidates per decision', 0, 64, 6, {
      help: 'At most this many well-formed but ineffective actions (the mistakes a free-writing agent makes) are mixed into each decision\'s candidates, so picking one gives g_t = 0; 0 offers the admissible actions only.',
      advanced: true,
    }),
  },
  estimator: {
    hidden: int('Estimator hidden size', 1, 4096, 64, { advanced: true }),
    epochs: int('Estimator epochs', 1, 10_000, 30, { advanced: true }),
    lr: num('Estimator learning rate', 0, 1, 1e-3, { minOpen: true, log: true, advanced: true }),
    heldOut: num('Held-out fraction', 0, 0.9, 0.1, { help: 'Share of trajectories kept out of estimator training to report held-out MSE.', advanced: true }),
    refitEvery: int('Refit every k iterations', 0, 10_000, 1, { help: 'Retrain the estimator on fresh rollouts every k PPO iterations; 0 never refits.', advanced: true }),
  },
  ppo: {
    // 4 iterations × 8 tasks × K: enough for the curves to move in a demo; each costs ~10 s here.
    iterations: int('PPO iterations', 0, 100_000, 4, { help: 'Each collects fresh rollouts with the current policy, then updates.' }),
    tasksPerIteration: int('Tasks per iteration', 1, MAX_TASKS, 8, { help: 'Training tasks rolled out (K times each) per iteration.', advanced: true }),
    epochs: int('PPO epochs', 1, 1000, 4, { advanced: true }),
    minibatch: int('Minibatch (steps)', 1, 1 << 20, 64, { advanced: true }),
    lr: num('PPO learning rate', 0, 1, 3e-4, { minOpen: true, log: true }),
    gamma: num('γ (discount)', 0, 1, 0.99, { advanced: true }),
    lambda: num('λ (GAE)', 0, 1, 0.95, { advanced: true }),
    clip: num('ε (ratio clip)', 0, 1, 0.2, { minOpen: true, maxOpen: true, advanced: true }),
    valueClip: num('Value clip', 0, 100, 0.2, { help: 'ε_v of the clipped value loss; 0 uses the plain squared error.', advanced: true }),
    vfCoef: num('Value coefficient', 0, 100, 0.5, { advanced: true }),
    entCoef: num('Entropy coefficient', 0, 10, 0.01, { advanced: true }),
    klCoef: num('KL coefficient', 0, 100, 0.01, { help: 'Weight of the KL term to the reference policy (see KL reference).', advanced: true }),
    klEstimator: choice('KL estimator', KL_ESTIMATORS, 'k3', { help: 'k1 = log ratio, k3 = low-variance (verl low_var_kl), exact = over the candidate set (to the prior only).', advanced: true }),
    // 'bc': BC of the adapter plays SFT's part, and verl's KL reference is the SFT'd policy RL
    // starts from; anchoring to the pre-BC prior pulled PPO away from what BC learned.
    klReference: choice('KL reference', KL_REFERENCES, 'bc', {
      help: 'What the KL term anchors the policy to: bc = the policy frozen at the end of BC (the policy PPO starts from), prior = the frozen prior softmax(κ·ℓ), the backbone\'s own action scores before BC.',
      advanced: true,
    }),
    maxGradNorm: num('Max gradient norm', 0, 1000, 1, { help: '0 turns gradient clipping off.', advanced: true }),
  },
  gigpo: {
    stepWeight: num('GiGPO step weight ω', 0, 10, 1, { advanced: true }),
    groupNorm: choice('GiGPO group normalisation', ['mean-std', 'mean'], 'mean-std', { advanced: true }),
  },
  eval: {
    splits: choices('Evaluation splits', SPLITS, [], { help: 'Splits evaluated greedily at the end; empty means every test split the environment has.', advanced: true }),
    // 25 per split (the first 25 of each test split, the same for every run): enough to see a
    // difference of a few solved tasks in seconds; household's whole splits (140 + 134) are 0 away.
    tasks: int('Evaluation tasks per split', 0, MAX_TASKS, 25, { help: '0 evaluates the whole split.', advanced: true }),
  },
} as const;

export type RunConfig = ValuesOf<typeof RUN_CONFIG_SPEC>;
export type RunConfigInput = DeepPartial<RunConfig>;

/** Every field with its dotted path (e.g. "ppo.lr"), for forms and the URL state schema. */
export const RUN_CONFIG_FIELDS: readonly { path: string; field: Field }[] = flattenTree(RUN_CONFIG_SPEC);

const SCHEMA = treeSchema(RUN_CONFIG_SPEC) as v.GenericSchema<unknown, RunConfig>;

export interface ConfigIssue {
  /** Dotted path of the field ("ppo.lr"), "(json)" for unreadable JSON, "(query)" for a bad query. */
  field: string;
  message: string;
}

export class RunConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(`invalid run config: ${issues.map((i) => i.message).join('; ')}`);
    this.name = 'RunConfigError';
  }
}

export function defaultRunConfig(): RunConfig {
  return defaultsOf(RUN_CONFIG_SPEC) as RunConfig;
}

/** The test splits an environment has (its evaluation splits when eval.splits is empty). */
export function testSplitsOf(env: string): SplitName[] {
  const splits = getEnvSpec(env).splits;
  return TEST_SPLITS.filter((s) => splits[s] !== undefined);
}

/** The splits the run evaluates on. */
export function evalSplits(c: RunConfig): SplitName[] {
  return c.eval.splits.length > 0 ? c.eval.splits : testSplitsOf(c.env);
}

/** Checks that need more than one field: the splits and task range must exist in the env. */
function crossFieldIssues(c: RunConfig): ConfigIssue[] {
  const spec = ENV_REGISTRY.get(c.env);
  if (!spec) return [];
  const issues: ConfigIssue[] = [];
  const have = (Object.keys(spec.splits) as SplitName[]).filter((s) => spec.splits[s] !== undefined);
  const size = spec.splits[c.split];
  if (size === undefined) {
    issues.push({ field: 'split', message: `split must be one of ${c.env}'s splits (${have.join(', ')}), got "${c.split}"` });
  } else {
    if (c.tasks.start > size - 1) issues.push({ field: 'tasks.start', message: `tasks.start must be an integer in [0, ${size - 1}] for ${c.env} ${c.split}, got ${c.tasks.start}` });
    else if (c.tasks.start + c.tasks.count > size) {
      issues.push({ field: 'tasks.count', message: `tasks.count must be an integer in [0, ${size - c.tasks.start}] for ${c.env} ${c.split} from task ${c.tasks.start}, got ${c.tasks.count}` });
    }
  }
  const missing = c.eval.splits.filter((s) => spec.splits[s] === undefined);
  if (missing.length > 0) issues.push({ field: 'eval.splits', message: `eval.splits must be drawn from ${c.env}'s splits (${have.join(', ')}), got ${missing.join(', ')}` });
  return issues;
}

/** The exact KL needs every candidate's reference logit, which only the prior has on hand. */
function klIssues(c: RunConfig): ConfigIssue[] {
  if (c.ppo.klEstimator !== 'exact' || c.ppo.klReference === 'prior') return [];
  return [{ field: 'ppo.klEstimator', message: `ppo.klEstimator "exact" is only available with ppo.klReference "prior" (got ppo.klReference "${c.ppo.klReference}"); use k1 or k3, or set ppo.klReference to "prior"` }];
}

export type ParseResult = { ok: true; config: RunConfig } | { ok: false; error: RunConfigError };

/** Validates a (partial) config; missing fields take their defaults. */
export function safeParseRunConfig(input: unknown): ParseResult {
  const r = v.safeParse(SCHEMA, input ?? {});
  if (!r.success) {
    return { ok: false, error: new RunConfigError(r.issues.map((i) => ({ field: v.getDotPath(i) ?? '(config)', message: i.message }))) };
  }
  const cross = [...crossFieldIssues(r.output), ...klIssues(r.output)];
  return cross.length ? { ok: false, error: new RunConfigError(cross) } : { ok: true, config: r.output };
}

/** Validates a (partial) config; throws RunConfigError naming every bad field and its range. */
export function parseRunConfig(input: unknown): RunConfig {
  const r = safeParseRunConfig(input);
  if (!r.ok) throw r.error;
  return r.config;
}

// ---- Saved runs ---------------------------------------------------------------------------------

/**
 * Fields added to the config after runs were already being saved, with the value a run saved
 * before the field existed was trained with. That is not always the field's default: the default
 * is for new runs, while an old run's record must keep describing what it did, so that resuming,
 * re-evaluating or branching it plays the same game it trained on.
 */
const SAVED_RUN_MIGRATIONS: readonly { path: string; before: unknown }[] = [
  // Added with default 6 (commit 863a4cc); runs saved before it offered the admissible actions only.
  { path: 'candidates.invalid', before: 0 },
  // Added with default 'bc'; runs saved before it anchored the KL to the prior.
  { path: 'ppo.klReference', before: 'prior' },
];

/** The stored config with every field it predates filled in with what the run did then. Never throws. */
function migrateSavedRunConfig(saved: unknown): unknown {
  // Absent like every field of it, as safeParseRunConfig reads it.
  const raw = saved ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const missing = SAVED_RUN_MIGRATIONS.filter((m) => getPath(raw, m.path) === undefined);
  if (missing.length === 0) return raw;
  const out = structuredClone(raw) as Record<string, unknown>;
  for (const m of missing) setPath(out, m.path, m.before);
  return out;
}

/**
 * Validates a config read back from a saved run (a store's run record, run.json, a checkpoint
 * file, a run bundle). Unlike safeParseRunConfig, a field the run was saved without takes the
 * value the run was trained with (SAVED_RUN_MIGRATIONS), not today's default for new runs.
 */
export function safeParseSavedRunConfig(raw: unknown): ParseResult {
  return safeParseRunConfig(migrateSavedRunConfig(raw));
}

/** safeParseSavedRunConfig's throwing form: RunConfigError names every bad field. */
export function parseSavedRunConfig(raw: unknown): RunConfig {
  const r = safeParseSavedRunConfig(raw);
  if (!r.ok) throw r.error;
  return r.config;
}

/**
 * What the run stores hand back as a run record's config: the saved config parsed as above, or,
 * when it no longer validates (say its environment is gone), the stored object with the same
 * fields filled in, so a list of runs still shows it and the reader that needs the config reports
 * what is wrong with it, as before this function existed.
 */
export function savedRunConfig(raw: unknown): RunConfig {
  const r = safeParseSavedRunConfig(raw);
  // The cast is the stores' long-standing contract for a record that no longer validates.
  return r.ok ? r.config : (migrateSavedRunConfig(raw) as RunConfig);
}

// ---- JSON --------------------------------------------------------------------------------------

/** Pretty JSON with the fields in declaration order. */
export function runConfigToJson(c: RunConfig): string {
  return JSON.stringify(parseRunConfig(c), null, 2);
}

export function runConfigFromJson(json: string): RunConfig {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (e) {
    throw new RunConfigError([{ field: '(json)', message: `the run config is not valid JSON: ${(e as Error).message}` }]);
  }
  return parseRunConfig(data);
}

// ---- URL query string ---------------------------------------------------------------------------

export interface QueryOptions {
  /** Key prefix (e.g. "run."), so the run config can share a URL with other parameters. */
  prefix?: string;
  /** Write only the fields that differ from their defaults (shorter links, but they then follow changed defaults). */
  onlyChanged?: boolean;
}

function sameValue(a: unknown, b: unknown): boolean {
  return Array.isArray(a) && Array.isArray(b) ? a.length === b.length && a.every((x, i) => x === b[i]) : a === b;
}

/** "env=household&tasks.count=32&ppo.lr=0.0003…" in declaration order. */
export function runConfigToQuery(c: RunConfig, opts: QueryOptions = {}): string {
  const checked = parseRunConfig(c);
  const q = new URLSearchParams();
  for (const { path, field } of RUN_CONFIG_FIELDS) {
    const value = getPath(checked, path);
    if (opts.onlyChanged && sameValue(value, field.default)) continue;
    q.set(`${opts.prefix ?? ''}${path}`, toQueryValue(field, value));
  }
  return q.toString();
}

/**
 * Reads the keys that carry the prefix (all keys when there is none); missing fields take their
 * defaults. An unknown or repeated key with the prefix is an error, so a typo is never ignored.
 */
export function runConfigFromQuery(query: string | URLSearchParams, opts: Pick<QueryOptions, 'prefix'> = {}): RunConfig {
  const q = typeof query === 'string' ? new URLSearchParams(query.startsWith('?') ? query.slice(1) : query) : query;
  const prefix = opts.prefix ?? '';
  const byPath = new Map(RUN_CONFIG_FIELDS.map((f) => [f.path, f.field]));
  const data: Record<string, unknown> = {};
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const [key, raw] of q) {
    if (!key.startsWith(prefix)) continue;
    const path = key.slice(prefix.length);
    const field = byPath.get(path);
    if (!field) issues.push({ field: path, message: `unknown field ${path}` });
    else if (seen.has(path)) issues.push({ field: path, message: `${path} is given more than once` });
    else setPath(data, path, fromQueryValue(field, raw));
    seen.add(path);
  }
  if (issues.length) throw new RunConfigError(issues);
  return parseRunConfig(data);
}
