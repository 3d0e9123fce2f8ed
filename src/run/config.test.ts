import { describe, expect, it } from 'vitest';
import { Mulberry32, type SeededRng } from '../core/random';
import { envNames, getEnvSpec } from '../envs/registry';
import { REWARD_VARIANTS } from '../rl/rewards';
import { rangeText, setPath, type Field } from './config-fields';
import {
  defaultRunConfig, evalSplits, parseRunConfig, RUN_CONFIG_FIELDS, RunConfigError, runConfigFromJson, runConfigFromQuery,
  parseSavedRunConfig, runConfigToJson, runConfigToQuery, safeParseRunConfig, safeParseSavedRunConfig, savedRunConfig, type RunConfig,
} from './config';

/** A random value the field accepts, extremes and awkward floats included. */
function randomValue(rng: SeededRng, f: Field): unknown {
  switch (f.kind) {
    case 'int': {
      const r = rng.next();
      return r < 0.15 ? f.min : r < 0.3 ? f.max : rng.int(f.min, Math.min(f.max, f.min + 1000));
    }
    case 'number': {
      const r = rng.next();
      if (r < 0.1 && !f.minOpen) return f.min;
      if (r < 0.2 && !f.maxOpen) return f.max;
      const span = f.max - f.min;
      // Log-spread values for log fields (1e-7 … max), uniform otherwise; never on an open bound.
      const x = f.log ? f.max * 10 ** (-7 * rng.next()) : f.min + span * rng.next();
      return x <= f.min || x >= f.max ? (f.min + f.max) / 2 : x;
    }
    case 'choice': return rng.pick(f.options);
    case 'choices': return rng.sample(f.options, rng.int(0, f.options.length));
    case 'flag': return rng.chance(0.5);
    case 'text': return rng.pick(['stepwise-tiny', 'HuggingFaceTB/SmolLM2-135M-Instruct', 'onnx-community/Qwen2.5-0.5B-Instruct', 'a', 'm.v-2_b/c']);
  }
}

/** A random config that passes validation: the per-field draw, then the env's splits and sizes respected. */
function randomConfig(rng: SeededRng): RunConfig {
  const c: Record<string, unknown> = {};
  for (const { path, field } of RUN_CONFIG_FIELDS) setPath(c, path, randomValue(rng, field));
  const cfg = c as unknown as RunConfig;
  const spec = getEnvSpec(cfg.env);
  const splits = Object.keys(spec.splits) as RunConfig['split'][];
  cfg.split = rng.pick(splits);
  const size = spec.splits[cfg.split]!;
  cfg.tasks.start = rng.int(0, size - 1);
  cfg.tasks.count = rng.int(0, size - cfg.tasks.start);
  cfg.eval.splits = rng.sample(splits, rng.int(0, splits.length));
  // The exact KL is to the prior only (klIssues).
  if (cfg.ppo.klEstimator === 'exact') cfg.ppo.klReference = 'prior';
  return cfg;
}

function errorOf(f: () => unknown): RunConfigError {
  try {
    f();
  } catch (e) {
    if (e instanceof RunConfigError) return e;
    throw e;
  }
  throw new Error('expected a RunConfigError');
}

describe('defaults', () => {
  it('an empty config is the defaults, and the defaults follow DESIGN.md §1', () => {
    const c = parseRunConfig({});
    expect(c).toEqual(defaultRunConfig());
    expect(c).toMatchObject({
      env: 'household', split: 'train', model: 'stepwise-tiny', reward: 'spa', alpha: 1, beta: 0.5,
      sft: { enabled: false }, explore: { temperature: 1 }, estimator: { heldOut: 0.1 },
      ppo: { clip: 0.2, gamma: 0.99, lambda: 0.95 },
    });
  });

  it('sizes the default run as a ~2-minute demo, each paper-scale size one field away', () => {
    // DESIGN.md §1's K = 8 and whole splits are one setting away; the default is what the Train
    // button and `stepwise train` run (issue 10's Performance: under 5 minutes, aim under 2).
    expect(defaultRunConfig()).toMatchObject({
      tasks: { count: 16 }, episode: { maxSteps: 15 }, explore: { k: 4 }, ppo: { iterations: 4, tasksPerIteration: 8 }, eval: { tasks: 25 },
    });
    expect(parseRunConfig({ explore: { k: 8 }, tasks: { count: 0 }, eval: { tasks: 0 }, episode: { maxSteps: 0 } })).toMatchObject({
      explore: { k: 8 }, tasks: { count: 0 }, eval: { tasks: 0 }, episode: { maxSteps: 0 },
    });
    expect(errorOf(() => parseRunConfig({ episode: { maxSteps: -1 } })).message).toContain('episode.maxSteps');
  });

  it('a partial config keeps what it sets and fills the rest', () => {
    const c = parseRunConfig({ reward: 'rloo', ppo: { lr: 1e-5 } });
    expect(c.reward).toBe('rloo');
    expect(c.ppo.lr).toBe(1e-5);
    expect(c.ppo.epochs).toBe(defaultRunConfig().ppo.epochs);
  });

  it('offers exactly the registry\'s environments and every reward variant', () => {
    const byPath = new Map(RUN_CONFIG_FIELDS.map((f) => [f.path, f.field]));
    expect(byPath.get('env')).toMatchObject({ options: envNames() });
    expect(byPath.get('reward')).toMatchObject({ options: [...REWARD_VARIANTS] });
  });

  it('evaluates on the env\'s own test splits unless told otherwise', () => {
    expect(evalSplits(parseRunConfig({}))).toEqual(['seen-test', 'unseen-test']);
    expect(evalSplits(parseRunConfig({ env: 'webshop' }))).toEqual(['test']);
    expect(evalSplits(parseRunConfig({ eval: { splits: ['unseen-test'] } }))).toEqual(['unseen-test']);
  });
});

describe('configs read back from saved runs', () => {
  // What a run saved before candidates.invalid existed stored: the whole config of its day, without the field.
  const { candidates: _dropped, ...old } = parseRunConfig({ reward: 'rloo', seed: 7 });

  it('a saved config without candidates is what the run trained with (0 distractors); a new config without it gets the default 6', () => {
    expect(parseSavedRunConfig(old).candidates.invalid).toBe(0);
    expect(parseSavedRunConfig({ ...old, candidates: {} }).candidates.invalid).toBe(0);
    expect(parseRunConfig(old).candidates.invalid).toBe(6);
    expect(defaultRunConfig().candidates.invalid).toBe(6);
    // Nothing else changes, and the result is in declaration order (the pipeline's resume check compares JSON).
    expect(JSON.stringify(parseSavedRunConfig(old))).toBe(JSON.stringify(parseRunConfig({ ...old, candidates: { invalid: 0 } })));
    // The input is not modified.
    expect('candidates' in old).toBe(false);
  });

  it('a saved config that has the field keeps it, and a saved config is still validated', () => {
    for (const invalid of [0, 3, 6]) expect(parseSavedRunConfig(parseRunConfig({ candidates: { invalid } })).candidates.invalid).toBe(invalid);
    const saved = parseRunConfig({ ppo: { lr: 1e-5 } });
    expect(parseSavedRunConfig(JSON.parse(JSON.stringify(saved)))).toEqual(saved);
    const bad = safeParseSavedRunConfig({ ...old, ppo: { ...old.ppo, lr: -1 } });
    expect(bad.ok).toBe(false);
    expect(errorOf(() => parseSavedRunConfig({ ...old, candidates: { invalid: 99 } })).message).toContain('candidates.invalid');
  });

  it('savedRunConfig (what the stores return) parses a valid config, and gives one that no longer validates back as stored, the missing field filled in', () => {
    expect(savedRunConfig(old)).toEqual(parseSavedRunConfig(old));
    const gone = { ...old, env: 'an-env-since-removed' };
    const back = savedRunConfig(gone) as unknown as Record<string, unknown>;
    expect(back).toEqual({ ...gone, candidates: { invalid: 0 } });
    expect(savedRunConfig(null).candidates.invalid).toBe(0);
    expect(savedRunConfig('not a config')).toBe('not a config');
  });
});

describe('the KL reference', () => {
  it('defaults to the policy frozen at the end of BC; a run saved before the field anchored to the prior', () => {
    expect(defaultRunConfig().ppo.klReference).toBe('bc');
    const { klReference: _dropped, ...oldPpo } = parseRunConfig({}).ppo;
    const old = { ...parseRunConfig({}), ppo: oldPpo };
    expect(parseSavedRunConfig(old).ppo.klReference).toBe('prior');
    expect(parseRunConfig(old).ppo.klReference).toBe('bc');
    expect(parseSavedRunConfig(parseRunConfig({ ppo: { klReference: 'bc' } })).ppo.klReference).toBe('bc');
    // An old run with the exact estimator reads back valid: it was to the prior.
    expect(parseSavedRunConfig({ ...old, ppo: { ...oldPpo, klEstimator: 'exact' } }).ppo).toMatchObject({ klEstimator: 'exact', klReference: 'prior' });
  });

  it('the exact estimator is refused with the BC reference, naming both fields', () => {
    const e = errorOf(() => parseRunConfig({ ppo: { klEstimator: 'exact' } }));
    expect(e.issues[0].field).toBe('ppo.klEstimator');
    expect(e.message).toMatch(/ppo\.klEstimator "exact".*ppo\.klReference "prior".*got ppo\.klReference "bc"/);
    expect(parseRunConfig({ ppo: { klEstimator: 'exact', klReference: 'prior' } }).ppo.klEstimator).toBe('exact');
    for (const klEstimator of ['k1', 'k3'] as const) expect(parseRunConfig({ ppo: { klEstimator, klReference: 'bc' } }).ppo.klReference).toBe('bc');
    expect(errorOf(() => parseRunConfig({ ppo: { klReference: 'sft' } })).message).toContain('ppo.klReference must be one of bc, prior');
  });
});

describe('round trips over 300 random valid configs (seeded)', () => {
  const rng = new Mulberry32(20250527);
  const configs = Array.from({ length: 300 }, () => randomConfig(rng));

  it('every generated config is valid', () => {
    for (const c of configs) {
      const r = safeParseRunConfig(c);
      expect(r.ok, r.ok ? '' : r.error.message).toBe(true);
    }
  });

  it('JSON', () => {
    for (const c of configs) expect(runConfigFromJson(runConfigToJson(c))).toEqual(c);
  });

  it('query string: full, only-changed, and under a prefix among other keys', () => {
    for (const c of configs) {
      expect(runConfigFromQuery(runConfigToQuery(c))).toEqual(c);
      expect(runConfigFromQuery(runConfigToQuery(c, { onlyChanged: true }))).toEqual(c);
      const shared = `screen=train&tab=2&${runConfigToQuery(c, { prefix: 'run.' })}`;
      expect(runConfigFromQuery(new URLSearchParams(shared), { prefix: 'run.' })).toEqual(c);
    }
  });

  it('the defaults serialise to an empty only-changed query, and a leading ? is accepted', () => {
    expect(runConfigToQuery(defaultRunConfig(), { onlyChanged: true })).toBe('');
    expect(runConfigFromQuery('?reward=gigpo&gigpo.stepWeight=0.5').gigpo.stepWeight).toBe(0.5);
  });
});

describe('invalid values name the field and its allowed range', () => {
  it('every numeric field below its minimum, above its maximum, and as text', () => {
    for (const { path, field } of RUN_CONFIG_FIELDS) {
      if (field.kind !== 'int' && field.kind !== 'number') continue;
      const range = rangeText(field);
      for (const bad of [field.min - 1, field.max + 1, 'abc']) {
        const input = {};
        setPath(input, path, bad);
        const e = errorOf(() => parseRunConfig(input));
        expect(e.issues).toHaveLength(1);
        expect(e.issues[0].field).toBe(path);
        expect(e.message).toContain(`${path} must be ${field.kind === 'int' ? 'an integer' : 'a number'} in ${range}`);
        expect(e.message).toContain(`got ${typeof bad === 'string' ? '"abc"' : bad}`);
      }
    }
  });

  it('open bounds, fractions for integers, NaN and Infinity', () => {
    expect(errorOf(() => parseRunConfig({ ppo: { clip: 0 } })).message).toContain('ppo.clip must be a number in (0, 1), got 0');
    expect(errorOf(() => parseRunConfig({ ppo: { lr: 0 } })).message).toContain('ppo.lr must be a number in (0, 1], got 0');
    expect(errorOf(() => parseRunConfig({ explore: { k: 2.5 } })).message).toContain('explore.k must be an integer in [1, 256], got 2.5');
    expect(errorOf(() => parseRunConfig({ alpha: NaN })).issues[0].field).toBe('alpha');
    expect(errorOf(() => parseRunConfig({ beta: Infinity })).issues[0].field).toBe('beta');
  });

  it('choices, flags, text and lists', () => {
    expect(errorOf(() => parseRunConfig({ reward: 'ppo' })).message).toContain(`reward must be one of ${REWARD_VARIANTS.join(', ')}, got "ppo"`);
    expect(errorOf(() => parseRunConfig({ ppo: { klEstimator: 'k9' } })).message).toContain('ppo.klEstimator must be one of k1, k3, exact');
    expect(errorOf(() => parseRunConfig({ sft: { enabled: 'yes' } })).message).toContain('sft.enabled must be true or false, got "yes"');
    expect(errorOf(() => parseRunConfig({ model: 'bad model!' })).message).toContain('model must be a model id');
    expect(errorOf(() => parseRunConfig({ eval: { splits: ['seen-test', 'seen-test'] } })).issues[0].field).toBe('eval.splits');
  });

  it('several bad fields are all reported', () => {
    const e = errorOf(() => parseRunConfig({ alpha: -1, ppo: { gamma: 2 }, explore: { k: 0 } }));
    expect(e.issues.map((i) => i.field).sort()).toEqual(['alpha', 'explore.k', 'ppo.gamma']);
  });

  it('unknown fields and sections that are not objects', () => {
    expect(errorOf(() => parseRunConfig({ ppo: { lr: 1e-4, lrr: 1 } })).message).toContain('unknown field ppo.lrr');
    expect(errorOf(() => parseRunConfig({ ppo: { lr: 1e-4, lrr: 1 } })).issues[0].field).toBe('ppo.lrr');
    expect(errorOf(() => parseRunConfig({ rewrad: 'spa' })).message).toContain('unknown field rewrad');
    expect(errorOf(() => parseRunConfig({ ppo: 3 })).message).toContain('ppo must be an object, got 3');
    expect(errorOf(() => parseRunConfig([1])).message).toContain('the config must be an object, got [1]');
    expect(errorOf(() => parseRunConfig({ ppo: [] })).message).toContain('ppo must be an object, got []');
  });

  it('splits and task ranges the environment does not have', () => {
    expect(errorOf(() => parseRunConfig({ env: 'webshop', split: 'unseen-test' })).message).toContain("split must be one of webshop's splits (train, test)");
    const size = getEnvSpec('household').splits.train!;
    expect(errorOf(() => parseRunConfig({ tasks: { start: size } })).message).toContain(`tasks.start must be an integer in [0, ${size - 1}] for household train`);
    expect(errorOf(() => parseRunConfig({ tasks: { start: size - 2, count: 3 } })).message).toContain('tasks.count must be an integer in [0, 2]');
    expect(errorOf(() => parseRunConfig({ env: 'webshop', eval: { splits: ['seen-test'] } })).issues[0].field).toBe('eval.splits');
  });

  it('bad JSON and bad query strings', () => {
    expect(errorOf(() => runConfigFromJson('{"alpha": 1,')).issues[0].field).toBe('(json)');
    expect(errorOf(() => runConfigFromQuery('ppo.lr=fast')).message).toContain('ppo.lr must be a number in (0, 1], got "fast"');
    expect(errorOf(() => runConfigFromQuery('explore.k=')).message).toContain('explore.k must be an integer in [1, 256], got ""');
    expect(errorOf(() => runConfigFromQuery('sft.enabled=maybe')).issues[0].field).toBe('sft.enabled');
    expect(errorOf(() => runConfigFromQuery('ppo.lrr=1')).message).toContain('unknown field ppo.lrr');
    expect(errorOf(() => runConfigFromQuery('seed=1&seed=2')).message).toContain('seed is given more than once');
  });
});
