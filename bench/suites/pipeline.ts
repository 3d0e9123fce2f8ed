// The wall time of the SPA pipeline on household with the default run config, measured end to end
// (not extrapolated), by stage (BC, exploration, estimator, PPO iterations, evaluation) and by where
// the time went: env (the environments' reset/step), LLM scoring (the bundled model on
// onnxruntime-node scoring every live episode's candidates), kernels (our WGSL training steps: BC,
// the estimator and the PPO update) and overhead (everything else: head inference and sampling
// during rollouts, prompt bookkeeping, persistence and checkpoints).
//
// It runs exactly what `stepwise train --env household --method spa --seed 1` runs (the default
// config, the file store, NODE_SLOTS environment slots in-thread), through the real Orchestrator.
// The default config is sized as a ~2-minute demo (run/config.ts), so the whole run fits a suite.

import { mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NODE_SLOTS } from '../../src/cli/node-run';
import { Gpu } from '../../src/gpu/runtime';
import { Backbone } from '../../src/policy/backbone';
import { bundledModelDir } from '../../src/policy/backbone-node';
import { BUNDLED_MODEL_ID } from '../../src/policy/model-catalogue';
import type { EpisodeBackbone } from '../../src/rl/rollout-decider';
import { InlineEnvs, type EnvBatcher } from '../../src/rl/rollout-envs';
import { defaultRunConfig, evalSplits } from '../../src/run/config';
import { Orchestrator } from '../../src/run/orchestrator';
import { FileRunStore } from '../../src/run/persistence/file-store';
import type { BenchSuite } from '../suite-types';

type Bucket = 'env' | 'llm' | 'kernels' | 'overhead';
type StageName = 'bc' | 'explore' | 'estimator' | 'ppo' | 'eval';
const STAGES: StageName[] = ['bc', 'explore', 'estimator', 'ppo', 'eval'];

const pct = (v: unknown) => (typeof v === 'number' ? `${(100 * v).toFixed(0)}%` : '–');

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

export const suite: BenchSuite = {
  name: 'pipeline',
  where: 'node',
  async run(ctx) {
    const c = defaultRunConfig();
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
        runId: 'bench', config: c, store, options: {},
        deps: { gpu, backbone: new TimedBackbone(backbone, clock), featureDim: backbone.info.featureDim, envs: new TimedEnvs(new InlineEnvs(NODE_SLOTS), clock) },
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

      const ppoRows = rows.filter((r) => r.stage === 'ppo');
      const results = rows.filter((r) => r.stage === 'eval').map((r) => `${r.split} success ${pct(r.success_rate)}, grounding ${pct(r.grounding_acc)}`).join('; ');
      const shape = `household, default config (${c.tasks.count} tasks, K=${c.explore.k}, ${c.ppo.iterations}×${c.ppo.tasksPerIteration} PPO tasks, ${c.eval.tasks} eval tasks × ${evalSplits(c).length} splits, ≤${c.episode.maxSteps} steps)`;
      const note = `measured end to end: ${(total / 1000).toFixed(1)} s (model load ${(loadMs / 1000).toFixed(1)} s not counted; load average ${os.loadavg()[0].toFixed(1)} at the end, ${os.cpus().length} cores); ${ppoRows.length} PPO iterations; ${results}`;
      const byBucket: Record<Bucket, number> = { env: 0, llm: 0, kernels: 0, overhead: 0 };
      for (const s of STAGES) {
        const wall = stageWall.get(s) ?? 0;
        const env = clock.get(s, 'env'), llm = clock.get(s, 'llm'), kernels = Math.max(0, clock.get(s, 'kernels'));
        const overhead = Math.max(0, wall - env - llm - kernels);
        byBucket.env += env; byBucket.llm += llm; byBucket.kernels += kernels; byBucket.overhead += overhead;
        const split = `env ${(env / 1000).toFixed(1)} s, LLM ${(llm / 1000).toFixed(1)} s, kernels ${(kernels / 1000).toFixed(1)} s, overhead ${(overhead / 1000).toFixed(1)} s`;
        ctx.log(`pipeline: ${s}: ${(wall / 1000).toFixed(2)} s (${split})`);
        ctx.record({ bench: 'pipeline-stage', impl: s, shape, ms: wall, note: `${((100 * wall) / total).toFixed(0)}% of the run; ${split}` });
      }
      ctx.record({ bench: 'pipeline-stage', impl: 'total', shape, ms: total, note });
      for (const [b, label] of [['env', 'env'], ['llm', 'LLM scoring'], ['kernels', 'kernels'], ['overhead', 'overhead']] as const) {
        ctx.record({ bench: 'pipeline-split', impl: label, shape, ms: byBucket[b], note: `${((100 * byBucket[b]) / total).toFixed(0)}% of the run` });
      }
      ctx.record({ bench: 'pipeline-split', impl: 'total', shape, ms: total, note });
      ctx.log(`pipeline: default config on household: ${(total / 1000).toFixed(1)} s; env ${(byBucket.env / 1000).toFixed(0)} s, LLM ${(byBucket.llm / 1000).toFixed(0)} s, kernels ${(byBucket.kernels / 1000).toFixed(0)} s, overhead ${(byBucket.overhead / 1000).toFixed(0)} s; ${results}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await backbone.dispose();
      gpu.device.destroy();
    }
    const about =
      'The SPA pipeline (BC, exploration, estimator, PPO, greedy evaluation) on household with the default run config, measured end to end: ' +
      'exactly what `stepwise train --env household --method spa --seed 1` runs (the bundled model on onnxruntime-node, the heads on WebGPU (Dawn), ' +
      'environments in-thread, the file store), through the real Orchestrator; the model load is not counted. ms = wall time. Stage walls follow ' +
      'the progress events (the PPO stage includes its estimator refits and updates). env = env reset/step; LLM scoring = backbone calls; ' +
      'kernels = the WGSL training steps (BC, estimator, PPO update); overhead = the rest (head inference and sampling in rollouts, prompts, ' +
      'persistence, checkpoints). The machine is shared: the total row\'s note gives the load average at the end of the run.';
    ctx.describe('pipeline-stage', { title: 'Pipeline wall time by stage, household, default config (measured)', baseline: 'total', about });
    ctx.describe('pipeline-split', { title: 'Pipeline wall time by kind of work, household, default config (measured)', baseline: 'total', about });
  },
};
