// The wall time of the SPA pipeline on household with the default run config, by stage (BC,
// exploration, estimator, PPO iterations, evaluation) and by where the time went: env (the
// environments' reset/step), LLM scoring (the bundled model on onnxruntime-node scoring every
// live episode's candidates), kernels (our WGSL training steps: BC, the estimator and the PPO
// update) and overhead (everything else: head inference and sampling during rollouts, prompt
// bookkeeping, persistence and checkpoints).
//
// The default config (32 train tasks, K = 8, 10 iterations × 16 tasks, evaluation on all 274
// household test tasks, episodes of up to 40 steps) takes far longer than a bench suite may on a
// 2-core machine, so the suite runs a stated fraction of it through the real pipeline (Orchestrator,
// file store) and extrapolates each stage linearly by its workload:
//   BC by train tasks; exploration and the estimator by tasks × K × steps; PPO by iterations ×
//   tasks per iteration × K × steps; evaluation by episodes × steps.
// The fraction caps episodes at FRACTION_STEPS steps; the extrapolation assumes the default run's
// episodes reach the 40-step cap, which is what the seeded bundled model does (it solves no
// household task within the cap; a trained one would end episodes sooner, so this is an upper bound).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getEnvSpec } from '../../src/envs/registry';
import { Gpu } from '../../src/gpu/runtime';
import { Backbone } from '../../src/policy/backbone';
import { bundledModelDir } from '../../src/policy/backbone-node';
import { BUNDLED_MODEL_ID } from '../../src/policy/model-catalogue';
import type { EpisodeBackbone } from '../../src/rl/rollout-decider';
import { InlineEnvs, type EnvBatcher } from '../../src/rl/rollout-envs';
import { defaultRunConfig, parseRunConfig, testSplitsOf, type RunConfig } from '../../src/run/config';
import { Orchestrator } from '../../src/run/orchestrator';
import { FileRunStore } from '../../src/run/persistence/file-store';
import type { BenchSuite } from '../suite-types';

const FRACTION_TASKS = 2;
const FRACTION_K = 2;
const FRACTION_STEPS = 6;
const FRACTION_EVAL = 2;
const SLOTS = 32;

type Bucket = 'env' | 'llm' | 'kernels' | 'overhead';
type StageName = 'bc' | 'explore' | 'estimator' | 'ppo' | 'eval';
const STAGES: StageName[] = ['bc', 'explore', 'estimator', 'ppo', 'eval'];

/** Time per stage and bucket (ms), filled by the wrappers below while the pipeline runs. */
class Clock {
  stage: StageName = 'bc';
  readonly ms = new Map<string, number>();
  add(bucket: Bucket, ms: number, stage = this.stage): void {
    const k = `${stage}/${bucket}`;
    this.ms.set(k, (this.ms.get(k) ?? 0) + ms);
  }
  get(stage: StageName, bucket: Bucket): number {
    return this.ms.get(`${stage}/${bucket}`) ?? 0;
  }
}

class TimedBackbone implements EpisodeBackbone {
  constructor(private readonly inner: EpisodeBackbone, private readonly clock: Clock) {}
  async scoreEpisodes(...args: Parameters<EpisodeBackbone['scoreEpisodes']>) {
    const t0 = performance.now();
    try {
      return await this.inner.scoreEpisodes(...args);
    } finally {
      this.clock.add('llm', performance.now() - t0);
    }
  }
  endEpisodes(ids: Iterable<string>): void {
    this.inner.endEpisodes(ids);
  }
}

class TimedEnvs implements EnvBatcher {
  constructor(private readonly inner: EnvBatcher, private readonly clock: Clock) {}
  get slots() {
    return this.inner.slots;
  }
  async batch(...args: Parameters<EnvBatcher['batch']>) {
    const t0 = performance.now();
    try {
      return await this.inner.batch(...args);
    } finally {
      this.clock.add('env', performance.now() - t0);
    }
  }
}

/** How many times the default run's workload is the fraction's, per stage. */
function scales(d: RunConfig, f: RunConfig, defaultSteps: number, evalTasks: number): Record<StageName, number> {
  const steps = defaultSteps / FRACTION_STEPS;
  const fractionEval = testSplitsOf(f.env).length * f.eval.tasks;
  return {
    bc: d.tasks.count / f.tasks.count,
    explore: ((d.tasks.count * d.explore.k) / (f.tasks.count * f.explore.k)) * steps,
    estimator: ((d.tasks.count * d.explore.k) / (f.tasks.count * f.explore.k)) * steps,
    ppo: ((d.ppo.iterations * d.ppo.tasksPerIteration * d.explore.k) / (f.ppo.iterations * f.ppo.tasksPerIteration * f.explore.k)) * steps,
    eval: (evalTasks / fractionEval) * steps,
  };
}

export const suite: BenchSuite = {
  name: 'pipeline',
  where: 'node',
  async run(ctx) {
    const spec = getEnvSpec('household');
    const d = defaultRunConfig();
    const f = parseRunConfig({
      ...d, env: 'household',
      tasks: { ...d.tasks, count: FRACTION_TASKS },
      explore: { ...d.explore, k: FRACTION_K },
      ppo: { ...d.ppo, iterations: 1, tasksPerIteration: FRACTION_TASKS },
      eval: { ...d.eval, tasks: FRACTION_EVAL },
    });
    const evalTasks = testSplitsOf('household').reduce((n, s) => n + (spec.splits[s] ?? 0), 0);
    const clock = new Clock();
    const tLoad = performance.now();
    const [gpu, backbone] = await Promise.all([
      Gpu.create(),
      Backbone.load({ modelId: BUNDLED_MODEL_ID, source: 'local', device: 'cpu', dtype: 'fp32', localModelPath: bundledModelDir() }),
    ]);
    const loadMs = performance.now() - tLoad;
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-bench-pipeline-'));
    const stageWall = new Map<StageName, number>();
    try {
      const store = await FileRunStore.open(dir);
      let mark = performance.now();
      const enter = (s: StageName) => {
        if (s === clock.stage) return;
        const now = performance.now();
        stageWall.set(clock.stage, (stageWall.get(clock.stage) ?? 0) + now - mark);
        mark = now;
        clock.stage = s;
      };
      const o = new Orchestrator({
        runId: 'bench', config: f, store, options: { maxSteps: FRACTION_STEPS },
        deps: { gpu, backbone: new TimedBackbone(backbone, clock), featureDim: backbone.info.featureDim, envs: new TimedEnvs(new InlineEnvs(SLOTS), clock) },
        onProgress: (e) => { if ((STAGES as string[]).includes(e.stage)) enter(e.stage as StageName); },
      });
      const t0 = performance.now();
      await o.run();
      const total = performance.now() - t0;
      stageWall.set(clock.stage, (stageWall.get(clock.stage) ?? 0) + performance.now() - mark);
      // Training kernels: the stages' own timings of their GPU training parts.
      const rows = await store.metrics('bench');
      const num = (stage: string, k: string) => rows.filter((r) => r.stage === stage).reduce((s, r) => s + (typeof r[k] === 'number' ? (r[k] as number) : 0), 0) * 1000;
      clock.add('kernels', num('bc', 'timing/stage_s') - clock.get('bc', 'llm') - clock.get('bc', 'env'), 'bc');
      clock.add('kernels', num('estimator', 'timing/estimator_s'), 'estimator');
      clock.add('kernels', num('ppo', 'perf/update_s') + num('ppo', 'timing/estimator_s'), 'ppo');
      await store.close();

      const scale = scales(d, f, spec.maxSteps, evalTasks);
      const shape = `household, default config`;
      const note = `extrapolated from a run of ${FRACTION_TASKS} tasks, K=${FRACTION_K}, 1 PPO iteration, ${FRACTION_EVAL} eval tasks per split, ≤${FRACTION_STEPS} steps (measured ${(total / 1000).toFixed(1)} s, model load ${(loadMs / 1000).toFixed(1)} s not counted)`;
      let grand = 0;
      const byBucket: Record<Bucket, number> = { env: 0, llm: 0, kernels: 0, overhead: 0 };
      for (const s of STAGES) {
        const wall = stageWall.get(s) ?? 0;
        const env = clock.get(s, 'env'), llm = clock.get(s, 'llm'), kernels = Math.max(0, clock.get(s, 'kernels'));
        const overhead = Math.max(0, wall - env - llm - kernels);
        const k = scale[s];
        const est = wall * k;
        grand += est;
        byBucket.env += env * k; byBucket.llm += llm * k; byBucket.kernels += kernels * k; byBucket.overhead += overhead * k;
        ctx.log(`pipeline: ${s}: measured ${(wall / 1000).toFixed(2)} s (env ${(env / 1000).toFixed(2)}, LLM ${(llm / 1000).toFixed(2)}, kernels ${(kernels / 1000).toFixed(2)}, overhead ${(overhead / 1000).toFixed(2)}) × ${k.toFixed(0)} = ${(est / 1000).toFixed(0)} s`);
        ctx.record({ bench: 'pipeline-stage', impl: s, shape, ms: est, note: `× ${k.toFixed(0)} of the measured ${(wall / 1000).toFixed(2)} s; ${note}` });
      }
      ctx.record({ bench: 'pipeline-stage', impl: 'total', shape, ms: grand, note });
      for (const [b, label] of [['env', 'env'], ['llm', 'LLM scoring'], ['kernels', 'kernels'], ['overhead', 'overhead']] as const) {
        ctx.record({ bench: 'pipeline-split', impl: label, shape, ms: byBucket[b], note: `${((100 * byBucket[b]) / grand).toFixed(0)}% of the extrapolated total` });
      }
      ctx.record({ bench: 'pipeline-split', impl: 'total', shape, ms: grand, note });
      ctx.log(`pipeline: default config on household ≈ ${(grand / 60000).toFixed(1)} min (extrapolated); env ${(byBucket.env / 1000).toFixed(0)} s, LLM ${(byBucket.llm / 1000).toFixed(0)} s, kernels ${(byBucket.kernels / 1000).toFixed(0)} s, overhead ${(byBucket.overhead / 1000).toFixed(0)} s`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await backbone.dispose();
      gpu.device.destroy();
    }
    const about =
      'The SPA pipeline (BC, exploration, estimator, PPO, greedy evaluation) on household with the default run config, the bundled model on ' +
      'onnxruntime-node and the heads on WebGPU (Dawn), environments in-thread (as `stepwise train` runs). The default run is too long for a bench ' +
      `suite here, so a fraction of it runs through the real pipeline (${FRACTION_TASKS} tasks, K=${FRACTION_K}, one PPO iteration, ${FRACTION_EVAL} evaluation ` +
      `tasks per split, episodes of at most ${FRACTION_STEPS} steps) and each stage is scaled by its workload (tasks × K × steps, iterations, evaluation ` +
      'episodes), assuming episodes reach the 40-step cap as the untrained model\'s do. ms = extrapolated wall time. env = env reset/step; LLM scoring = ' +
      'backbone calls; kernels = the WGSL training steps (BC, estimator, PPO update); overhead = the rest (head inference and sampling in rollouts, ' +
      'prompts, persistence, checkpoints).';
    ctx.describe('pipeline-stage', { title: 'Pipeline wall time by stage, household, default config (extrapolated)', baseline: 'total', about });
    ctx.describe('pipeline-split', { title: 'Pipeline wall time by kind of work, household, default config (extrapolated)', baseline: 'total', about });
  },
};
