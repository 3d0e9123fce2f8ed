import { describe, expect, it } from 'vitest';
import { StoreQuotaError, storageFullDuring } from '../../run/persistence/store';
import { storageFullLead, usageText } from './storage-full-text';

const usage = { runId: 'old', label: 'outcome · household · seed 2', createdAt: '', trajectories: 900, checkpoints: 12, bytes: 3 * 1024 ** 2 };

describe('storage-full wording', () => {
  it('recognises a StoreQuotaError message wherever it was passed on, and nothing else', () => {
    const e = new StoreQuotaError('saving checkpoint 4 of run r', [usage]);
    expect(storageFullDuring(e.message)).toBe('saving checkpoint 4 of run r');
    // The trainer adds a tail to the live error event; a failed run's resume text puts it after a prefix.
    expect(storageFullDuring(`${e.message}; the run stopped and can be resumed from its last checkpoint`)).toBe('saving checkpoint 4 of run r');
    expect(storageFullDuring(`Run “x” failed in PPO after PPO iteration 1: ${e.message}`)).toBe('saving checkpoint 4 of run r');
    expect(storageFullDuring(new StoreQuotaError('saving run r', []).message)).toBe('saving run r');
    expect(storageFullDuring('the GPU device was lost')).toBeNull();
    expect(storageFullDuring('storage is full while')).toBeNull();
    expect(storageFullLead(e.message)).toBe('Browser storage is full: the run stopped while saving checkpoint 4 of run r.');
    expect(storageFullLead('other')).toBeNull();
  });

  it('lists a run with its size and counts', () => {
    expect(usageText(usage)).toBe('3.0 MiB · 12 checkpoints · 900 trajectories');
    expect(usageText({ ...usage, bytes: 800, checkpoints: 1, trajectories: 1 })).toBe('800 B · 1 checkpoint · 1 trajectory');
  });
});
