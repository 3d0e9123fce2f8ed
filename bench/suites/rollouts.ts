// Rollout throughput: agent decisions per second on household with the bundled model in Node
// (transformers.js on onnxruntime-node, the heads on WebGPU through Dawn, the environments in the
// env worker pool), for the rollout engine against the naive loop. Both play the same episodes
// (K rollouts of each task, sampled at temperature 1, the same seed; the naive loop a subset of
// them) with the same heads and the same engine loop; only the decider differs:
//  - engine: every live episode in one backbone call per step, each episode's KV cache extended
//    by its new step only (append-only prompt window), contexts shared between rollouts computed
//    once, one head call per step;
//  - naive: one backbone call per environment per step from its full prompt (window of 4 steps
//    plus the candidate list, rendered and tokenised from scratch), one head call per episode.
// Every decision scores what training scores: the admissible actions plus the run config's
// default number of invalid distractors (candidates.invalid, mixed in by the engine for either
// decider, so both score the same candidates); training with the default config pays for
// ~30% more candidates per decision than the admissible list alone. One extra engine row,
// admissible candidates only, in a column of its own, shows what the distractors cost.

import { EnvPool } from '../../src/envs/pool/index';
import { nodeSpawner } from '../../src/envs/pool/spawn-node';
import { getEnvSpec } from '../../src/envs/registry';
import { Gpu } from '../../src/gpu/runtime';
import { PolicyAdapter, ValueHead } from '../../src/nn/heads';
import { ParamSet } from '../../src/nn/params';
import { Backbone } from '../../src/policy/backbone';
import { bundledModelDir } from '../../src/policy/backbone-node';
import { BUNDLED_MODEL_ID } from '../../src/policy/model-catalogue';
import { defaultRunConfig } from '../../src/run/config';
import { NaiveDecider } from '../../src/rl/naive-rollout';
import { type CollectResult, RolloutEngine, rolloutsOf } from '../../src/rl/rollout';
import { BatchedDecider, type Decider } from '../../src/rl/rollout-decider';
import { GpuHeadScorer } from '../../src/rl/rollout-heads';
import type { BenchSuite } from '../suite-types';

/** The engine's slots and tasks (K rollouts each). */
const SLOTS = 32;
const TASKS = 8;
const K = 4;
/**
 * The naive loop's cost per decision does not depend on how many episodes it plays (it scores
 * one at a time), so it is timed on the first NAIVE_TASKS tasks of the same workload only.
 */
const NAIVE_SLOTS = 8;
const NAIVE_TASKS = 2;
const MAX_STEPS = 6;
/** Invalid distractors per decision, as a default training run mixes in (candidates.invalid). */
const INVALID = defaultRunConfig().candidates.invalid;
const QUICK_MAX_STEPS = 3;

function describeProfile(r: CollectResult): string {
  const p = r.stats.profile;
  const d = p.decider;
  const pct = (x: number) => `${((100 * x) / p.wallMs).toFixed(0)}%`;
  const parts = [`env ${pct(p.envMs)}`, `prompts ${pct(d.promptMs)}`, `backbone ${pct(d.backboneMs)}`, `heads ${pct(d.headsMs)}`];
  if (d.scorer) {
    const s = d.scorer;
    parts.push(
      `[backbone: render ${pct(s.renderMs)}, tokenise ${pct(s.tokenizeMs)}, extend ${pct(s.extendMs)}, candidates ${pct(s.candidateMs)}, kv copies ${pct(s.kvCopyMs)}, readout ${pct(s.readoutMs)}]`,
    );
  }
  return parts.join(', ');
}

export const suite: BenchSuite = {
  name: 'rollouts',
  where: 'node',
  async run(ctx) {
    const maxSteps = ctx.quick ? QUICK_MAX_STEPS : MAX_STEPS;
    const spec = getEnvSpec('household');
    const tasks = Array.from({ length: TASKS }, (_, i) => ({ taskId: spec.task('train', i).id, seed: 1 }));
    const episodes = rolloutsOf(tasks, K);
    const naiveEpisodes = rolloutsOf(tasks.slice(0, NAIVE_TASKS), K);
    const backbone = await Backbone.load({ modelId: BUNDLED_MODEL_ID, source: 'local', device: 'cpu', dtype: 'fp32', localModelPath: bundledModelDir() });
    const gpu = await Gpu.create();
    const d = backbone.info.featureDim;
    const params = new ParamSet();
    const adapter = new PolicyAdapter(params, 'policy', { stateDim: d, actionDim: d, hidden: [128], activation: 'tanh', kappa: 1 });
    const value = new ValueHead(params, 'value', { inputDim: d, hidden: [128], activation: 'tanh' });
    params.build(gpu, 1);
    const heads = await GpuHeadScorer.create(gpu, adapter, value, { maxStates: SLOTS, maxCandidates: SLOTS * 64 });
    const pool = new EnvPool({ slots: SLOTS, spawn: nodeSpawner });
    const naivePool = new EnvPool({ slots: NAIVE_SLOTS, spawn: nodeSpawner });
    const results: Record<string, number> = {};
    try {
      // The headline rows score the training candidate set (INVALID distractors) on both sides;
      // the admissible-only engine row is the figure before distractors, in its own column (it
      // has no naive row there, so no ratio: it is not the comparison the suite makes).
      const runs: Array<[string, Decider, EnvPool, typeof episodes, number]> = [
        ['engine', new BatchedDecider(backbone, heads), pool, episodes, INVALID],
        ['engine, shared-prefix scoring', new BatchedDecider(backbone, heads, { scoring: 'shared-prefix' }), pool, episodes, INVALID],
        ['naive loop', new NaiveDecider(backbone, heads), naivePool, naiveEpisodes, INVALID],
        ['engine', new BatchedDecider(backbone, heads), pool, episodes, 0],
      ];
      for (const [impl, decider, envs, eps, invalid] of runs) {
        const engine = new RolloutEngine(decider, envs, { invalid });
        // One shape for every impl, so the table shows the ratio; slots and tasks go in the note.
        const shape = invalid > 0 ? `household, K=${K}, ≤${maxSteps} steps, ≤${invalid} invalid candidates` : `household, K=${K}, ≤${maxSteps} steps, admissible only`;
        const setup = `${envs.slots} envs, ${eps.length / K} tasks`;
        // A short warm-up collection (pipelines, ORT allocations), then the measured one.
        await engine.collect({ env: 'household', episodes: episodes.slice(0, 2).map((e) => ({ ...e, id: `warm/${e.id}` })), iteration: 0, mode: { kind: 'sample', temperature: 1 }, seed: 99, maxSteps: 2 });
        const r = await engine.collect({ env: 'household', episodes: eps, iteration: 0, mode: { kind: 'sample', temperature: 1 }, seed: 1, maxSteps });
        const label = invalid > 0 ? impl : `${impl} (admissible only)`;
        if (invalid > 0) results[impl] = r.stats.decisionsPerSecond;
        ctx.log(`rollouts: ${label}: ${r.stats.decisions} decisions in ${(r.stats.profile.wallMs / 1000).toFixed(1)} s = ${r.stats.decisionsPerSecond.toFixed(2)}/s, ${r.stats.candidatesPerDecision.toFixed(1)} candidates each (≤${invalid} invalid); ${describeProfile(r)}`);
        ctx.record({
          bench: 'rollouts',
          impl,
          shape,
          per_s: r.stats.decisionsPerSecond,
          unit: 'decisions',
          ms: r.stats.profile.wallMs / r.stats.decisions,
          note: `${setup}, ${r.stats.candidatesPerDecision.toFixed(1)} candidates/decision (${invalid > 0 ? `admissible + ≤${invalid} invalid` : 'admissible only'}); ${describeProfile(r)}`,
        });
      }
      for (const impl of Object.keys(results)) if (impl !== 'naive loop') ctx.log(`rollouts: ${impl} / naive = ${(results[impl] / results['naive loop']).toFixed(1)}x`);
    } finally {
      pool.close();
      naivePool.close();
      heads.destroy();
      params.destroy();
      await backbone.dispose();
    }
    ctx.describe('rollouts', {
      title: 'Rollouts, household, bundled model (Node): agent decisions/s',
      baseline: 'naive loop',
      about:
        `${SLOTS} household environments in the env worker pool play ${TASKS} train tasks × K=${K} rollouts of at most ${MAX_STEPS} steps, sampled ` +
        `at temperature 1, each decision scoring what a default training run scores: the admissible actions plus at most ${INVALID} invalid ` +
        'distractors (the run config\'s candidates.invalid; at most a third of the admissible count, src/rl/candidates.ts), mixed in by the ' +
        'engine for every impl, so engine and naive loop score the same candidate sets. The "admissible only" column is the engine without ' +
        'distractors (no naive row there), to show what they cost. One seed for every impl; the bundled model runs on onnxruntime-node ' +
        'and the policy adapter and value head on WebGPU (Dawn). "engine" is ' +
        'src/rl/rollout.ts with the batched decider: one backbone call per decision step over every live episode, each episode\'s ' +
        'KV cache extended by its new step only, identical contexts computed once, one head call per step. "naive loop" is the same ' +
        'loop with one backbone call per environment per step from its full prompt (which lists the candidates) and one head call per episode; its cost per decision ' +
        `does not depend on the episode count, so it plays the first ${NAIVE_TASKS} tasks (same seeds) on ${NAIVE_SLOTS} slots. ` +
        '"shared-prefix scoring" scores ℓ over the action tokens without the end-of-turn token, so candidates that differ in their last ' +
        'token share a row, and takes ψ(a) from the action alone (cached); "engine" scores exactly as Backbone.score (one trie row per ' +
        'distinct context, its candidates\' log-probabilities read from the graph\'s tree_logprobs output, src/policy/episode-scoring.ts). ms = wall time per ' +
        'decision; the note splits the wall time (env, prompts, backbone, heads, and inside the engine\'s backbone call: rendering, ' +
        'tokenising, the extension and candidate passes, KV copies, read-out of log-probabilities and features).',
    });
  },
};
