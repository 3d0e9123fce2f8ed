// `stepwise eval`: greedy evaluation of a policy on one split. Scripts outside the project call
// these exact forms:
//   stepwise eval --policy prior --env <env> --split <split> [--json]
//       the model's own action scores ℓ(a|s) alone (no trained heads, no GPU); JSON output
//       {tasks, solved, success_rate, grounding}
//   stepwise eval --run <dir> --split <split> [--json]      (--policy <dir> is the same)
//       a trained run's heads from its last checkpoint; JSON output
//       {tasks, solved, success_rate, grounding, score, mean_length}
// Optional: --model (prior only: a catalogue id, default the bundled model, or a model folder's
// path), --tasks N (first N tasks of the split), --max-steps N.
// The prior is prompted as its model was trained: a local model folder whose config.json holds
// `stepwise.prompt` (the SFT'd bundled model does) gets exactly those prompt options.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { SplitName } from '../envs/env';
import { envNames, getEnvSpec } from '../envs/registry';
import { Gpu } from '../gpu';
import { Backbone } from '../policy/backbone';
import { bundledModelDir } from '../policy/backbone-node';
import { BUNDLED_MODEL_ID, catalogueEntry } from '../policy/model-catalogue';
import type { PromptOptions } from '../policy/prompts';
import { evaluate, type EvalResult } from '../rl/evaluate';
import { DEFAULT_CAPACITY, DEFAULT_HEAD_HIDDEN, DEFAULT_KAPPA, PolicyModel, PriorHeads } from '../rl/policy-model';
import { RolloutEngine } from '../rl/rollout';
import { type ItemBackbone, NaiveDecider } from '../rl/naive-rollout';
import { BatchedDecider, type Decider, type EpisodeBackbone } from '../rl/rollout-decider';
import { InlineEnvs } from '../rl/rollout-envs';
import type { HeadScorer } from '../rl/rollout-heads';
import { defaultRunConfig, type RunConfig } from '../run/config';
import { FileRunStore, readRunJson } from '../run/persistence/file-store';
import { EVAL_SEED } from '../run/pipeline';
import type { CommandGroup } from './command-group';
import { UsageError, type CliIO } from './io';
import { loadBackbone, NODE_SLOTS, positiveInt } from './node-run';

const USAGE = 'stepwise eval (--policy prior --env <env> | --run <dir>) --split <split> [--tasks N] [--max-steps N] [--invalid N] [--model id|dir] [--json]';

function help(): string {
  return [
    `usage: ${USAGE}`,
    '',
    'Plays one greedy episode per task of the split and reports the success rate and the grounding accuracy',
    '(share of valid actions). --policy prior picks by the model\'s own action scores ℓ(a|s) alone; --run <dir>',
    '(or --policy <dir>) uses the trained heads of a `stepwise train` run from its last checkpoint.',
    '--invalid N mixes up to N well-formed but ineffective actions into each decision\'s candidates (default: the',
    'run\'s candidates.invalid, 0 for a run saved before that setting existed; the config default for --policy prior);',
    '0 offers the admissible actions only, so grounding is 100%.',
  ].join('\n');
}

/** A model to evaluate: its backbone and the folder it was loaded from (null for hub models). */
interface LoadedModel {
  backbone: Backbone;
  folder: string | null;
}

/** --model: a catalogue id (default the bundled model) or the path of a transformers.js model folder. */
async function loadModel(choice: string): Promise<LoadedModel> {
  const entry = catalogueEntry(choice);
  if (entry) {
    return { backbone: await loadBackbone(choice), folder: entry.source === 'local' ? join(bundledModelDir(), entry.id) : null };
  }
  const folder = resolve(choice);
  if (!existsSync(join(folder, 'config.json')) || !statSync(folder).isDirectory()) {
    throw new UsageError(`--model "${choice}" is neither a catalogue model (src/policy/model-catalogue.ts) nor a model folder with a config.json`);
  }
  const backbone = await Backbone.load({ modelId: basename(folder), source: 'local', device: 'cpu', dtype: 'fp32', localModelPath: dirname(folder) });
  return { backbone, folder };
}

/** The prompt options a model folder's config.json declares under `stepwise.prompt`, if any. */
export function modelPromptOptions(folder: string | null): PromptOptions | null {
  if (folder === null) return null;
  const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8')) as { stepwise?: { prompt?: unknown } };
  const p = config.stepwise?.prompt;
  if (p === undefined) return null;
  const o = p as Partial<Record<keyof PromptOptions, unknown>>;
  const ok = typeof p === 'object' && p !== null && Number.isInteger(o.historyLength) && (o.historyLength as number) >= 0 && typeof o.showAdmissible === 'boolean' &&
    (o.maxAdmissible === undefined || Number.isInteger(o.maxAdmissible)) && (o.instruction === undefined || typeof o.instruction === 'string');
  if (!ok) throw new Error(`${join(folder, 'config.json')}: stepwise.prompt ${JSON.stringify(p)} is not {historyLength, showAdmissible[, maxAdmissible, instruction]}`);
  return p as PromptOptions;
}

/**
 * The decider that prompts the model with `prompt`. Without the admissible list, a window that
 * shows at most historyLength steps and, past that, always the last historyLength renders
 * exactly buildMessages(state, prompt), with each episode's KV cache reused while it grows.
 * A prompt that lists the admissible actions changes every step, so each one is scored whole.
 */
export function deciderFor(backbone: EpisodeBackbone & ItemBackbone, heads: HeadScorer, prompt: PromptOptions | null): Decider {
  if (prompt === null) return new BatchedDecider(backbone, heads);
  if (prompt.showAdmissible) return new NaiveDecider(backbone, heads, prompt);
  const window = { maxHistory: prompt.historyLength, keepHistory: prompt.historyLength };
  return new BatchedDecider(backbone, heads, { window, ...(prompt.instruction !== undefined ? { instruction: prompt.instruction } : {}) });
}

/** Runs one greedy evaluation with the given decider. */
export async function evaluateWith(decider: Decider, env: string, split: SplitName, tasks: number, maxSteps?: number, invalid = 0): Promise<EvalResult> {
  const engine = new RolloutEngine(decider, new InlineEnvs(NODE_SLOTS), { invalid });
  const { result } = await evaluate(engine, { env: getEnvSpec(env), split, count: tasks, seed: EVAL_SEED, maxSteps });
  return result;
}

async function run(args: string[], io: CliIO): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(help());
    return 0;
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args, strict: true, allowPositionals: false,
      options: {
        policy: { type: 'string' }, run: { type: 'string' }, env: { type: 'string' }, split: { type: 'string' }, tasks: { type: 'string' },
        'max-steps': { type: 'string' }, invalid: { type: 'string' }, model: { type: 'string' }, json: { type: 'boolean' },
      },
    }).values;
  } catch (e) {
    throw new UsageError(`${e instanceof Error ? e.message : String(e)}\nusage: ${USAGE}`);
  }
  const runDir = typeof values.run === 'string' ? values.run : values.policy !== undefined && values.policy !== 'prior' ? String(values.policy) : null;
  if (runDir === null && values.policy !== 'prior') throw new UsageError(`say which policy: --policy prior or --run <dir>\nusage: ${USAGE}`);
  if (typeof values.split !== 'string') throw new UsageError(`missing --split\nusage: ${USAGE}`);
  const tasks = typeof values.tasks === 'string' ? positiveInt(values.tasks, 'tasks') : 0;
  const maxSteps = typeof values['max-steps'] === 'string' ? positiveInt(values['max-steps'], 'max-steps') : undefined;

  let config: RunConfig | null = null;
  let dir = '';
  if (runDir !== null) {
    dir = resolve(runDir);
    if (!existsSync(join(dir, 'run.json'))) throw new UsageError(`${dir} holds no run (no run.json); train one with \`stepwise train --out ${runDir}\``);
    config = readRunJson(dir).config;
    if (typeof values.model === 'string' && values.model !== config.model) throw new UsageError(`the run was trained on ${config.model}; --model cannot change that`);
  }
  const env = typeof values.env === 'string' ? values.env : config?.env;
  if (!env) throw new UsageError(`missing --env\nusage: ${USAGE}`);
  if (!envNames().includes(env)) throw new UsageError(`unknown environment "${env}"; known: ${envNames().join(', ')}`);
  if (config && env !== config.env) throw new UsageError(`the run was trained on ${config.env}, not ${env}`);
  const spec = getEnvSpec(env);
  const split = values.split as SplitName;
  if (spec.splits[split] === undefined) throw new UsageError(`${env} has no split "${split}"; it has ${Object.keys(spec.splits).join(', ')}`);

  // The run's own setting (a run saved before the setting existed reads back as 0, what it trained with).
  const invalid = typeof values.invalid === 'string'
    ? positiveInt(values.invalid, 'invalid', 0)
    : config?.candidates.invalid ?? defaultRunConfig().candidates.invalid;

  const { backbone, folder } = config ? { backbone: await loadBackbone(config.model), folder: null } : await loadModel(typeof values.model === 'string' ? values.model : BUNDLED_MODEL_ID);
  const dim = backbone.info.featureDim;
  let gpu: Gpu | null = null;
  let model: PolicyModel | null = null;
  try {
    let heads: HeadScorer;
    if (config) {
      const store = await FileRunStore.openRunDir(dir);
      const runs = await store.listRuns();
      const ckpt = runs[0] ? await store.latestCheckpoint(runs[0].id) : undefined;
      await store.close();
      if (!ckpt) throw new UsageError(`${dir} has no checkpoint yet; train further before evaluating`);
      gpu = await Gpu.create();
      model = new PolicyModel(gpu, { featureDim: dim, hidden: DEFAULT_HEAD_HIDDEN, estimatorHidden: config.estimator.hidden, kappa: DEFAULT_KAPPA, seed: config.seed }, DEFAULT_CAPACITY);
      model.load(ckpt.blobs);
      heads = await model.heads();
    } else {
      heads = new PriorHeads(dim, dim);
    }
    // A run's heads were trained on the pipeline's prompt window; the prior reads its model's own prompt.
    const r = await evaluateWith(deciderFor(backbone, heads, config ? null : modelPromptOptions(folder)), env, split, tasks, maxSteps, invalid);
    const json = config
      ? { tasks: r.tasks, solved: r.solved, success_rate: r.success_rate, grounding: r.grounding, score: r.score, mean_length: r.mean_length }
      : { tasks: r.tasks, solved: r.solved, success_rate: r.success_rate, grounding: r.grounding };
    if (values.json) io.out(JSON.stringify(json));
    else {
      io.out(`${config ? `run ${dir}` : `prior of ${backbone.info.modelId}`} on ${env} ${split}: success ${(100 * r.success_rate).toFixed(1)}% (${r.solved}/${r.tasks}), grounding ${(100 * r.grounding).toFixed(1)}%` +
        (config ? `, score ${r.score.toFixed(3)}, mean length ${r.mean_length.toFixed(1)}` : ''));
    }
    return 0;
  } finally {
    model?.destroy();
    gpu?.device.destroy();
    await backbone.dispose();
  }
}

export const evalCommands: CommandGroup = {
  summary: 'evaluate greedily: stepwise eval --policy prior --env <env> --split <split> [--json], or --run <dir>',
  run,
};
