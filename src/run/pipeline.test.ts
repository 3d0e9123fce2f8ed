// The pipeline end to end on tiny runs (household, 2 tasks, K = 2, short episodes) with the hashed
// stand-in backbone: every reward variant runs to the end and stores its rows; the same seed
// gives the same metrics; pause, resume and cancel; a run killed mid-iteration resumes from its
// checkpoint, redoes at most that iteration and ends with the uninterrupted run's metrics.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testGpu } from '../gpu/testing';
import { Backbone } from '../policy/backbone';
import { bundledModelDir } from '../policy/backbone-node';
import { BUNDLED_MODEL_ID } from '../policy/model-catalogue';
import { REWARD_VARIANTS, type RewardVariant } from '../rl/rewards';
import { InlineEnvs } from '../rl/rollout-envs';
import { HashedBackbone } from '../rl/test-backbone';
import { parseRunConfig, type RunConfig } from './config';
import { Orchestrator, RunCancelledError, type ProgressEvent } from './orchestrator';
import { FileRunStore } from './persistence/file-store';
import type { MetricRow } from './persistence/store';
import type { PipelineDeps } from './pipeline';
import { CALIBRATION_POINTS, EVAL_STAGE, METRICS } from './protocol';

const root = mkdtempSync(join(tmpdir(), 'stepwise-pipeline-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const OPTIONS = { maxSteps: 6, headHidden: [16] };

function tinyConfig(reward: RewardVariant, seed = 1): RunConfig {
  return parseRunConfig({
    env: 'household', seed, reward,
    tasks: { count: 2 },
    bc: { epochs: 2 },
    explore: { k: 2 },
    estimator: { hidden: 8, epochs: 3, heldOut: 0.25, refitEvery: 2 },
    ppo: { iterations: 2, tasksPerIteration: 2, epochs: 2, minibatch: 8 },
    eval: { tasks: 2 },
  });
}

async function deps(backbone = new HashedBackbone()): Promise<PipelineDeps> {
  return { gpu: await testGpu(), backbone, featureDim: backbone.dim, envs: new InlineEnvs(4) };
}

/** Rows without wall-clock values. */
const timeless = (rows: MetricRow[]) => rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith('timing/') && !k.startsWith('perf/'))));

async function run(store: FileRunStore, runId: string, config: RunConfig, hooks: Partial<{ backbone: HashedBackbone; onProgress: (e: ProgressEvent, o: Orchestrator) => void }> = {}) {
  const o: Orchestrator = new Orchestrator({ runId, config, store, deps: await deps(hooks.backbone), options: OPTIONS, onProgress: (e) => hooks.onProgress?.(e, o) });
  return { orchestrator: o, done: o.run() };
}

describe('pipeline', () => {
  it('runs every reward variant to the end and stores its rows, trajectories and checkpoints', async () => {
    const store = await FileRunStore.open(join(root, 'variants'));
    for (const reward of REWARD_VARIANTS) {
      const id = `v-${reward}`;
      const { done } = await run(store, id, tinyConfig(reward));
      const out = await done;
      expect(out.alreadyFinished).toBe(false);
      const rows = await store.metrics(id);
      const stages = rows.map((r) => `${r.stage}:${r.iteration}`);
      const rl = reward !== 'bc';
      const est = reward === 'spa' || reward === 'progress-only';
      expect(stages, reward).toEqual([
        'bc:0', ...(est ? ['estimator:0'] : []), ...(rl ? ['ppo:1', 'ppo:2'] : []), `eval:${rl ? 2 : 0}`, `eval:${rl ? 2 : 0}`,
      ]);
      const bc = rows[0];
      expect(bc['bc/demos'] as number).toBeGreaterThan(0);
      expect(Number.isFinite(bc['bc/loss'])).toBe(true);
      if (est) {
        const e = rows[1];
        for (const k of ['estimator/mse_train', 'estimator/mae_train', 'estimator/mse_heldout', 'estimator/mae_heldout']) expect(Number.isFinite(e[k]), `${reward} ${k}`).toBe(true);
        const calib = e[METRICS.calibrationSuccess] ?? e[METRICS.calibrationFailed];
        expect(Array.isArray(calib) && calib.length === CALIBRATION_POINTS, `${reward} calibration curve`).toBe(true);
      }
      for (const r of rows.filter((x) => x.stage === 'ppo')) {
        // The trainer protocol's metric names are the contract with the lab's charts.
        const names = [METRICS.pgLoss, METRICS.vfLoss, METRICS.entropy, METRICS.approxKl, METRICS.clipfrac, METRICS.gradNorm, METRICS.explainedVar,
          METRICS.success, METRICS.score, METRICS.grounding, METRICS.length, METRICS.envStepsPerS, METRICS.updateS];
        for (const k of names) {
          expect(k in r, `${reward} ${k}`).toBe(true);
        }
        expect(Number.isFinite(r['actor/pg_loss']), `${reward} pg_loss`).toBe(true);
        expect(typeof r['diag/entropy_collapse']).toBe('boolean');
        if (est) expect(r[METRICS.progressGroundingCorr] === null || Math.abs(r[METRICS.progressGroundingCorr] as number) <= 1).toBe(true);
      }
      const evalRows = rows.filter((r) => r.stage === EVAL_STAGE);
      expect(evalRows.map((r) => r.split)).toEqual(['seen-test', 'unseen-test']);
      for (const r of evalRows) {
        expect(r.tasks, `${reward} ${r.split}`).toBe(2);
        const sr = r[METRICS.success] as number;
        expect(sr >= 0 && sr <= 1).toBe(true);
      }
      expect(out.results['unseen-test']?.tasks).toBe(2);
      const record = await store.getRun(id);
      expect(record?.status).toBe('finished');
      const ckpts = await store.checkpointIterations(id);
      expect(ckpts[ckpts.length - 1]).toBe(rl ? 2 : -1);
      const trajs = await store.trajectories(id);
      expect(trajs.length).toBe((est ? 4 : 0) + (rl ? 2 * 4 : 0));
      if (est) expect(trajs.every((t) => t.steps.every((s) => typeof s.progress === 'number'))).toBe(true);
    }
  });

  it('gives identical metrics for the same seed, and different ones for another seed', async () => {
    const store = await FileRunStore.open(join(root, 'determinism'));
    for (const [id, seed] of [['a', 3], ['b', 3], ['c', 4]] as const) await (await run(store, id, tinyConfig('spa', seed))).done;
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((id) => store.metrics(id)));
    expect(timeless(b)).toEqual(timeless(a));
    expect(timeless(c)).not.toEqual(timeless(a));
    // A finished run says so instead of running again.
    const again = await (await run(store, 'a', tinyConfig('spa', 3))).done;
    expect(again.alreadyFinished).toBe(true);
    expect(await store.metrics('a')).toEqual(a);
  });

  it('pauses (no progress while paused, status paused), resumes, and cancels', async () => {
    const store = await FileRunStore.open(join(root, 'control'));
    let paused = false, pausedOnce = false;
    let eventsWhilePaused = 0;
    const { orchestrator, done } = await run(store, 'p', tinyConfig('outcome'), {
      onProgress: (e, o) => {
        if (paused) eventsWhilePaused++;
        if (!pausedOnce && e.stage === 'ppo' && e.iteration === 1) {
          o.pause();
          paused = pausedOnce = true;
        }
      },
    });
    while (!paused) await new Promise((r) => setTimeout(r, 20));
    const before = eventsWhilePaused;
    await new Promise((r) => setTimeout(r, 600));
    expect(eventsWhilePaused - before, 'no progress while paused').toBeLessThanOrEqual(1);
    expect((await store.getRun('p'))?.status).toBe('paused');
    paused = false;
    orchestrator.resume();
    await done;
    expect((await store.getRun('p'))?.status).toBe('finished');

    const c = await run(store, 'c', tinyConfig('outcome'), { onProgress: (e, o) => { if (e.stage === 'ppo') o.cancel(); } });
    await expect(c.done).rejects.toBeInstanceOf(RunCancelledError);
    expect((await store.getRun('c'))?.status).toBe('cancelled');
  });

  it('resumes a run killed in the middle of an iteration: at most that iteration is redone, and the metrics equal an uninterrupted run', async () => {
    const store = await FileRunStore.open(join(root, 'resume'));
    const config = tinyConfig('spa', 5);
    await (await run(store, 'whole', config)).done;
    const whole = await store.metrics('whole');

    /** Dies like a crashed worker on its n-th call. */
    class DyingBackbone extends HashedBackbone {
      constructor(private readonly dieAt: number) { super(); }
      override async scoreEpisodes(items: Parameters<HashedBackbone['scoreEpisodes']>[0]) {
        if (this.calls + 1 >= this.dieAt) throw new Error('worker killed');
        return super.scoreEpisodes(items);
      }
    }
    // Count the calls an uninterrupted run makes up to the middle of iteration 2's rollouts.
    const probe = new HashedBackbone();
    let mid = 0;
    await (await run(store, 'probe', config, { backbone: probe, onProgress: (e) => { if (!mid && e.stage === 'ppo' && e.iteration === 2) mid = probe.calls + 2; } })).done;
    expect(mid).toBeGreaterThan(0);

    await expect((await run(store, 'killed', config, { backbone: new DyingBackbone(mid) })).done).rejects.toThrow('worker killed');
    expect((await store.getRun('killed'))?.status).toBe('failed');
    expect(await store.checkpointIterations('killed')).toContain(1);
    const rowsBefore = (await store.metrics('killed')).length;

    const resumed = await (await run(store, 'killed', config)).done;
    expect(resumed.resumedAfter).toBe('ppo');
    const rows = await store.metrics('killed');
    expect(rows.length).toBe(whole.length);
    expect(rowsBefore).toBe(whole.length - 3); // iteration 2 and the two evaluation rows were all that was left
    expect(timeless(rows)).toEqual(timeless(whole));
    const ids = (await store.trajectories('killed')).map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe((await store.trajectories('whole')).length);
  });

  it('runs a tiny SPA run on the bundled model (onnxruntime-node) and evaluates it', async () => {
    const backbone = await Backbone.load({ modelId: BUNDLED_MODEL_ID, source: 'local', device: 'cpu', dtype: 'fp32', localModelPath: bundledModelDir() });
    try {
      const store = await FileRunStore.open(join(root, 'bundled'));
      const config = parseRunConfig({ ...tinyConfig('spa'), ppo: { ...tinyConfig('spa').ppo, iterations: 1 } });
      const o = new Orchestrator({
        runId: 'bundled', config, store, options: { maxSteps: 5 },
        deps: { gpu: await testGpu(), backbone, featureDim: backbone.info.featureDim, envs: new InlineEnvs(4) },
      });
      const out = await o.run();
      const rows = await store.metrics('bundled');
      expect(rows.map((r) => r.stage)).toEqual(['bc', 'estimator', 'ppo', 'eval', 'eval']);
      expect(Number.isFinite(rows[2][METRICS.pgLoss]) && Number.isFinite(rows[2][METRICS.vfLoss])).toBe(true);
      expect(Number.isFinite(rows[1][METRICS.estMseHeldOut])).toBe(true);
      expect(out.results['seen-test']?.tasks).toBe(2);
    } finally {
      await backbone.dispose();
    }
  });
});
