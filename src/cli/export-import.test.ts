// `stepwise export` and `stepwise import` on a tiny run (hashed stand-in backbone): every format
// written by export reads back through import into a fresh directory with every trajectory
// identical; the per-step JSONL carries r_t and the advantage; malformed input exits 2 with the
// problem named and writes nothing (through main, and through the real binary once); an import
// whose ids clash with the run it targets writes nothing either.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testGpu } from '../gpu/testing';
import { InlineEnvs } from '../rl/rollout-envs';
import { HashedBackbone } from '../rl/test-backbone';
import type { Trajectory } from '../rl/trajectory';
import { parseRunConfig } from '../run/config';
import { EXPORT_FORMATS } from '../run/export';
import { Orchestrator } from '../run/orchestrator';
import { FileRunStore } from '../run/persistence/file-store';
import type { CliIO } from './io';
import { main } from './main';

const root = mkdtempSync(join(tmpdir(), 'stepwise-export-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const runDir = join(root, 'run');

function captureIO(): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [], stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t), readFile: (p) => readFileSync(p, 'utf8'), readStdin: () => null };
}

async function trajectoriesIn(dir: string): Promise<Trajectory[]> {
  const store = await FileRunStore.openRunDir(dir);
  try {
    const [run] = await store.listRuns();
    return store.trajectories(run.id);
  } finally {
    await store.close();
  }
}

let original: Trajectory[] = [];

beforeAll(async () => {
  const config = parseRunConfig({
    env: 'household', seed: 1, reward: 'spa', tasks: { count: 2 }, bc: { epochs: 2 }, explore: { k: 2 },
    estimator: { hidden: 8, epochs: 3, heldOut: 0.25 }, ppo: { iterations: 1, tasksPerIteration: 2, epochs: 1, minibatch: 8 }, eval: { tasks: 2 },
  });
  const store = await FileRunStore.openRunDir(runDir);
  const backbone = new HashedBackbone();
  await new Orchestrator({ runId: 'household-spa-s1', config, store, deps: { gpu: await testGpu(), backbone, featureDim: backbone.dim, envs: new InlineEnvs(4) }, options: { maxSteps: 5, headHidden: [16] } }).run();
  await store.close();
  original = await trajectoriesIn(runDir);
});

describe('stepwise export / import', () => {
  it('exports every format and imports it back into a fresh directory without loss', async () => {
    expect(original.length).toBe(8); // 4 exploration + 4 PPO rollouts
    for (const format of EXPORT_FORMATS) {
      const file = join(root, `out.${format}`);
      const io = captureIO();
      expect(await main(['export', '--run', runDir, '--format', format, '--out', file], io), format).toBe(0);
      expect(io.stderr.join('\n')).toContain(`exported 8 trajectories`);
      const into = join(root, `imported-${format}`);
      const io2 = captureIO();
      expect(await main(['import', '--format', format, '--file', file, '--into', into], io2), format).toBe(0);
      expect(io2.stdout.join('\n')).toMatch(/^imported 8 trajectories/);
      expect(await trajectoriesIn(into), format).toEqual(original);
    }
  });

  it('writes to standard output without --out; the per-step JSONL carries r_t and advantages; --iteration filters', async () => {
    const io = captureIO();
    expect(await main(['export', '--run', runDir, '--format', 'steps', '--iteration', '1'], io)).toBe(0);
    const lines = io.stdout.join('').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const headers = lines.filter((l) => l.type === 'trajectory');
    expect(headers.length).toBe(4);
    expect(headers.every((h) => h.iteration === 1)).toBe(true);
    const steps = lines.filter((l) => l.type === 'step');
    expect(steps.length).toBe(original.filter((t) => t.iteration === 1).reduce((n, t) => n + t.steps.length, 0));
    expect(steps.every((s) => typeof s.reward_total === 'number' && typeof s.advantage === 'number')).toBe(true);
  });

  it('rejects malformed input with exit 2, the problem and its place named, and writes nothing', async () => {
    const good = JSON.parse(readFileSync(join(root, 'out.spa'), 'utf8')) as { conversations: { from: string }[] }[];
    const bad = structuredClone(good);
    bad[1].conversations[3].from = 'robot';
    const file = join(root, 'bad.json');
    writeFileSync(file, JSON.stringify(bad));
    const into = join(root, 'never');
    const io = captureIO();
    expect(await main(['import', '--format', 'spa', '--file', file, '--into', into], io)).toBe(2);
    expect(io.stderr.join('\n')).toMatch(/item 1 .*conversations\[3\]\.from/);
    expect(io.stderr.join('\n')).toContain('nothing was imported');
    expect(existsSync(into)).toBe(false);

    // Into the run itself: its ids are taken, so nothing is appended.
    const io2 = captureIO();
    expect(await main(['import', '--format', 'spa', '--file', join(root, 'out.spa'), '--into', runDir], io2)).toBe(2);
    expect(io2.stderr.join('\n')).toMatch(/is already in/);
    expect(await trajectoriesIn(runDir)).toEqual(original);

    // The installed command's own exit status.
    const notJson = join(root, 'not.json');
    writeFileSync(notJson, '[{"id": 1,');
    const r = spawnSync(process.execPath, [resolve('bin/stepwise.mjs'), 'import', '--format', 'spa', '--file', notJson, '--into', into], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not JSON/);
    expect(existsSync(into)).toBe(false);
  });

  it('names bad flags with exit 2', async () => {
    for (const [argv, message] of [
      [['export', '--run', runDir, '--format', 'csv'], /unknown format "csv"/],
      [['export', '--run', join(root, 'nothing-here'), '--format', 'spa'], /holds no run/],
      [['import', '--format', 'spa', '--file', join(root, 'missing.json'), '--into', join(root, 'x')], /cannot read/],
      [['import', '--format', 'spa', '--file', join(root, 'out.spa')], /missing --into/],
    ] as const) {
      const io = captureIO();
      expect(await main([...argv], io), argv.join(' ')).toBe(2);
      expect(io.stderr.join('\n')).toMatch(message);
    }
  });
});
