import { describe, expect, it } from 'vitest';
import { Mulberry32, type SeededRng } from '../core/random';
import { getEnvSpec } from '../envs/registry';
import { defaultRunConfig, RUN_CONFIG_FIELDS, safeParseRunConfig, type RunConfig } from '../run/config';
import { setPath, type Field, type FieldTree } from '../run/config-fields';
import { parseRoute } from './shell/route';
import {
  COMPARE_STATE, PLAYGROUND_STATE, TRAIN_STATE, TRAJECTORIES_STATE, decodeState, encodeState, stateLink, trainLink, type ScreenStateDef,
} from './url-state';

/** A value the field accepts, bounds and long floats included. */
function draw(rng: SeededRng, f: Field): unknown {
  switch (f.kind) {
    case 'int': return rng.chance(0.2) ? f.max : rng.int(f.min, Math.min(f.max, f.min + 500));
    case 'number': {
      const x = f.min + (f.max - f.min) * rng.next();
      return x <= f.min || x >= f.max ? (f.min + f.max) / 2 : x;
    }
    case 'choice': return rng.pick(f.options);
    case 'choices': return rng.sample(f.options, rng.int(0, f.options.length));
    case 'flag': return rng.chance(0.5);
    case 'text': return rng.pick(['stepwise-tiny', 'HuggingFaceTB/SmolLM2-135M-Instruct', 'x.y-z']);
  }
}

function randomConfig(rng: SeededRng): RunConfig {
  const c: Record<string, unknown> = {};
  for (const { path, field } of RUN_CONFIG_FIELDS) setPath(c, path, draw(rng, field));
  const cfg = c as unknown as RunConfig;
  const spec = getEnvSpec(cfg.env);
  const splits = (Object.keys(spec.splits) as RunConfig['split'][]).filter((s) => spec.splits[s] !== undefined);
  cfg.split = rng.pick(splits);
  const size = spec.splits[cfg.split]!;
  cfg.tasks.start = rng.int(0, size - 1);
  cfg.tasks.count = rng.int(0, size - cfg.tasks.start);
  cfg.eval.splits = rng.sample(splits, rng.int(0, splits.length));
  // The one cross-field rule on PPO (config.ts): the exact KL estimator only measures to the prior.
  if (cfg.ppo.klEstimator === 'exact') cfg.ppo.klReference = 'prior';
  return cfg;
}

describe('URL state', () => {
  it('an empty query reads as the defaults; defaults write nothing, unless the screen writes all', () => {
    const roundTrip = <T extends FieldTree>(def: ScreenStateDef<T>, written: string) => {
      const { values, issues } = decodeState(def, new URLSearchParams());
      expect(issues).toEqual([]);
      expect(encodeState(def, values).toString()).toBe(written);
    };
    roundTrip(PLAYGROUND_STATE, 'env=household&split=train&task=0&seed=0');
    roundTrip(TRAJECTORIES_STATE, '');
    roundTrip(COMPARE_STATE, '');
    expect(decodeState(TRAIN_STATE, new URLSearchParams()).values).toEqual({ run: defaultRunConfig() });
  });

  it('a run config round-trips through the Train link exactly (200 seeded random configs)', () => {
    const rng = new Mulberry32(11);
    for (let i = 0; i < 200; i++) {
      const config = randomConfig(rng);
      expect(safeParseRunConfig(config).ok).toBe(true);
      const route = parseRoute(trainLink(config));
      expect(route.screen).toBe('train');
      // Every field is written, so the link does not depend on today's defaults.
      expect([...route.params.keys()]).toHaveLength(RUN_CONFIG_FIELDS.length);
      const back = decodeState(TRAIN_STATE, route.params);
      expect(back.issues).toEqual([]);
      expect(back.values.run).toEqual(config);
    }
    // The step cap is the config's own field, so it travels with it and nothing else does.
    const capped = { ...defaultRunConfig(), episode: { maxSteps: 12 } };
    const link = parseRoute(trainLink(capped)).params;
    expect(link.get('run.episode.maxSteps')).toBe('12');
    expect([...link.keys()].filter((k) => !k.startsWith('run.'))).toEqual([]);
    expect(decodeState(TRAIN_STATE, link).values.run).toEqual(capped);
  });

  it('an older Train link\'s step-cap option (options.maxSteps) opens as the config\'s episode.maxSteps', () => {
    const read = (q: string) => decodeState(TRAIN_STATE, new URLSearchParams(q));
    // A positive override replaced the config's cap, whichever came first in the link.
    for (const q of ['run.episode.maxSteps=15&options.maxSteps=12', 'options.maxSteps=12&run.episode.maxSteps=15', 'options.maxSteps=12']) {
      expect(read(q)).toEqual({ values: { run: { ...defaultRunConfig(), episode: { maxSteps: 12 } } }, issues: [] });
    }
    // 0 meant "follow the config": dropped, the config's cap stands.
    expect(read('run.episode.maxSteps=7&options.maxSteps=0')).toEqual({ values: { run: { ...defaultRunConfig(), episode: { maxSteps: 7 } } }, issues: [] });
    // A positive value the config does not take is named under the field it now sets.
    const bad = read('options.maxSteps=20000');
    expect(bad.issues.map((i) => i.field)).toEqual(['run.episode.maxSteps']);
    expect(bad.values.run.episode.maxSteps).toBe(defaultRunConfig().episode.maxSteps);
  });

  it('screen parameters round-trip through their links', () => {
    const values = { run: 'spa-household-1', iteration: 3, split: 'unseen-test' as const, success: 'partly-solved' as const, traj: 'it3/household:train:12/k5 <b>', step: 7, speed: 0.25 };
    const link = stateLink(TRAJECTORIES_STATE, values);
    expect(link.startsWith('#/trajectories?')).toBe(true);
    expect(decodeState(TRAJECTORIES_STATE, parseRoute(link).params)).toEqual({ values, issues: [] });
    const cmp = { runs: 'a,b.c,d-1', metric: 'estimator/mse_heldout', smooth: 5 };
    expect(decodeState(COMPARE_STATE, parseRoute(stateLink(COMPARE_STATE, cmp)).params).values).toEqual(cmp);
    const pg = { env: 'webshop', split: 'test' as const, task: 12, seed: 99 };
    expect(decodeState(PLAYGROUND_STATE, parseRoute(stateLink(PLAYGROUND_STATE, pg)).params).values).toEqual(pg);
  });

  it('bad, unknown and repeated parameters fall back to defaults and are named, the rest is kept', () => {
    const q = new URLSearchParams('task=abc&seed=-3&env=webshop&colour=red&step=4&step=9');
    const pg = decodeState(PLAYGROUND_STATE, q);
    expect(pg.values).toEqual({ env: 'webshop', split: 'train', task: 0, seed: 0 });
    expect(pg.issues.map((i) => i.field).sort()).toEqual(['colour', 'seed', 'step', 'step', 'task']);
    expect(pg.issues.find((i) => i.field === 'task')?.message).toMatch(/task must be an integer in \[0, 1000000\], got "abc"/);
    const tr = decodeState(TRAJECTORIES_STATE, new URLSearchParams('step=4&step=9&speed=100'));
    expect(tr.values.step).toBe(4);
    expect(tr.values.speed).toBe(1);
    expect(tr.issues.map((i) => i.field)).toEqual(['step', 'speed']);
  });

  it('a run config whose fields disagree (a task range past the split) resets the named field', () => {
    const size = getEnvSpec('household').splits.train!;
    const q = new URLSearchParams(`run.env=household&run.tasks.start=${size + 5}&run.ppo.lr=0.01`);
    const { values, issues } = decodeState(TRAIN_STATE, q);
    expect(issues.map((i) => i.field)).toEqual(['run.tasks.start']);
    expect(values.run.tasks.start).toBe(0);
    expect(values.run.ppo.lr).toBe(0.01);
    expect(safeParseRunConfig(values.run).ok).toBe(true);
  });
});
