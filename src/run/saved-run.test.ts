// A run saved before candidates.invalid existed (its run.json has no `candidates`) was trained
// with no distractors. Every reader of it must see 0, not the default 6 that a new config gets:
// run.json as `stepwise eval --run` reads it, the store's record that the lab's resume, branch and
// evaluate take their config from, and the pipeline that resumes it. The proof that the resumed
// pipeline and a branch really play with 0 is replay: each step's candidates are exactly the env's
// admissible actions, where 6 would have mixed in distractors (checked to be on offer). A tiny
// SPA run with the hashed stand-in backbone, no PPO iterations: BC, exploration and evaluation.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getEnvSpec } from '../envs/registry';
import { testGpu } from '../gpu/testing';
import { distractorCount } from '../rl/candidates';
import { InlineEnvs } from '../rl/rollout-envs';
import { HashedBackbone } from '../rl/test-backbone';
import { actionText, type Trajectory } from '../rl/trajectory';
import { branchTrajectory } from './branch';
import { parseRunConfig, type RunConfig } from './config';
import { Orchestrator } from './orchestrator';
import { FileRunStore, readRunJson } from './persistence/file-store';

const root = mkdtempSync(join(tmpdir(), 'stepwise-saved-run-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const options = { maxSteps: 5, headHidden: [16] };
const fresh = parseRunConfig({
  env: 'household', seed: 3, reward: 'spa', tasks: { count: 2 }, bc: { epochs: 1 }, explore: { k: 2 },
  estimator: { hidden: 8, epochs: 1, heldOut: 0.25 }, ppo: { iterations: 0 }, eval: { tasks: 1 },
});
const { candidates: _dropped, ...old } = fresh;

/**
 * Replays `t` and checks every step offered exactly the env's admissible actions (no
 * distractors). Returns how many distractors 6 would have mixed in, so the check can fail.
 */
function offeredAdmissibleOnly(t: Trajectory): number {
  const env = getEnvSpec(t.env).create();
  env.reset(t.taskId, t.seed);
  let wouldMix = 0;
  t.steps.forEach((s, i) => {
    const admissible = env.admissibleActions();
    expect(s.admissible, `${t.id} step ${i}`).toEqual(admissible);
    wouldMix += distractorCount(6, admissible.length, env.plausibleActions?.().length ?? 0);
    env.step(actionText(s));
  });
  return wouldMix;
}

describe('a run saved before candidates.invalid existed', () => {
  it('reads back as 0 distractors for eval, the store (resume, branch, evaluate) and the resumed pipeline, which refuses the default 6', async () => {
    const dir = join(root, 'old');
    const store = await FileRunStore.openRunDir(dir);
    const now = new Date().toISOString();
    await store.putRun({ id: 'old', label: 'old run', config: old as unknown as RunConfig, status: 'paused', createdAt: now, updatedAt: now, iteration: 0 });
    expect('candidates' in JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')).config).toBe(false);

    // stepwise eval --run: its config is readRunJson(dir).config.
    expect(readRunJson(dir).config.candidates.invalid).toBe(0);
    // The store's record: what the lab's resume (trainer-host continueRun), branch and evaluate use.
    const record = (await store.getRun('old'))!;
    expect(record.config.candidates.invalid).toBe(0);
    expect(record.config).toEqual(readRunJson(dir).config);

    const backbone = new HashedBackbone();
    const deps = { gpu: await testGpu(), backbone, featureDim: backbone.dim };
    // Resuming with today's default (6) would silently change the run: the pipeline refuses it.
    await expect(new Orchestrator({ runId: 'old', config: fresh, store, options, deps: { ...deps, envs: new InlineEnvs(4) } }).run())
      .rejects.toThrow(/different config/);

    // Resumed as the lab resumes it: with the stored record's config.
    await new Orchestrator({ runId: 'old', config: record.config, store, options, deps: { ...deps, envs: new InlineEnvs(4) } }).run();
    expect((await store.getRun('old'))?.status).toBe('finished');
    const explored = await store.trajectories('old', { iteration: 0 });
    expect(explored.length).toBe(4);
    expect(explored.map(offeredAdmissibleOnly).reduce((a, b) => a + b, 0), '6 would have offered distractors').toBeGreaterThan(0);

    // Branch, with the config the trainer host hands it (the store's record): fresh candidates after the branch point.
    const checkpoint = (await store.latestCheckpoint('old'))!;
    const original = explored.find((t) => t.steps.length >= 3 && t.steps[0].admissible.length > 1)!;
    expect(original, 'a trajectory long enough to branch').toBeDefined();
    const r = await branchTrajectory(deps, { config: (await store.getRun('old'))!.config, options, checkpoint }, original, { step: 0 });
    expect(r.trajectory.steps.length).toBeGreaterThan(1);
    expect(offeredAdmissibleOnly(r.trajectory), '6 would have offered distractors').toBeGreaterThan(0);
    await store.close();
  }, 120_000);
});
