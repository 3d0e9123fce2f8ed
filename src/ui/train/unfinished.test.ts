import { describe, expect, it } from 'vitest';
import { StoreQuotaError } from '../../run/persistence/store';
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

  it('says a run stopped by a full store stopped there, without the store\'s list of runs to delete', () => {
    const error = new StoreQuotaError('saving checkpoint 1 of run r', [{ runId: 'r', label: 'x', createdAt: '', trajectories: 4, checkpoints: 1, bytes: 9000 }]).message;
    expect(unfinishedText(run({ status: 'failed', stage: 'ppo', iteration: 0, error })))
      .toBe('Run “spa · household · seed 1” failed in PPO: storage was full while saving checkpoint 1 of run r; free space, then resume it.');
  });
});
