// Credit for a hand-played episode, on a tiny SPA run with the hashed stand-in backbone: replaying
// a stored trajectory's actions gives the ĉ_t the pipeline stored with the same estimator, step by
// step (the page's way: the whole list after each step) as in one go; a typed action outside the
// admissible list is credited and invalid; another environment or an ended episode is refused.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testGpu } from '../gpu/testing';
import { InlineEnvs } from '../rl/rollout-envs';
import { HashedBackbone } from '../rl/test-backbone';
import { actionText, type Trajectory } from '../rl/trajectory';
import { EpisodeAnnotator } from './annotate';
import type { BranchDeps, BranchRun } from './branch';
import { parseRunConfig } from './config';
import { Orchestrator } from './orchestrator';
import { FileRunStore } from './persistence/file-store';
import { TrainerError } from './protocol';

const root = mkdtempSync(join(tmpdir(), 'stepwise-annotate-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const options = { maxSteps: 6, headHidden: [16] };
const config = parseRunConfig({
  env: 'household', seed: 4, reward: 'spa', tasks: { count: 2 }, bc: { epochs: 2 }, explore: { k: 2 },
  estimator: { hidden: 8, epochs: 3, heldOut: 0.25, refitEvery: 1 },
  ppo: { iterations: 1, tasksPerIteration: 2, epochs: 1, minibatch: 8 }, eval: { tasks: 1 },
  // Admissible candidates only: with distractors this tiny run has no episode that ends before
  // the cap, which the refusal test needs; annotation of distractor steps is covered by the replay test.
  candidates: { invalid: 0 },
});

let deps: BranchDeps;
let run: BranchRun;
let stored: Trajectory[];

beforeAll(async () => {
  const backbone = new HashedBackbone();
  deps = { gpu: await testGpu(), backbone, featureDim: backbone.dim };
  const store = await FileRunStore.open(join(root, 'runs'));
  await new Orchestrator({ runId: 'a', config, store, options, deps: { ...deps, envs: new InlineEnvs(4) } }).run();
  run = { config, options, checkpoint: (await store.latestCheckpoint('a'))! };
  // Iteration 1's trajectories were annotated by the estimator of the checkpoint saved after them.
  stored = await store.trajectories('a', { iteration: 1 });
  expect(stored.length).toBeGreaterThan(0);
});

const request = (t: Trajectory, actions: string[]) => ({ runId: 'a', env: t.env, taskId: t.taskId, seed: t.seed, actions });

describe('annotate a hand-played episode', () => {
  it('replays the actions and credits each step as the pipeline did, step by step as in one go', async () => {
    const t = stored.reduce((a, b) => (b.steps.length > a.steps.length ? b : a));
    const actions = t.steps.map(actionText);
    const stepwise = EpisodeAnnotator.create(deps, run, 'a');
    const whole = EpisodeAnnotator.create(deps, run, 'a');
    try {
      let last = null;
      for (let n = 1; n <= actions.length; n++) last = await stepwise.annotate(request(t, actions.slice(0, n)));
      const once = await whole.annotate(request(t, actions));
      expect(last!.annotated).toBe(true);
      expect(last!.checkpointIteration).toBe(1);
      expect(last!.checkpointStage).toBe('ppo');
      expect(last!.valid).toEqual(t.steps.map((s) => s.valid));
      expect(last!.progress).toHaveLength(actions.length);
      last!.progress.forEach((c, i) => {
        expect(c, `step ${i}, step by step`).toBeCloseTo(t.steps[i].progress!, 5);
        expect(once.progress[i], `step ${i}, in one go`).toBeCloseTo(c, 6);
      });
      // A different list (the player reset and played again) starts the replay over.
      const again = await stepwise.annotate(request(t, actions.slice(0, 1)));
      expect(again.progress[0]).toBeCloseTo(t.steps[0].progress!, 5);
    } finally {
      stepwise.destroy();
      whole.destroy();
    }
  });

  it('credits a typed action outside the admissible list and marks it invalid', async () => {
    const t = stored[0];
    const a = EpisodeAnnotator.create(deps, run, 'a');
    try {
      const r = await a.annotate(request(t, ['dance with the fridge', actionText(t.steps[0])]));
      expect(r.valid[0]).toBe(false);
      expect(r.progress).toHaveLength(2);
      expect(r.progress.every(Number.isFinite)).toBe(true);
    } finally {
      a.destroy();
    }
  });

  it('refuses another environment and actions after the end', async () => {
    const t = stored.find((x) => x.steps.at(-1)!.done);
    expect(t, 'an episode that ended before the cap').toBeDefined();
    if (!t) return;
    const a = EpisodeAnnotator.create(deps, run, 'a');
    try {
      await expect(a.annotate({ ...request(t, []), env: 'webshop' })).rejects.toThrow(TrainerError);
      const actions = t.steps.map(actionText);
      await expect(a.annotate(request(t, [...actions, 'look']))).rejects.toThrow(/episode ended after step/);
    } finally {
      a.destroy();
    }
  });
});
