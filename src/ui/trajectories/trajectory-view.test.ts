import { describe, expect, it } from 'vitest';
import { trajectory } from '../../rl/test-trajectories';
import { defaultRunConfig } from '../../run/config';
import { exportTrajectories } from '../../run/export';
import { creditOf, cumulativeProgress, filterTrajectories, recordedAnnotations, splitOf } from './trajectory-view';

const a = trajectory('it0/household:train:3/k0', 'household:train:3', 1, [{ progress: 0.25, valid: true }, { progress: -0.5, valid: false }, { progress: 1, valid: true }]);
const b = trajectory('it1/b', 'task-9', 0, [{ progress: 0.1 }, {}], { iteration: 1 });
/** A graded (WebShop-like) attempt: some reward, not won. */
const c = trajectory('it1/c', 'webshop:train:4', 0.8, [{ progress: 0.3 }], { iteration: 1, env: 'webshop' });

describe('trajectory viewer data', () => {
  it('reads the split from ids, else the run split, and filters by iteration, split and outcome', () => {
    expect(splitOf(a, 'unseen-test')).toBe('train');
    expect(splitOf(b, 'unseen-test')).toBe('unseen-test');
    expect(splitOf(b, undefined)).toBe('unknown');
    expect(filterTrajectories([a, b, c], { iteration: -1, split: 'all', success: 'solved' }).map((t) => t.id)).toEqual([a.id]);
    expect(filterTrajectories([a, b, c], { iteration: -1, split: 'all', success: 'partly-solved' }).map((t) => t.id)).toEqual([c.id]);
    expect(filterTrajectories([a, b, c], { iteration: -1, split: 'all', success: 'failed' }).map((t) => t.id)).toEqual([b.id]);
    expect(filterTrajectories([a, b], { iteration: 1, split: 'all', success: 'all' }).map((t) => t.id)).toEqual([b.id]);
    expect(filterTrajectories([a, b], { iteration: -1, split: 'seen-test', success: 'all' }, 'seen-test').map((t) => t.id)).toEqual([b.id]);
  });

  it('sums ĉ cumulatively and stops at the first step without an estimate', () => {
    expect(cumulativeProgress(a)).toEqual([0.25, -0.25, 0.75]);
    expect(cumulativeProgress(b)).toEqual([0.1, null]);
  });

  it('recomputes r_t = α·ĉ_t + β·(g_t − 1) and the unwhitened-then-whitened GAE advantage for spa', () => {
    const cfg = { ...defaultRunConfig(), alpha: 1, beta: 0.5 };
    cfg.ppo = { ...cfg.ppo, gamma: 1, lambda: 1 };
    const { credit, note } = creditOf([a], cfg);
    expect(note).toBeNull();
    const c = credit.get(a.id)!;
    expect(c.map((s) => s.reward)).toEqual([0.25, -1, 1]);
    // V = 0 and γ = λ = 1: A_t = the reward-to-go (0.25, 0, 1), then whitened over the batch.
    const raw = [0.25, 0, 1], mean = 0.4166666666666667;
    const std = Math.sqrt(raw.reduce((s, x) => s + (x - mean) ** 2, 0) / 2 + 1e-8);
    c.forEach((s, k) => expect(s.advantage).toBeCloseTo((raw[k] - mean) / std, 5));
    expect(c[0].ratio).toBeNull();
  });

  it('says why there is no credit when the variant needs ĉ_t the steps lack', () => {
    const { credit, note } = creditOf([b], defaultRunConfig());
    expect(note).toMatch(/needs the estimator's ĉ_t/);
    expect(credit.get(b.id)!.every((s) => s.reward === null && s.advantage === null)).toBe(true);
  });

  it('reads the training values a per-step JSONL records, and they win over recomputed ones', () => {
    const text = exportTrajectories([a], 'steps', { annotate: (_, k) => (k === 1 ? { reward_total: 9, advantage: -2, ratio: 1.3, clipped: true } : undefined) });
    const rec = recordedAnnotations(text);
    expect(rec.get(a.id)?.[1]).toEqual({ reward_total: 9, advantage: -2, ratio: 1.3, clipped: true });
    const c = creditOf([a], defaultRunConfig(), rec).credit.get(a.id)!;
    expect(c[1]).toEqual({ reward: 9, advantage: -2, ratio: 1.3, clipped: true });
    expect(c[0].ratio).toBeNull();
  });
});
