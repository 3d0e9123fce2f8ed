// `stepwise experiment` on tiny runs with the hashed stand-in backbone (the command's own code,
// its host swapped): flags, the files it writes and what they hold (checked against the runs'
// own evaluation rows), the progress bar only on a terminal, resuming after a crash to the same
// results as an uninterrupted experiment, and usage errors through main (exit 2).

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testGpu } from '../gpu/testing';
import { InlineEnvs } from '../rl/rollout-envs';
import { HashedBackbone } from '../rl/test-backbone';
import type { MetricRow } from '../run/persistence/store';
import { runExperimentCommand, parseMethods, parseSeeds, type ExperimentHost } from './experiment';
import { etaSeconds, progressBar } from './experiment-progress';
import type { ResultsRow } from './experiment-results';
import type { CliIO } from './io';
import { main } from './main';

const root = mkdtempSync(join(tmpdir(), 'stepwise-experiment-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const CONFIG = join(root, 'tiny.json');
writeFileSync(CONFIG, JSON.stringify({
  tasks: { count: 2 }, bc: { epochs: 2 }, explore: { k: 2 },
  estimator: { hidden: 8, epochs: 3, heldOut: 0.25, refitEvery: 2 },
  ppo: { iterations: 2, tasksPerIteration: 2, epochs: 2, minibatch: 8 },
  eval: { tasks: 2 },
}));

function captureIO(): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [], stderr: string[] = [];
  return {
    stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t),
    readFile: (p) => readFileSync(p, 'utf8'), readStdin: () => null,
  };
}

/** Dies like a crashed backbone worker on its n-th call (0: never). */
class DyingBackbone extends HashedBackbone {
  constructor(private readonly dieAt = 0) { super(); }
  override async scoreEpisodes(items: Parameters<HashedBackbone['scoreEpisodes']>[0]) {
    if (this.dieAt && this.calls + 1 >= this.dieAt) throw new Error('backbone worker killed');
    return super.scoreEpisodes(items);
  }
}

function host(opts: { tty?: boolean; dieAt?: number } = {}): ExperimentHost & { bar: string[] } {
  const bar: string[] = [];
  return {
    bar,
    makeDeps: async () => {
      const backbone = new DyingBackbone(opts.dieAt);
      return { gpu: await testGpu(), backbone, featureDim: backbone.dim, envs: new InlineEnvs(4), dispose: async () => {} };
    },
    isTTY: () => opts.tty ?? false,
    writeBar: (t) => bar.push(t),
    options: { maxSteps: 5, headHidden: [16] },
  };
}

const args = (out: string, extra: string[] = []) => ['--env', 'household', '--methods', 'spa,outcome,bc', '--seeds', '2', '--config', CONFIG, '--out', out, ...extra];
const readJsonl = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as MetricRow);
const timeless = (rows: MetricRow[]) => rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith('timing/') && !k.startsWith('perf/'))));

describe('stepwise experiment', () => {
  it('reads --seeds as a count or a list and --methods as a list of reward variants', () => {
    expect(parseSeeds('3')).toEqual([1, 2, 3]);
    expect(parseSeeds('1,5,9')).toEqual([1, 5, 9]);
    expect(() => parseSeeds('0')).toThrow(/count/);
    expect(() => parseSeeds('1,x')).toThrow(/comma-separated/);
    expect(() => parseSeeds('2,2')).toThrow(/twice/);
    expect(parseMethods('spa,outcome,rloo,gigpo,bc')).toEqual(['spa', 'outcome', 'rloo', 'gigpo', 'bc']);
    expect(() => parseMethods('spa,ppo')).toThrow(/"ppo"/);
  });

  it('draws a bar whose fill follows the fraction, and an ETA from the pace', () => {
    expect(progressBar(0, 10)).toBe('[··········]   0%');
    expect(progressBar(0.5, 10)).toBe('[#####·····]  50%');
    expect(progressBar(2, 10)).toBe('[##########] 100%');
    expect(etaSeconds(0.25, 30)).toBeCloseTo(90, 9);
    expect(etaSeconds(0, 30)).toBeNull();
  });

  it('runs every method × seed, writes results.json/.md and metrics.jsonl from the runs, and resumes to the same results after a crash', async () => {
    const out = join(root, 'whole');
    const io = captureIO();
    const tty = host({ tty: true });
    expect(await runExperimentCommand(args(out, ['--json']), io, tty)).toBe(0);

    // On a terminal: a bar redrawn in place, no per-run lines on standard error.
    expect(tty.bar.some((t) => t.startsWith('\r[') && /%/.test(t) && /run \d\/6/.test(t))).toBe(true);
    expect(io.stderr.filter((l) => /^run \d\/6: \w+, seed \d \(/.test(l))).toEqual([]);

    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { rows: ResultsRow[] };
    expect(JSON.parse(io.stdout.join('')).rows).toEqual(results.rows);
    expect(results.rows.map((r) => `${r.split}/${r.method}`)).toEqual([
      'seen-test/spa', 'seen-test/outcome', 'seen-test/bc', 'unseen-test/spa', 'unseen-test/outcome', 'unseen-test/bc',
    ]);
    // Each row against the runs' own evaluation rows (mean and population std over the seeds).
    const metrics = readJsonl(join(out, 'metrics.jsonl'));
    for (const row of results.rows) {
      expect(Object.keys(row).sort()).toEqual(['env', 'grounding', 'method', 'score', 'seeds', 'split', 'success']);
      expect(row.env).toBe('household');
      expect(row.seeds).toEqual([1, 2]);
      const evals = metrics.filter((m) => m.stage === 'eval' && m.method === row.method && m.split === row.split);
      expect(evals.map((m) => m.seed)).toEqual([1, 2]);
      for (const [key, name] of [['success', 'success_rate'], ['score', 'score'], ['grounding', 'grounding_acc']] as const) {
        const xs = evals.map((m) => m[name] as number);
        const mean = (xs[0] + xs[1]) / 2;
        expect(row[key].mean, `${row.method} ${row.split} ${key}`).toBeCloseTo(mean, 12);
        expect(row[key].std, `${row.method} ${row.split} ${key}`).toBeCloseTo(Math.abs(xs[0] - xs[1]) / 2, 12);
      }
    }
    // Per-iteration rows of every run, tagged with method and seed.
    const ppoRows = metrics.filter((m) => m.stage === 'ppo');
    expect(ppoRows.map((m) => `${m.method}:${m.seed}:${m.iteration}`)).toEqual(['spa:1:1', 'spa:1:2', 'spa:2:1', 'spa:2:2', 'outcome:1:1', 'outcome:1:2', 'outcome:2:1', 'outcome:2:2']);
    const md = readFileSync(join(out, 'results.md'), 'utf8');
    expect(md).toContain('## unseen-test');
    expect(md).toContain('| method | success (%) | score | grounding (%) | seeds |');
    expect(md).toContain(`stepwise experiment ${args(out, ['--json']).join(' ')}`);
    // Each run is a train-style run directory.
    expect(existsSync(join(out, 'runs', 'outcome-s2', 'run.json'))).toBe(true);

    // Crash early in the 3rd run (outcome, seed 1), then the same command again: only what was
    // left runs, and the results equal the uninterrupted experiment's.
    const part = join(root, 'crashed');
    const plain = captureIO();
    const probe = new DyingBackbone();
    const probeHost: ExperimentHost = { ...host(), makeDeps: async () => ({ gpu: await testGpu(), backbone: probe, featureDim: probe.dim, envs: new InlineEnvs(4), dispose: async () => {} }) };
    let callsBeforeRun3 = 0;
    const counting = captureIO();
    await runExperimentCommand(args(join(root, 'probe')), { ...counting, err: (t) => { if (!callsBeforeRun3 && t.startsWith('run 3/6:')) callsBeforeRun3 = probe.calls; } }, probeHost);
    expect(callsBeforeRun3).toBeGreaterThan(0);
    await expect(runExperimentCommand(args(part), plain, host({ dieAt: callsBeforeRun3 + 3 }))).rejects.toThrow('backbone worker killed');
    // Not on a terminal: one line per run on standard error, no bar.
    expect(plain.stderr.filter((l) => /^run \d\/6: /.test(l)).length).toBeGreaterThanOrEqual(3);
    expect(existsSync(join(part, 'results.json'))).toBe(false);

    const again = captureIO();
    expect(await runExperimentCommand(args(part), again, host())).toBe(0);
    expect(again.stderr.filter((l) => /already finished/.test(l)).length).toBe(2);
    expect(JSON.parse(readFileSync(join(part, 'results.json'), 'utf8'))).toEqual(results);
    expect(timeless(readJsonl(join(part, 'metrics.jsonl')))).toEqual(timeless(metrics));

    // Once more: nothing left to run, the same files.
    const third = captureIO();
    expect(await runExperimentCommand(args(part), third, host())).toBe(0);
    expect(third.stderr.filter((l) => /already finished/.test(l)).length).toBe(6);
    expect(JSON.parse(readFileSync(join(part, 'results.json'), 'utf8'))).toEqual(results);
  });

  it('rejects bad flags through main with exit 2 and the problem named, before running anything', async () => {
    const cases: [string[], RegExp][] = [
      [['--env', 'household', '--methods', 'spa'], /missing --seeds/],
      [['--env', 'kitchen', '--methods', 'spa', '--seeds', '2'], /unknown environment "kitchen"/],
      [['--env', 'household', '--methods', 'spa,ppo', '--seeds', '2'], /unknown method "ppo"/],
      [['--env', 'household', '--methods', 'spa', '--seeds', '1,b'], /--seeds must be/],
      [['--env', 'household', '--methods', 'spa', '--seeds', '2', '--tasks', '100000'], /tasks.count must be an integer in \[0, 3553\]/],
    ];
    for (const [argv, message] of cases) {
      const io = captureIO();
      expect(await main(['experiment', ...argv, '--out', join(root, 'never')], io), argv.join(' ')).toBe(2);
      expect(io.stderr.join('\n')).toMatch(message);
    }
    expect(existsSync(join(root, 'never'))).toBe(false);
  });
});
