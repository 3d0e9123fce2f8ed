// The exact forms scripts call (issue 10 §9), on the bundled model through main() with a tiny
// run: `train --env --method --seed [--config] [--out]` writes run.json, metrics.jsonl (one object
// per row, each with `iteration`) and checkpoints, and the same command again says the run has
// finished and exits 0; `eval --run dir --split unseen-test --json` prints exactly {tasks, solved,
// success_rate, grounding, score, mean_length}; `eval --policy prior --env <env> --split <split>
// --json` prints exactly {tasks, solved, success_rate, grounding}.

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIO } from './io';
import { main } from './main';

const root = mkdtempSync(join(tmpdir(), 'stepwise-train-eval-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function captureIO(): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [], stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t), readFile: (p) => readFileSync(p, 'utf8'), readStdin: () => null };
}

const CONFIG = join(root, 'tiny.json');
writeFileSync(CONFIG, JSON.stringify({ bc: { epochs: 2 }, explore: { k: 2 }, estimator: { hidden: 8, epochs: 2 }, ppo: { tasksPerIteration: 2, epochs: 1, minibatch: 16 }, eval: { tasks: 2 } }));

describe('stepwise train and eval, exact forms', () => {
  it('trains, resumes a finished run with exit 0, and evaluates the run and the prior', async () => {
    const out = join(root, 'run');
    const argv = ['train', '--env', 'household', '--method', 'spa', '--seed', '1', '--config', CONFIG, '--out', out, '--tasks', '2', '--iterations', '1', '--max-steps', '3'];
    const io = captureIO();
    expect(await main(argv, io)).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/spa on household, seed 1: 1 PPO iterations/);
    expect(existsSync(join(out, 'run.json'))).toBe(true);
    expect(readdirSync(join(out, 'checkpoints')).length).toBeGreaterThan(0);
    const rows = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { iteration: unknown; stage: unknown });
    expect(rows.every((r) => Number.isInteger(r.iteration))).toBe(true);
    expect(rows.map((r) => r.stage)).toEqual(['bc', 'estimator', 'ppo', 'eval', 'eval']);

    const again = captureIO();
    expect(await main(argv, again)).toBe(0);
    expect(again.stdout.join('\n')).toMatch(/already finished/);
    expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').length).toBe(rows.length);

    const ev = captureIO();
    expect(await main(['eval', '--run', out, '--split', 'unseen-test', '--json', '--tasks', '4', '--max-steps', '3'], ev)).toBe(0);
    const r = JSON.parse(ev.stdout.join('')) as Record<string, number>;
    expect(Object.keys(r).sort()).toEqual(['grounding', 'mean_length', 'score', 'solved', 'success_rate', 'tasks']);
    expect(r.tasks).toBe(4);
    expect(r.success_rate).toBeCloseTo(r.solved / r.tasks, 12);
    expect(r.mean_length).toBeLessThanOrEqual(3);

    const prior = captureIO();
    expect(await main(['eval', '--policy', 'prior', '--env', 'household', '--split', 'unseen-test', '--tasks', '4', '--max-steps', '3', '--json'], prior)).toBe(0);
    const p = JSON.parse(prior.stdout.join('')) as Record<string, number>;
    expect(Object.keys(p).sort()).toEqual(['grounding', 'solved', 'success_rate', 'tasks']);
    expect(p.tasks).toBe(4);
    expect(p.grounding >= 0 && p.grounding <= 1).toBe(true);
  }, 300_000);
});
