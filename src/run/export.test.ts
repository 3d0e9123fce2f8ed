import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Mulberry32 } from '../core/random';
import { trajectory } from '../rl/test-trajectories';
import type { Trajectory } from '../rl/trajectory';
import { EXPORT_FORMATS, exportTrajectories, ImportError, importIntoStore, importTrajectories, type ExportFormat } from './export';
import { FileRunStore } from './persistence/file-store';

/** Varied trajectories: ragged lengths, candidate sets, some annotated, cut-off ones, odd text. */
function sample(seed: number, n: number): Trajectory[] {
  const rng = new Mulberry32(seed);
  return Array.from({ length: n }, (_, i) => {
    const R = rng.pick([0, 1, 0.25, 0.6]);
    const annotated = rng.chance(0.5);
    const specs = Array.from({ length: rng.int(1, 6) }, (_, k) => {
      const admissible = Array.from({ length: rng.int(1, 5) }, (_, j) => `act ${k}.${j} "quoted" \\ é ✓${rng.chance(0.2) ? '\ttab' : ''}`);
      return {
        admissible, action: rng.int(0, admissible.length - 1), valid: rng.chance(0.7), key: `s${rng.int(0, 3)}`,
        value: rng.next() - 0.5, observation: `You see <img src=x onerror=alert(1)> and a drawer ${k}.\nLine two.`,
        ...(annotated || (rng.chance(0.3) && k === 0) ? { progress: rng.next() - 0.2 } : {}),
      };
    });
    const t = trajectory(`it0/t${i}`, `task-${i % 3}`, R, specs, { iteration: rng.int(0, 3), seed: rng.int(0, 99) });
    t.steps.forEach((s) => { s.probs = s.admissible.map(() => 1 / s.admissible.length); s.logpOld = Math.log(s.probs[s.action]); });
    if (rng.chance(0.5)) t.envVersion = 'household-v3';
    if (rng.chance(0.5)) t.checkpoint = `ckpt-${i}`;
    if (rng.chance(0.3)) { t.steps[t.steps.length - 1].done = false; t.bootstrapValue = rng.next(); }
    return t;
  });
}

const tmpRoots: string[] = [];
afterAll(async () => {
  for (const d of tmpRoots) await fs.rm(d, { recursive: true, force: true });
});

function importErrorOf(text: string, format: ExportFormat): ImportError {
  try {
    importTrajectories(text, format);
  } catch (e) {
    if (e instanceof ImportError) return e;
    throw e;
  }
  throw new Error('expected an ImportError');
}

describe('export then import is lossless', () => {
  const trajs = sample(42, 40);
  for (const format of EXPORT_FORMATS) {
    it(format, () => {
      expect(importTrajectories(exportTrajectories(trajs, format), format)).toEqual(trajs);
    });
  }
});

describe('the exported shapes', () => {
  const t = trajectory('run/7', 'household:train:3', 1, [
    { observation: 'You are in a kitchen. Your task is to: heat a mug.', admissible: ['go to stove 1', 'look'], action: 0, progress: 0.25 },
    { observation: 'Nothing happens.', admissible: ['heat mug 1 with microwave 1'], action: 0, valid: false, progress: 0.75 },
  ], { iteration: 2 });

  it('spa: SPA-RL exploration items with turn values (the "OK" turn first)', () => {
    const [item] = JSON.parse(exportTrajectories([t, { ...t, id: 'run/8' }], 'spa')).slice(1) as Record<string, unknown>[];
    expect(item).toMatchObject({ id: 'household:train:3', iteration: 1, agent_final_reward: 1, success: true, turn_values: [0, 0.25, 0.75] });
    expect(item.conversations).toEqual([
      { from: 'human', value: expect.stringContaining('household') },
      { from: 'gpt', value: 'OK' },
      { from: 'human', value: 'You are in a kitchen. Your task is to: heat a mug.' },
      { from: 'gpt', value: 'Action: go to stove 1' },
      { from: 'human', value: 'Nothing happens.' },
      { from: 'gpt', value: 'Action: heat mug 1 with microwave 1' },
    ]);
  });

  it('sharegpt: id and conversations', () => {
    const [item] = JSON.parse(exportTrajectories([t], 'sharegpt')) as Record<string, unknown>[];
    expect(item.id).toBe('run/7');
    expect((item.conversations as unknown[]).length).toBe(6);
  });

  it('verl: input, output, gts, score, step per trajectory line', () => {
    const line = JSON.parse(exportTrajectories([t], 'verl').trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ input: 'You are in a kitchen. Your task is to: heat a mug.', gts: 'household:train:3', score: 1, step: 2, data_source: 'household', uid: 'run/7' });
    expect(line.output).toBe('assistant: Action: go to stove 1\nuser: Nothing happens.\nassistant: Action: heat mug 1 with microwave 1');
  });

  it('steps: a header line, then one line per step with the canonical fields and annotations', () => {
    const lines = exportTrajectories([t], 'steps', { runId: 'r1', annotate: (_t, i) => ({ advantage: i - 0.5, clipped: i === 1 }) })
      .trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ type: 'trajectory', run_id: 'r1', traj_id: 'run/7', final_reward: 1, steps: 2 });
    const canonical = ['run_id', 'traj_id', 'task_id', 'env', 'env_version', 'seed', 'step', 'observation', 'admissible_actions', 'llm_output',
      'action', 'is_action_valid', 'reward_env', 'done', 'won', 'state_key', 'progress_pred', 'grounding', 'reward_total', 'logprob_old',
      'value', 'advantage', 'ratio', 'clipped'];
    for (const k of canonical) expect(lines[2]).toHaveProperty(k);
    expect(lines[2]).toMatchObject({ step: 1, action: 'heat mug 1 with microwave 1', is_action_valid: false, grounding: 0, progress_pred: 0.75, advantage: 0.5, clipped: true, ratio: null });
  });
});

describe('import of files from the released SPA-RL code (no stepwise extension)', () => {
  const released = [{
    id: 'pick_and_place-12', iteration: 3, agent_final_reward: 1, success: 1,
    conversations: [
      { from: 'human', value: 'Interact with a household to solve a task. ...' },
      { from: 'gpt', value: 'OK' },
      { from: 'human', value: 'You are in the middle of a room. Your task is to: put a mug in desk.' },
      { from: 'gpt', value: 'Thought: I need a mug.\nAction: go to shelf 1' },
      { from: 'human', value: 'Observation: Nothing happens.' },
      { from: 'gpt', value: 'Thought: try the desk.\nAction: put mug 1 in/on desk 1' },
      { from: 'human', value: 'Observation: You put the mug 1 in/on the desk 1.' },
    ],
    turn_values: [0.01, 0.2, 0.8],
  }];

  it('reads observations, actions, validity by "Nothing happens", R on the last step, and ĉ from turn_values', () => {
    const [t] = importTrajectories(JSON.stringify(released), 'spa');
    expect(t).toMatchObject({ id: 'pick_and_place-12#3', taskId: 'pick_and_place-12', finalReward: 1, won: true });
    expect(t.steps.map((s) => s.admissible[s.action])).toEqual(['go to shelf 1', 'put mug 1 in/on desk 1']);
    expect(t.steps.map((s) => s.valid)).toEqual([false, true]);
    expect(t.steps.map((s) => s.reward)).toEqual([0, 1]);
    expect(t.steps.map((s) => s.progress)).toEqual([0.2, 0.8]);
    expect(t.steps[1]).toMatchObject({ done: true, won: true, probs: [1], logpOld: 0 });
  });
});

describe('malformed imports are rejected with what is wrong and where, and change nothing', () => {
  const good = sample(7, 3);
  const cases: [ExportFormat, (s: string) => string, RegExp][] = [
    ['spa', () => '{"id": 1', /cannot import spa data: not JSON/],
    ['spa', () => '{"id": 1}', /expected a JSON array of trajectories/],
    ['spa', (s) => s.replace(/"agent_final_reward": [\d.]+/, '"agent_final_reward": "high"'), /item 0 \(id "task-0"\): agent_final_reward: Invalid type: Expected number but received "high"/],
    ['spa', (s) => s.replace('"from": "gpt"', '"from": "bot"'), /item 0 \(id "task-0"\): conversations\[1\]\.from: /],
    ['spa', (s) => { const a = JSON.parse(s) as { turn_values?: number[] }[]; a[1].turn_values = [1, 2, 3, 4, 5, 6, 7, 8, 9]; return JSON.stringify(a); }, /item 1 .*turn_values has 9 values for \d+ steps/],
    ['sharegpt', (s) => { const a = JSON.parse(s) as { conversations: unknown[] }[]; a[2].conversations.splice(3, 1); return JSON.stringify(a); }, /item 2 \(id "it0\/t2"\): conversations\[\d+\] should be from/],
    ['sharegpt', (s) => { const a = JSON.parse(s) as { stepwise: { steps: { action: number }[] } }[]; a[0].stepwise.steps[0].action = 99; return JSON.stringify(a); }, /item 0 .*step 0: the conversation's action/],
    ['verl', (s) => s.split('\n').map((l, i) => (i === 1 ? l.replace('"score":', '"scor":') : l)).join('\n'), /line 2: score: /],
    ['verl', (s) => `${s}not json\n`, /line 4: not JSON/],
    ['steps', (s) => s.replace('"type":"step"', '"type":"stpe"'), /line 2: "type" must be "trajectory" or "step", got "stpe"/],
    ['steps', (s) => s.split('\n').filter((_, i) => i !== 1).join('\n'), /line \d+: step \d+ of trajectory it0\/t0, expected step 0|ends after/],
    ['steps', (s) => s.replace(/"probs":\[[^\]]*\]/, '"probs":[0.5,0.5,0.5,0.5,0.5,0.5,0.5]'), /trajectory it0\/t0 step 0: 7 probabilities/],
    ['steps', (s) => s.replace('"logprob_old":', '"logprob_old":"x","was":'), /line 2 \(step\): logprob_old: /],
    ['steps', (s) => s + s, /trajectory id "it0\/t0" occurs twice/],
    ['spa', () => '[]', /no trajectories in the input/],
  ];

  for (const [format, corrupt, message] of cases) {
    it(`${format}: ${message.source.slice(0, 60)}`, async () => {
      const bad = corrupt(exportTrajectories(good, format));
      expect(importErrorOf(bad, format).message).toMatch(message);
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stepwise-import-'));
      tmpRoots.push(dir);
      const store = await FileRunStore.openRunDir(dir);
      await store.appendTrajectories('r', good.slice(0, 1));
      await expect(importIntoStore(store, 'r', format, bad)).rejects.toThrow(ImportError);
      expect(await store.trajectories('r')).toEqual(good.slice(0, 1));
    });
  }

  it('a valid import lands in the store', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stepwise-import-'));
    tmpRoots.push(dir);
    const store = await FileRunStore.openRunDir(dir);
    await importIntoStore(store, 'r', 'steps', exportTrajectories(good, 'steps'));
    expect(await store.trajectories('r')).toEqual([...good].sort((a, b) => a.iteration - b.iteration));
  });
});
