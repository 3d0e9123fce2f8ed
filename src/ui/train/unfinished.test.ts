import { describe, expect, it } from 'vitest';
import type { UnfinishedRun } from '../../run/protocol';
import { unfinishedText } from './unfinished';

const run = (patch: Partial<UnfinishedRun>): UnfinishedRun => ({ runId: 'r', label: 'spa · household · seed 1', updatedAt: '', status: 'running', iteration: -1, live: false, ...patch });

describe('resume offer wording', () => {
  it('says a failed run failed, where, and why', () => {
    expect(unfinishedText(run({ status: 'failed', stage: 'ppo', iteration: 2, error: 'the GPU device was lost' })))
      .toBe('Run “spa · household · seed 1” failed in PPO after PPO iteration 2: the GPU device was lost.');
  });

  it('tells a stopped run from a paused one and from one a closed tab interrupted', () => {
    expect(unfinishedText(run({ status: 'cancelled', stage: 'estimator' }))).toBe('Run “spa · household · seed 1” was stopped in Progress estimator.');
    expect(unfinishedText(run({ status: 'paused', stage: 'bc' }))).toBe('Run “spa · household · seed 1” was paused in Behaviour cloning when the tab closed.');
    expect(unfinishedText(run({ status: 'running' }))).toBe('Run “spa · household · seed 1” stopped when the tab closed.');
  });
});
