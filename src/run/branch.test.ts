// Branch from a step, on a tiny SPA run with the hashed stand-in backbone: the replay reproduces
// the recorded prefix, the branch differs at t, the original's ĉ_t from the replay equal the ones
// the pipeline stored with the same estimator, the same request gives the same branch, and a
// trajectory the environment no longer reproduces is refused.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testGpu } from '../gpu/testing';
import { InlineEnvs } from '../rl/rollout-envs';
import { HashedBackbone } from '../rl/test-backbone';
import type { Trajectory } from '../rl/trajectory';
import { branchTrajectory, drawExcept, type BranchDeps, type BranchRun } from './branch';
import { parseRunConfig } from './config';
import { Orchestrator } from './orchestrator';
import { FileRunStore } from './persistence/file-store';
import { TrainerError } from './protocol';

const root = mkdtempSync(join(tmpdir(), 'stepwise-branch-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const options = { maxSteps: 6, headHidden: [16] };
const config = parseRunConfig({
  env: 'household', seed: 2, reward: 'spa', tasks: { count: 2 }, bc: { epochs: 2 }, explore: { k: 2 },
  estimator: { hidden: 8, epochs: 3, heldOut: 0.25, refitEvery: 1 },
  ppo: { iterations: 1, tasksPerIteration: 2, epochs: 1, minibatch: 8 }, eval: { tasks: 1 },
});

let deps: BranchDeps;
let run: BranchRun;
let stored: Trajectory[];

beforeAll(async () => {
  const backbone = new HashedBackbone();
  deps = { gpu: await testGpu(), backbone, featureDim: backbone.dim };
  const store = await FileRunStore.open(join(root, 'runs'));
  await new Orchestrator({ runId: 'b', config, store, options, deps: { ...deps, envs: new InlineEnvs(4) } }).run();
  const checkpoint = (await store.latestCheckpoint('b'))!;
  expect(checkpoint.iteration).toBe(1);
  run = { config, options, checkpoint };
  // Iteration 1's trajectories: the estimator refit on them, then annotated them, then the checkpoint was saved.
  stored = await store.trajectories('b', { iteration: 1 });
  expect(stored.length).toBe(4);
});

/** A stored trajectory with at least `n` steps and more than one candidate at step 1. */
const longOne = (n = 3) => {
  const t = stored.find((x) => x.steps.length >= n && x.steps[1].admissible.length > 1);
  expect(t, 'a trajectory long enough to branch').toBeDefined();
  return t!;
};
const strip = ({ progress: _p, ...rest }: Trajectory['steps'][number]) => rest;

describe('branch from a step', () => {
  it('replays the prefix, takes another action at t, and credits branch and original with the run\'s estimator', async () => {
    const original = longOne();
    const t = 1;
    const r = await branchTrajectory(deps, run, original, { step: t });
    expect(r.annotated).toBe(true);
    expect(r.checkpointIteration).toBe(1);
    // The prefix is the recorded one.
    expect(r.trajectory.steps.slice(0, t).map(strip)).toEqual(original.steps.slice(0, t).map(strip));
    // At t the policy's draw leaves the original action out, so the branch differs there.
    const bt = r.trajectory.steps[t];
    expect(bt.observation).toBe(original.steps[t].observation);
    expect(bt.admissible).toEqual(original.steps[t].admissible);
    expect(bt.action).not.toBe(original.steps[t].action);
    expect(bt.probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(bt.logpOld).toBeCloseTo(Math.log(bt.probs[bt.action]), 6);
    expect(r.trajectory.id).toContain(`/branch@${t}/`);
    expect(r.trajectory.steps.length).toBeLessThanOrEqual(options.maxSteps);
    // The original's records are kept; its ĉ_t from the replay equal what the pipeline stored (same estimator, same features).
    expect(r.original.steps.map(strip)).toEqual(original.steps.map(strip));
    r.original.steps.forEach((s, i) => expect(s.progress, `step ${i}`).toBeCloseTo(original.steps[i].progress!, 5));
    // Same state and action before t: the same ĉ on both sides.
    for (let i = 0; i < t; i++) expect(r.trajectory.steps[i].progress).toBeCloseTo(r.original.steps[i].progress!, 6);
    expect(r.trajectory.steps.every((s) => Number.isFinite(s.progress))).toBe(true);
  });

  it('takes a given action, and the same request gives the same branch', async () => {
    const original = longOne();
    const t = 1;
    const action = original.steps[t].admissible.find((_, i) => i !== original.steps[t].action)!;
    const a = await branchTrajectory(deps, run, original, { step: t, action });
    const b = await branchTrajectory(deps, run, original, { step: t, action });
    const at = a.trajectory.steps[t];
    expect(at.admissible[at.action]).toBe(action);
    expect(b.trajectory).toEqual(a.trajectory);
    // Greedy continuation: every step after t takes the policy's most likely action.
    const g = await branchTrajectory(deps, run, original, { step: t, action, continuation: 'greedy' });
    for (const s of g.trajectory.steps.slice(t + 1)) expect(s.probs[s.action]).toBe(Math.max(...s.probs));
  });

  it('branches at step 0 and at the last step', async () => {
    const original = longOne();
    const first = await branchTrajectory(deps, run, original, { step: 0 });
    expect(first.trajectory.steps[0].observation).toBe(original.steps[0].observation);
    const lastT = original.steps.length - 1;
    const last = await branchTrajectory(deps, run, original, { step: lastT });
    expect(last.trajectory.steps.slice(0, lastT).map(strip)).toEqual(original.steps.slice(0, lastT).map(strip));
  });

  it('refuses a bad step, an action that is not admissible, and a trajectory the environment no longer reproduces', async () => {
    const original = longOne();
    for (const spec of [{ step: -1 }, { step: original.steps.length }, { step: 0, action: 'fly to the moon' }]) {
      const e = await branchTrajectory(deps, run, original, spec).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(TrainerError);
      expect((e as TrainerError).code).toBe('bad-request');
    }
    const tampered = structuredClone(original);
    tampered.steps[1].observation = 'You are somewhere else entirely.';
    const e = await branchTrajectory(deps, run, tampered, { step: 2 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TrainerError);
    expect((e as TrainerError).message).toMatch(/diverged at step 1/);
  });

  it('draws a replacement from π with the original action left out', () => {
    const probs = [0.5, 0.3, 0.2];
    expect(drawExcept(probs, 0, 0)).toBe(1);
    expect(drawExcept(probs, 0, 0.59)).toBe(1); // 0.3 / 0.5 = 0.6 of the rest
    expect(drawExcept(probs, 0, 0.61)).toBe(2);
    expect(drawExcept(probs, 2, 0.99)).toBe(1);
    expect(drawExcept([1], 0, 0.5)).toBe(0);
  });
});
