import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { purchaseDoc } from '../envs/webshop/fixtures/purchase-doc';
import type { CliIO } from './io';
import { main } from './main';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'stepwise-cli-'));

async function cli(argv: string[], stdin: string | null = null): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = {
    out: (t) => void (out += t + '\n'),
    err: (t) => void (err += t + '\n'),
    readFile: (p) => readFileSync(p, 'utf8'),
    readStdin: () => stdin,
  };
  const code = await main(argv, io);
  return { code, out, err };
}

describe('stepwise env play', () => {
  it('--expert --json gives the issue-5 transcript shape, identical to the golden file', async () => {
    const r = await cli(['env', 'play', '--env', 'household', '--split', 'seen-test', '--task', '0', '--seed', '0', '--expert', '--json']);
    expect(r.code).toBe(0);
    const t = JSON.parse(r.out);
    for (const k of ['env', 'task', 'seed', 'goal', 'steps', 'reward', 'won']) expect(t).toHaveProperty(k);
    for (const s of t.steps) expect(Object.keys(s)).toEqual(['action', 'observation', 'valid', 'reward', 'done']);
    expect(t).toMatchObject({ env: 'household', task: 0, seed: 0, reward: 1, won: true });
    const golden = JSON.parse(readFileSync(join(root, 'src/envs/household/golden/expert-seen-test-0.json'), 'utf8'));
    expect(t).toEqual(golden);
  });

  it('--split defaults to train; the same task and seed always give the same episode', async () => {
    const a = await cli(['env', 'play', '--env', 'household', '--task', '7', '--seed', '3', '--expert', '--json']);
    const b = await cli(['env', 'play', '--env', 'household', '--split', 'train', '--task', '7', '--seed', '3', '--expert', '--json']);
    expect(a.code).toBe(0);
    expect(a.out).toBe(b.out);
    expect(JSON.parse(a.out).split).toBe('train');
  });

  it('--actions plays one line per action and stops at the end of the file or of the episode', async () => {
    const expert = JSON.parse((await cli(['env', 'play', '--env', 'household', '--task', '2', '--seed', '0', '--expert', '--json'])).out);
    const actions: string[] = expert.steps.map((s: { action: string }) => s.action);
    const full = join(tmp, 'full.txt');
    writeFileSync(full, actions.join('\r\n') + '\n\nlook\nlook\n');
    const r = JSON.parse((await cli(['env', 'play', '--env', 'household', '--task', '2', '--seed', '0', '--actions', full, '--json'])).out);
    expect(r.steps.length).toBe(actions.length); // the two extra "look" lines come after the win
    expect(r.won).toBe(true);
    const short = join(tmp, 'short.txt');
    writeFileSync(short, 'look\nfly away\n');
    const s = JSON.parse((await cli(['env', 'play', '--env', 'household', '--task', '2', '--seed', '0', '--actions', short, '--json'])).out);
    expect(s.steps.map((x: { valid: boolean }) => x.valid)).toEqual([true, false]);
    expect(s.steps[1].observation).toBe('Nothing happens.');
    expect(s).toMatchObject({ reward: 0, won: false });
  });

  it('reads actions from standard input when neither --expert nor --actions is given', async () => {
    const r = await cli(['env', 'play', '--env', 'household', '--task', '0', '--seed', '0'], 'inventory\n');
    expect(r.code).toBe(0);
    expect(r.out).toContain('> inventory\nYou are not carrying anything.');
    expect(r.out).toMatch(/reward: 0 {2}won: false {2}steps: 1/);
  });

  it('rejects bad arguments with a clear message and exit code 2', async () => {
    const cases: [string[], RegExp][] = [
      [['env', 'play', '--env', 'chess', '--task', '0', '--seed', '0'], /unknown environment "chess"; choose one of: .*household/],
      [['env', 'play', '--env', 'household', '--split', 'dev', '--task', '0', '--seed', '0'], /household has no split "dev"; its splits are: train, seen-test, unseen-test/],
      [['env', 'play', '--env', 'household', '--split', 'seen-test', '--task', '140', '--seed', '0'], /--task 140 is out of range: household seen-test has tasks 0\.\.139/],
      [['env', 'play', '--env', 'household', '--task', '-1', '--seed', '0'], /--task/],
      [['env', 'play', '--env', 'household', '--task', '1.5', '--seed', '0'], /--task must be a non-negative integer, got "1.5"/],
      [['env', 'play', '--env', 'household', '--task', '0'], /missing --seed/],
      [['env', 'play', '--env', 'household', '--seed', '0'], /missing --task/],
      [['env', 'play', '--task', '0', '--seed', '0'], /missing --env/],
      [['env', 'play', '--env', 'household', '--task', '0', '--seed', '0', '--expert', '--actions', 'x'], /--expert and --actions cannot be used together/],
      [['env', 'play', '--env', 'household', '--task', '0', '--seed', '0', '--actions', join(tmp, 'missing.txt')], /cannot read --actions file/],
      [['env', 'play', '--env', 'household', '--task', '0', '--seed', '0', '--frobnicate'], /Unknown option '--frobnicate'[\s\S]*usage: stepwise env play/],
      [['env', 'check', '--env', 'household'], /missing --split/],
      [['env', 'reward'], /missing --webshop-json/],
      [['env', 'fly'], /unknown command "env fly"/],
      [['nope'], /unknown command group "nope"/],
    ];
    for (const [argv, re] of cases) {
      const r = await cli(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err, argv.join(' ')).toMatch(re);
      expect(r.out).toBe('');
    }
  });
});

describe('stepwise env check', () => {
  it('reports {tasks, solved, success_rate} for a split', async () => {
    const r = await cli(['env', 'check', '--env', 'household', '--split', 'seen-test', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ tasks: 140, solved: 140, success_rate: 1 });
    const text = await cli(['env', 'check', '--env', 'household', '--split', 'unseen-test', '--seed', '4']);
    expect(text.out).toContain('household unseen-test (seed 4): expert solved 134/134 (100.0%)');
  });
});

describe('stepwise env reward', () => {
  const doc = purchaseDoc();

  it("prints WebShop's reward and sub-scores as JSON", async () => {
    const file = join(tmp, 'purchase.json');
    writeFileSync(file, JSON.stringify(doc));
    const r = await cli(['env', 'reward', '--webshop-json', file]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(Object.keys(out)).toEqual([
      'reward', 'r_type', 'query_match', 'category_match', 'title_score', 'r_att', 'num_attr_matches', 'r_option', 'num_option_matches', 'r_price',
    ]);
    // 1 attribute (in the description), 2 of 3 options, price ok: (1 + 2 + 1) / (3 + 3 + 1).
    expect(out.reward).toBeCloseTo(4 / 7, 12);
  });

  it('names the problem in a bad file', async () => {
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, '{"goal": ');
    expect((await cli(['env', 'reward', '--webshop-json', bad])).err).toMatch(/is not valid JSON/);
    const wrong = join(tmp, 'wrong.json');
    writeFileSync(wrong, JSON.stringify({ ...doc, price: 'cheap' }));
    const r = await cli(['env', 'reward', '--webshop-json', wrong]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/price/);
  });
});

describe('the stepwise bin', () => {
  it('runs through bin/stepwise.mjs as a real process', () => {
    const out = execFileSync(
      process.execPath,
      [join(root, 'bin/stepwise.mjs'), 'env', 'play', '--env', 'household', '--split', 'unseen-test', '--task', '3', '--seed', '1', '--expert', '--json'],
      { encoding: 'utf8' },
    );
    expect(JSON.parse(out)).toMatchObject({ env: 'household', task: 3, seed: 1, won: true, reward: 1 });
  });
});
