import { describe, expect, it } from 'vitest';
import { defaultRunConfig } from '../../run/config';
import type { MetricRow, RunRecord } from '../../run/persistence/store';
import { bundlesToJson, parseBundles, toBundle } from './run-bundle';

const run = (id: string): RunRecord => ({ id, label: `spa <b>${id}</b>`, config: { ...defaultRunConfig(), seed: 3 }, status: 'finished', createdAt: '2025-01-01T00:00:00Z', updatedAt: '2025-01-02T00:00:00Z' });
const rows: MetricRow[] = [{ iteration: 0, success_rate: 0.25, 'estimator/calib_success': [0, 0.5, 1] }, { iteration: 1, stage: 'eval', split: 'unseen-test', success_rate: 0.5 }];

describe('run bundles', () => {
  it('round-trip one run and a list of runs', () => {
    const one = toBundle(run('a'), rows);
    expect(parseBundles(bundlesToJson([one]))).toEqual([one]);
    const two = [one, toBundle(run('b'), [])];
    expect(parseBundles(bundlesToJson(two))).toEqual(two);
  });

  it('names the run and field of the first problem', () => {
    const bad = JSON.parse(bundlesToJson([toBundle(run('a'), rows), toBundle(run('b'), rows)]));
    bad[1].metrics[1].iteration = 'x';
    expect(() => parseBundles(JSON.stringify(bad))).toThrow(/^run 1: metrics\[1\]\.iteration: /);
    const cfg = JSON.parse(bundlesToJson([toBundle(run('a'), rows)]));
    cfg.run.config.ppo.lr = 7;
    expect(() => parseBundles(JSON.stringify(cfg))).toThrow(/the run \(a\): run.config: ppo.lr must be a number in \(0, 1\], got 7/);
    expect(() => parseBundles('{"kind":"other"}')).toThrow(/^the run: kind: /);
    expect(() => parseBundles('[1,')).toThrow(/^not JSON/);
    const dup = JSON.parse(bundlesToJson([toBundle(run('a'), []), toBundle(run('a'), [])]));
    expect(() => parseBundles(JSON.stringify(dup))).toThrow(/occurs twice/);
  });
});
