import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { execute, type StepOutcome } from './executor';
import { describeGoal } from './goal';
import { parseAction } from './grammar';
import { hashString } from '../../core/hash';
import { SPLITS, virtualhomeSpec } from './index';
import { TEMPLATE_BY_ID } from './templates';
import { getTask, parseTaskId } from './tasks';
import { MAX_STEPS, NOTHING_HAPPENS, VirtualHomeEnv } from './virtualhome-env';
import type { World } from './world';

interface Transcript {
  task: string;
  seed: number;
  goal: string;
  steps: { action: string; observation: string; valid: boolean; reward: number; done: boolean }[];
  reward: number;
}

/** Plays the expert; with `inAdmissible`, also counts expert actions missing from the admissible list. */
function expertTranscript(env: VirtualHomeEnv, task: string, seed: number, inAdmissible?: { missing: string[] }): Transcript {
  const goal = env.reset(task, seed).goal;
  const steps: Transcript['steps'] = [];
  let reward = 0;
  for (let a = env.expert(); a !== null; a = env.expert()) {
    if (inAdmissible && !env.admissibleActions().includes(a)) inAdmissible.missing.push(`${task}: ${a}`);
    const r = env.step(a);
    steps.push({ action: a, observation: r.observation.text, valid: r.valid, reward: r.reward, done: r.done });
    reward = r.reward;
    if (r.done) break;
  }
  return { task, seed, goal, steps, reward };
}

/** A small deterministic generator for the fuzz and random-walk tests. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const GOLDEN = fileURLToPath(new URL('./fixtures/golden-expert.json', import.meta.url));
const GOLDEN_TASKS = ['watch_tv@apt0.0000', 'make_coffee@apt1.0001', 'wash_dishes@apt2.0002'];

describe('virtualhome env', () => {
  it('reproduces the golden expert transcripts', () => {
    const env = new VirtualHomeEnv();
    const routine = SPLITS['seen-test'].find((id) => id.startsWith('morning_routine@'))!;
    const got = [
      ...GOLDEN_TASKS.map((t) => expertTranscript(env, t, 0)),
      expertTranscript(env, SPLITS['unseen-test'][0], 7),
      expertTranscript(env, routine, 0),
    ];
    if (process.env.UPDATE_VH_GOLDEN === '1') writeFileSync(GOLDEN, JSON.stringify(got, null, 1) + '\n');
    const want = JSON.parse(readFileSync(GOLDEN, 'utf8')) as Transcript[];
    expect(got).toEqual(want);
    for (const t of want) expect(t.reward).toBe(1);
  });

  it('starts every episode with SPA\'s task sentence', () => {
    const env = new VirtualHomeEnv();
    const obs = env.reset('watch_tv@apt0.0000', 3);
    expect(obs.text).toBe('The task is Watch TV(Turn on the television, sit on the sofa and watch TV).');
    expect(obs.goal).toBe(obs.text);
  });

  it('is deterministic: same task and seed, same transcript, admissible lists and state keys', () => {
    const run = (env: VirtualHomeEnv) => {
      const rnd = lcg(99);
      const log: string[] = [];
      for (const id of SPLITS['seen-test'].slice(0, 25)) {
        log.push(env.reset(id, 5).text);
        for (let i = 0; i < 12; i++) {
          const adm = env.admissibleActions();
          log.push(adm.join('|'), env.stateKey());
          const r = env.step(adm[Math.floor(rnd() * adm.length)]);
          log.push(r.observation.text, String(r.valid), String(r.reward), String(r.done));
          if (r.done) break;
        }
      }
      return log;
    };
    const a = run(new VirtualHomeEnv());
    const b = run(new VirtualHomeEnv());
    expect(a).toEqual(b);
    // Resetting the same env to a task it played before starts from the same state.
    const env = new VirtualHomeEnv();
    env.reset('make_coffee@apt1.0001', 0);
    const k0 = env.stateKey();
    env.step('walk to kitchen');
    env.reset('make_coffee@apt1.0001', 1);
    expect(env.stateKey()).toBe(k0);
  });

  it('gives identical state keys to identical states and different keys to different ones', () => {
    const env = new VirtualHomeEnv();
    const id = 'watch_tv@apt0.0000';
    env.reset(id, 0);
    const start = env.stateKey();
    env.step('walk to sofa');
    env.step('walk to television');
    const k1 = env.stateKey();
    env.reset(id, 0);
    env.step('walk to television');
    env.step('walk to sofa');
    env.step('walk to television');
    expect(env.stateKey()).toBe(k1); // same edges, bindings and last object, reached differently
    expect(k1).not.toBe(start);
    env.step('switch on television');
    expect(env.stateKey()).not.toBe(k1);
    env.step('switch off television');
    expect(env.stateKey()).toBe(k1);
  });

  it('answers malformed and impossible actions with "Nothing happens." and valid=false, never throwing', () => {
    const env = new VirtualHomeEnv();
    env.reset('watch_tv@apt0.0000', 0);
    const junk = [
      '', ' ', '\n', 'walk', 'walk to', 'walk to ', 'walk to unicorn', 'grab', 'put', 'put  on ', 'put cup on',
      'pour into', 'stand up', 'sleep', 'release', 'Thought: hmm', 'Action:', '::::', '[WALK] <kitchen> (1)',
      'walk to kitchen; grab cup', '🙂', 'wälk tö kïtchen', 'x'.repeat(5000), ' '.repeat(300) + 'dance',
      'switch on switch on television', 'put television on sofa', 'grab sofa', 'watch sofa', 'constructor',
      '__proto__', 'toString', 'hasOwnProperty', 'grab __proto__', 'walk to constructor', 'open null',
      'grab undefined', 'walk to NaN', 'sit on toString',
    ];
    for (const a of junk) {
      const r = env.step(a);
      expect(r.valid, JSON.stringify(a)).toBe(false);
      expect(r.observation.text).toBe(NOTHING_HAPPENS);
      expect(r.reward).toBe(0);
      if (r.done) break;
    }
    // Non-string input from untyped callers is also just an invalid action.
    env.reset('watch_tv@apt0.0000', 0);
    for (const a of [null, undefined, 42, {}, ['walk to kitchen']] as unknown as string[]) {
      const r = env.step(a);
      expect(r.valid).toBe(false);
      expect(r.observation.text).toBe(NOTHING_HAPPENS);
    }
  });

  it('ends after 40 steps without success, and stays ended', () => {
    const env = new VirtualHomeEnv();
    env.reset('watch_tv@apt0.0000', 0);
    let r = env.step('dance');
    for (let i = 1; i < MAX_STEPS; i++) {
      expect(r.done).toBe(false);
      r = env.step(i % 2 ? 'walk to kitchen' : 'walk to bedroom');
    }
    expect(r.done).toBe(true);
    expect(r.reward).toBe(0);
    expect(r.won).toBe(false);
    const after = env.step('walk to living room');
    expect(after).toMatchObject({ done: true, valid: false, reward: 0, won: false });
    expect(after.observation.text).toBe(NOTHING_HAPPENS);
    expect(env.admissibleActions()).toEqual([]);
    expect(env.expert()).toBeNull();
  });

  it('is not won when the step limit comes before the last expert action', () => {
    const task = 'make_coffee@apt1.0001';
    const plan = expertTranscript(new VirtualHomeEnv(), task, 0).steps.map((s) => s.action);
    expect(plan.length).toBeGreaterThan(1);
    const short = new VirtualHomeEnv(plan.length - 1);
    short.reset(task, 0);
    const results = plan.slice(0, -1).map((a) => short.step(a));
    expect(results.every((r) => !r.won)).toBe(true);
    expect(results.at(-1)).toMatchObject({ done: true, reward: 0, won: false });
    expect(short.step(plan.at(-1)!)).toMatchObject({ done: true, valid: false, won: false });
    const exact = new VirtualHomeEnv(plan.length);
    exact.reset(task, 0);
    expect(plan.map((a) => exact.step(a)).at(-1)).toMatchObject({ done: true, reward: 1, won: true });
  });

  it('rejects unknown task ids and bad seeds with clear errors', () => {
    const env = new VirtualHomeEnv();
    expect(() => env.reset('watch_tv', 0)).toThrow(RangeError);
    expect(() => env.reset('fly_kite@apt0.0000', 0)).toThrow(/unknown task id/);
    expect(() => env.reset('watch_tv@apt9.0000', 0)).toThrow(/unknown task id/);
    expect(() => env.reset('watch_tv@apt0.0000', Number.NaN)).toThrow(TypeError);
    expect(() => new VirtualHomeEnv().step('walk to kitchen')).toThrow(/reset/);
  });

  it('survives a quick fuzz: random, mutated and admissible actions, with the contract holding', () => {
    const env = new VirtualHomeEnv();
    const rnd = lcg(2024);
    const words = ['walk', 'to', 'grab', 'put', 'on', 'in', 'into', 'pour', 'switch', 'off', 'the', 'sofa', 'cup',
      'kitchen', 'living', 'room', 'television', 'stand', 'up', 'sit', 'fridge', 'milk', ':', 'release', ''];
    const chars = 'abcdefghijklmnopqrstuvwxyz  _:<>()[]{}.,!?0123456789\t\nÄ😀';
    const ids = [...SPLITS['seen-test'].slice(0, 20), ...SPLITS['unseen-test'].slice(0, 20)];
    let steps = 0;
    let valid = 0;
    for (let ep = 0; steps < 20000; ep++) {
      env.reset(ids[ep % ids.length], ep);
      for (let t = 0; t < MAX_STEPS; t++) {
        const k = rnd();
        let a: string;
        if (k < 0.4) {
          const adm = env.admissibleActions();
          a = adm[Math.floor(rnd() * adm.length)];
        } else if (k < 0.7) {
          a = Array.from({ length: 1 + Math.floor(rnd() * 5) }, () => words[Math.floor(rnd() * words.length)]).join(' ');
        } else if (k < 0.85) {
          const adm = env.admissibleActions();
          const s = adm[Math.floor(rnd() * adm.length)];
          const i = Math.floor(rnd() * s.length);
          a = s.slice(0, i) + chars[Math.floor(rnd() * chars.length)] + s.slice(i + 1);
        } else {
          a = Array.from({ length: Math.floor(rnd() * 30) }, () => chars[Math.floor(rnd() * chars.length)]).join('');
        }
        const r = env.step(a);
        steps++;
        if (r.valid) valid++;
        else expect(r.observation.text).toBe(NOTHING_HAPPENS);
        expect(r.reward === 0 || (r.reward === 1 && r.done)).toBe(true);
        expect(r.won).toBe(r.reward === 1);
        expect(typeof env.stateKey()).toBe('string');
        if (r.done) break;
      }
    }
    expect(valid).toBeGreaterThan(steps * 0.3);
  });

  it('lists only admissible actions that execute validly', () => {
    // Check every listed action from many states reached by random admissible play: each one,
    // run on a copy of the world, must pass the executor's preconditions.
    const env = new VirtualHomeEnv(200);
    const rnd = lcg(7);
    const out: StepOutcome = { valid: false, program: null, reason: null };
    let checked = 0;
    for (const id of SPLITS['unseen-test'].slice(0, 40)) {
      env.reset(id, 0);
      for (let t = 0; t < 15; t++) {
        const adm = env.admissibleActions();
        expect(adm.length).toBeGreaterThan(0);
        expect(new Set(adm).size).toBe(adm.length);
        const world = (env as unknown as { world: World }).world;
        for (const a of adm) {
          const w = world.clone();
          const pa = parseAction(a);
          expect(pa, a).not.toBeNull();
          expect(execute(w, pa!, out), `${id} @${t}: ${a}: ${out.reason}`).toBe(true);
          checked++;
        }
        const r = env.step(adm[Math.floor(rnd() * adm.length)]);
        expect(r.valid).toBe(true);
        if (r.done) break;
      }
    }
    expect(checked).toBeGreaterThan(10000);
  });
});

describe('virtualhome tasks and expert', () => {
  it('the expert wins every task of both test splits within 40 steps, every action valid and admissible', () => {
    const env = new VirtualHomeEnv();
    const check = { missing: [] as string[] };
    for (const split of ['seen-test', 'unseen-test'] as const) {
      for (const id of SPLITS[split]) {
        const t = expertTranscript(env, id, 0, check);
        expect(t.reward, `${id}: ${t.steps.map((s) => s.action).join(' | ')}`).toBe(1);
        expect(t.steps.every((s) => s.valid)).toBe(true);
        expect(t.steps.length).toBeLessThanOrEqual(MAX_STEPS);
      }
    }
    // Behaviour cloning scores the expert's action among the admissible ones, so it must be there.
    expect(check.missing).toEqual([]);
  });

  it('the expert recovers after random play (with room to finish)', () => {
    const env = new VirtualHomeEnv(200);
    const rnd = lcg(31337);
    const ids = SPLITS['seen-test'].filter((_, i) => i % 2 === 0).concat(SPLITS['unseen-test'].filter((_, i) => i % 2 === 1));
    for (const id of ids) {
      env.reset(id, 0);
      let r = null;
      const k = 1 + Math.floor(rnd() * 20);
      for (let i = 0; i < k && !r?.done; i++) {
        const adm = env.admissibleActions();
        r = env.step(adm[Math.floor(rnd() * adm.length)]);
      }
      for (let n = 0; n < 100 && !r?.done; n++) {
        const a = env.expert();
        expect(a, `${id} after ${k} random steps`).not.toBeNull();
        expect(env.admissibleActions(), `${id}: ${a}`).toContain(a);
        r = env.step(a!);
        expect(r.valid, `${id}: ${a}`).toBe(true);
      }
      expect(r?.reward, id).toBe(1);
    }
  });

  it('replaying a task\'s reference program from reset wins it', () => {
    const env = new VirtualHomeEnv();
    for (const id of [...SPLITS['seen-test'], ...SPLITS['unseen-test']].filter((_, i) => i % 3 === 0)) {
      const task = getTask(id);
      env.reset(id, 0);
      let r = null;
      for (const a of task.program) {
        r = env.step(a);
        expect(r.valid, `${id}: ${a}`).toBe(true);
        if (r.done) break; // the goal can hold before the program's last tidy-up step
      }
      expect(r?.reward, id).toBe(1);
    }
  });

  it('has at least 50 templates, and goals that are graph predicates', () => {
    expect(TEMPLATE_BY_ID.size).toBeGreaterThanOrEqual(50);
    const t = getTask('watch_tv@apt0.0000');
    expect(describeGoal(t.init, t.goal)).toEqual([
      'character is {SITTING}',
      expect.stringMatching(/^television\(\d+\) is \{ON, PLUGGED_IN\}$/),
      expect.stringMatching(/^character ON sofa\(\d+\)$/),
      expect.stringMatching(/^character FACING television\(\d+\)$/),
    ]);
  });
});

describe('virtualhome splits', () => {
  it('are frozen, sized as SPA\'s (247 seen, 247 unseen) and disjoint from train', () => {
    expect(SPLITS['seen-test'].length).toBe(247);
    expect(SPLITS['unseen-test'].length).toBe(247);
    expect(SPLITS.train.length).toBeGreaterThanOrEqual(1500);
    const all = [...SPLITS.train, ...SPLITS['seen-test'], ...SPLITS['unseen-test']];
    expect(new Set(all).size).toBe(all.length);
    const trainScenes = new Set(SPLITS.train.map((id) => id.split('@')[1]));
    for (const id of SPLITS['seen-test']) {
      const { template, family } = parseTaskId(id);
      expect(template.unseen).toBeFalsy();
      expect(['apt5', 'apt6']).not.toContain(family);
      expect(trainScenes.has(id.split('@')[1])).toBe(false); // new layouts
    }
    let heldOutTemplates = 0;
    for (const id of SPLITS['unseen-test']) {
      const { template, family } = parseTaskId(id);
      expect(template.unseen || family === 'apt5' || family === 'apt6', id).toBe(true);
      if (template.unseen) heldOutTemplates++;
    }
    expect(heldOutTemplates).toBeGreaterThanOrEqual(100);
    for (const id of SPLITS.train) {
      const { template, family } = parseTaskId(id);
      expect(template.unseen || family === 'apt5' || family === 'apt6', id).toBe(false);
    }
  });

  it('match what the generator draws today (change the generator => new split version)', async () => {
    const { generateSplits } = await import('./split-gen');
    const frozen = JSON.parse(readFileSync(fileURLToPath(new URL('./splits.v1.json', import.meta.url)), 'utf8'));
    expect(generateSplits()).toEqual(frozen);
  });

  it('pin the content of the test tasks (initial graphs, sentences, goals, programs)', () => {
    // If this changes, the generated worlds changed: bump VIRTUALHOME_VERSION (and, if task
    // membership moved, the split version) and update the pin.
    let h = '';
    for (const id of [...SPLITS['seen-test'], ...SPLITS['unseen-test']]) {
      const t = getTask(id);
      h = hashString(h + id + t.sentence + describeGoal(t.init, t.goal).join(';') + t.program.join('|') + t.init.digest()).toString(16);
    }
    expect(h).toBe('4fe53437');
  });

  it('spec: sizes, task refs, aliases and range errors', () => {
    expect(virtualhomeSpec.name).toBe('virtualhome');
    expect(virtualhomeSpec.maxSteps).toBe(40);
    expect(virtualhomeSpec.splits).toEqual({ train: SPLITS.train.length, 'seen-test': 247, 'unseen-test': 247 });
    expect(virtualhomeSpec.task('seen-test', 0)).toEqual({ id: SPLITS['seen-test'][0], label: expect.stringMatching(/\(apt\d\.\d{4}\)$/) });
    expect(virtualhomeSpec.task('test', 3).id).toBe(SPLITS['unseen-test'][3]);
    expect(virtualhomeSpec.task('seen' as 'seen-test', 3).id).toBe(SPLITS['seen-test'][3]);
    expect(() => virtualhomeSpec.task('seen-test', 247)).toThrow(/0\.\.246/);
    expect(() => virtualhomeSpec.task('seen-test', -1)).toThrow(RangeError);
    expect(() => virtualhomeSpec.task('dev' as 'train', 0)).toThrow(/unknown split/);
    const env = virtualhomeSpec.create();
    expect(env.version).toBe(virtualhomeSpec.version);
  });
});
