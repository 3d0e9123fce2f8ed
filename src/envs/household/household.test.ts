import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { playEpisode, type Transcript } from '../play';
import { Mulberry32, type SeededRng } from '../../core/random';
import { taskFor } from './generate';
import { HOUSEHOLD_MAX_STEPS, HouseholdEnv, NOTHING_HAPPENS } from './household-env';
import { householdSpec } from './index';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** Play the expert to the end; returns the actions. */
function solve(env: HouseholdEnv): string[] {
  const actions: string[] = [];
  let a: string | null;
  while ((a = env.expert()) !== null) {
    actions.push(a);
    env.step(a);
  }
  return actions;
}

describe('household: observations and feedback', () => {
  it('opens with the room overview and the task, ALFWorld style', () => {
    const env = new HouseholdEnv();
    const obs = env.reset(householdSpec.task('seen-test', 0).id, 0);
    expect(obs.text).toMatch(
      /^You are in the middle of a room\. Looking quickly around you, you see (a [a-z]+ \d+, )+and a [a-z]+ \d+\.\n\nYour task is to: .+\.$/,
    );
    expect(obs.goal).toBe('Your task is to: put a hot apple in fridge.');
    expect(obs.text.endsWith(obs.goal)).toBe(true);
    // ALFWorld lists receptacles with numbers counting down within each type.
    expect(obs.text).toContain('a cabinet 4, a cabinet 3, a cabinet 2, a cabinet 1, a coffeemachine 1');
  });

  it('uses the TextWorld templates for every command', () => {
    const env = new HouseholdEnv();
    env.reset('seen:0', 0);
    const say = (a: string): string => env.step(a).observation.text;
    expect(say('go to cabinet 4')).toBe('You arrive at cabinet 4. The cabinet 4 is closed.');
    expect(say('open cabinet 4')).toBe('You open the cabinet 4. The cabinet 4 is open. In it, you see a bowl 1.');
    expect(say('take bowl 1 from cabinet 4')).toBe('You pick up the bowl 1 from the cabinet 4.');
    expect(say('examine cabinet 4')).toBe('The cabinet 4 is open. In it, you see nothing.');
    expect(say('inventory')).toBe('You are carrying: a bowl 1.');
    expect(say('close cabinet 4')).toBe('You close the cabinet 4.');
    expect(say('go to countertop 1')).toBe(
      'You arrive at countertop 1. On the countertop 1, you see a apple 1, a butterknife 1, a plate 1, and a tomato 1.',
    );
    expect(say('put bowl 1 in/on countertop 1')).toBe('You put the bowl 1 in/on the countertop 1.');
    expect(say('examine countertop 1')).toBe(
      'On the countertop 1, you see a apple 1, a bowl 1, a butterknife 1, a plate 1, and a tomato 1.',
    );
    expect(say('go to microwave 1')).toBe('You arrive at microwave 1. The microwave 1 is closed.');
    expect(say('open microwave 1')).toBe('You open the microwave 1. The microwave 1 is open. In it, you see a apple 2, and a bowl 2.');
    expect(say('go to countertop 1')).toMatch(/^You arrive at countertop 1\./);
    expect(say('look')).toBe('You are facing the countertop 1. Next to it, you see nothing.');
    expect(say('inventory')).toBe('You are not carrying anything.');
    expect(say('take tomato 1 from countertop 1')).toBe('You pick up the tomato 1 from the countertop 1.');
    expect(say('examine tomato 1')).toBe("There's nothing special about tomato 1.");
    expect(say('go to microwave 1')).toBe('You arrive at microwave 1. The microwave 1 is open. In it, you see a apple 2, and a bowl 2.');
    expect(say('heat tomato 1 with microwave 1')).toBe('You heat the tomato 1 using the microwave 1.');
    expect(say('examine tomato 1')).toBe('This is a hot tomato 1.');
    expect(say('go to sinkbasin 1')).toBe('You arrive at sinkbasin 1. On the sinkbasin 1, you see nothing.');
    expect(say('clean tomato 1 with sinkbasin 1')).toBe('You clean the tomato 1 using the sinkbasin 1.');
    expect(say('examine tomato 1')).toBe('This is a hot and clean tomato 1.');
    expect(say('go to fridge 1')).toBe('You arrive at fridge 1. The fridge 1 is closed.');
    expect(say('cool tomato 1 with fridge 1')).toBe('You cool the tomato 1 using the fridge 1.');
    expect(say('examine tomato 1')).toBe('This is a cool and clean tomato 1.');
  });

  it('lamps: desklamps stand on receptacles, floorlamps beside them, and `use` toggles them', () => {
    // Find a layout with a floorlamp to check the "Next to it" clause.
    const env = new HouseholdEnv();
    let found = false;
    for (let i = 0; i < 200 && !found; i++) {
      const def = taskFor(householdSpec.task('train', i).id);
      const lamp = def.objName.findIndex((n, o) => n.startsWith('floorlamp') && def.lampNextTo[o] === 1);
      if (lamp < 0) continue;
      found = true;
      env.reset(def.id, 0);
      const host = def.recName[def.lampRec[lamp]];
      const arrive = env.step(`go to ${host}`).observation.text;
      expect(arrive).not.toContain('floorlamp');
      expect(env.step('look').observation.text).toBe(`You are facing the ${host}. Next to it, you see a ${def.objName[lamp]}.`);
      expect(env.admissibleActions()).toContain(`use ${def.objName[lamp]}`);
      const r = env.step(`use ${def.objName[lamp]}`);
      expect(r.valid).toBe(true);
      if (!r.done) {
        expect(r.observation.text).toBe(`You turn on the ${def.objName[lamp]}.`);
        expect(env.step(`use ${def.objName[lamp]}`).observation.text).toBe(`You turn off the ${def.objName[lamp]}.`);
      }
    }
    expect(found).toBe(true);
  });

  it('answers anything invalid with "Nothing happens." and valid=false', () => {
    const env = new HouseholdEnv();
    env.reset('seen:0', 0);
    for (const a of [
      '', '   ', 'xyzzy', 'open cabinet 4', 'take apple 1 from countertop 1', 'go to cabinet 99', 'go to',
      'put apple 1 in countertop 1', 'put apple 1 on countertop 1', 'heat', 'examine apple 1', 'use desklamp 1',
      'look around', 'inventory please', 'go  to', 'take  from ', 'move  to ', '\u0000', 'go to cabinet 1.',
    ]) {
      const r = env.step(a);
      expect(r.valid, a).toBe(false);
      expect(r.observation.text, a).toBe(NOTHING_HAPPENS);
      expect(r.reward).toBe(0);
    }
  });

  it('normalises case and spacing, as a typed command would be', () => {
    const env = new HouseholdEnv();
    env.reset('seen:0', 0);
    const r = env.step('  Go   TO\tCountertop 1 ');
    expect(r.valid).toBe(true);
    expect(r.observation.text).toMatch(/^You arrive at countertop 1\./);
  });

  it('holds at most one object', () => {
    const env = new HouseholdEnv();
    env.reset('seen:0', 0);
    env.step('go to countertop 1');
    expect(env.step('take apple 1 from countertop 1').valid).toBe(true);
    const r = env.step('take tomato 1 from countertop 1');
    expect(r.valid).toBe(false);
    expect(env.admissibleActions().some((a) => a.startsWith('take '))).toBe(false);
  });

  it('cannot see into or take from a closed receptacle, nor put into one', () => {
    const env = new HouseholdEnv();
    env.reset('seen:0', 0);
    env.step('go to cabinet 4');
    expect(env.step('take bowl 1 from cabinet 4').valid).toBe(false);
    env.step('open cabinet 4');
    env.step('take bowl 1 from cabinet 4');
    env.step('close cabinet 4');
    expect(env.step('put bowl 1 in/on cabinet 4').valid).toBe(false);
    expect(env.step('move bowl 1 to cabinet 4').valid).toBe(false);
    env.step('open cabinet 4');
    expect(env.step('move bowl 1 to cabinet 4').observation.text).toBe('You put the bowl 1 in/on the cabinet 4.');
  });

  it('gives reward 1 and done on the winning step, 0 before', () => {
    const env = new HouseholdEnv();
    env.reset('seen:0', 0);
    const rewards: number[] = [];
    let a: string | null;
    let last = null;
    while ((a = env.expert()) !== null) {
      last = env.step(a);
      rewards.push(last.reward);
    }
    expect(rewards.at(-1)).toBe(1);
    expect(rewards.slice(0, -1).every((r) => r === 0)).toBe(true);
    expect(last?.done).toBe(true);
    expect(last?.won).toBe(true);
    expect(env.admissibleActions()).toEqual([]);
    const after = env.step('look');
    expect(after).toMatchObject({ valid: false, done: true, reward: 0, won: false });
  });

  it(`ends after ${HOUSEHOLD_MAX_STEPS} steps with reward 0`, () => {
    const env = new HouseholdEnv();
    env.reset('seen:0', 0);
    for (let i = 1; i <= HOUSEHOLD_MAX_STEPS; i++) {
      const r = env.step(i % 2 ? 'look' : 'nonsense');
      expect(r.done).toBe(i === HOUSEHOLD_MAX_STEPS);
      expect(r.reward).toBe(0);
      expect(r.won).toBe(false);
      if (r.done) expect(r.info).toMatchObject({ truncated: true });
    }
    expect(env.expert()).toBeNull();
  });

  it('is not won when the winning action comes one step too late', () => {
    const probe = new HouseholdEnv();
    probe.reset('seen:0', 0);
    const plan = solve(probe);
    // Waste steps first so the expert's last action lands after the limit: truncated, never won.
    const env = new HouseholdEnv();
    env.reset('seen:0', 0);
    const waste = HOUSEHOLD_MAX_STEPS - plan.length + 1;
    const results = [...Array.from({ length: waste }, () => env.step('look')), ...plan.slice(0, -1).map((a) => env.step(a))];
    expect(results).toHaveLength(HOUSEHOLD_MAX_STEPS);
    expect(results.every((r) => !r.won)).toBe(true);
    expect(results.at(-1)).toMatchObject({ done: true, reward: 0, won: false, info: { truncated: true } });
    // One step earlier, the same plan wins on its last action.
    const tight = new HouseholdEnv();
    tight.reset('seen:0', 0);
    for (let i = 0; i < waste - 1; i++) tight.step('look');
    const last = plan.map((a) => tight.step(a)).at(-1);
    expect(last).toMatchObject({ done: true, reward: 1, won: true });
  });
});

describe('household: admissible commands', () => {
  // A well-formed but arbitrary command over this task's names, to probe non-admissible ones.
  function randomCommand(rng: SeededRng, env: HouseholdEnv, taskId: string): string {
    const def = taskFor(taskId);
    const o = rng.pick(def.objName);
    const r = rng.pick(def.recName);
    switch (rng.int(0, 12)) {
      case 0: return `go to ${r}`;
      case 1: return `open ${r}`;
      case 2: return `close ${r}`;
      case 3: return `take ${o} from ${r}`;
      case 4: return `put ${o} in/on ${r}`;
      case 5: return `move ${o} to ${r}`;
      case 6: return `examine ${rng.next() < 0.5 ? o : r}`;
      case 7: return `use ${o}`;
      case 8: return `heat ${o} with ${r}`;
      case 9: return `clean ${o} with ${r}`;
      case 10: return `cool ${o} with ${r}`;
      case 11: return rng.next() < 0.5 ? 'look' : 'inventory';
      default: return rng.pick(env.admissibleActions());
    }
  }

  it('a command is valid exactly when it is admissible (move X to Y as put X in/on Y)', () => {
    const env = new HouseholdEnv();
    const rng = new Mulberry32(7);
    let checked = 0;
    let validCount = 0;
    for (let t = 0; t < 300; t++) {
      const id = householdSpec.task('train', t).id;
      env.reset(id, t);
      for (let s = 0; s < HOUSEHOLD_MAX_STEPS; s++) {
        const adm = env.admissibleActions();
        const cmd = rng.next() < 0.5 ? rng.pick(adm) : randomCommand(rng, env, id);
        const m = /^move (.+) to (.+)$/.exec(cmd);
        const canonical = m ? `put ${m[1]} in/on ${m[2]}` : cmd;
        const r = env.step(cmd);
        expect(r.valid, `${id} ${cmd}`).toBe(adm.includes(canonical));
        if (!r.valid) expect(r.observation.text).toBe(NOTHING_HAPPENS);
        checked++;
        if (r.valid) validCount++;
        if (r.done) break;
      }
    }
    expect(checked).toBeGreaterThan(5000);
    // Both outcomes must be well represented for the check to mean something.
    expect(validCount / checked).toBeGreaterThan(0.3);
    expect(validCount / checked).toBeLessThan(0.9);
  });

  it('are sorted, unique, and include look and inventory', () => {
    const env = new HouseholdEnv();
    const rng = new Mulberry32(3);
    for (let t = 0; t < 100; t++) {
      env.reset(householdSpec.task('train', t).id, 0);
      for (let s = 0; s < 30; s++) {
        const adm = env.admissibleActions();
        expect(adm).toEqual([...adm].sort());
        expect(new Set(adm).size).toBe(adm.length);
        expect(adm).toContain('look');
        expect(adm).toContain('inventory');
        if (env.step(rng.pick(adm)).done) break;
      }
    }
  });

  it('returns a fresh array each call', () => {
    const env = new HouseholdEnv();
    env.reset('train:0', 0);
    const a = env.admissibleActions();
    a.length = 0;
    expect(env.admissibleActions().length).toBeGreaterThan(2);
  });
});

describe('household: determinism and state keys', () => {
  function randomTranscript(taskId: string, seed: number, policySeed: number): string[] {
    const env = new HouseholdEnv();
    const rng = new Mulberry32(policySeed);
    const out = [env.reset(taskId, seed).text];
    for (let i = 0; i < 40; i++) {
      const r = env.step(rng.pick(env.admissibleActions()));
      out.push(r.observation.text, String(r.valid), String(r.reward), env.stateKey());
      if (r.done) break;
    }
    return out;
  }

  it('the same task and seed give the same episode', () => {
    for (let t = 0; t < 20; t++) {
      const id = householdSpec.task('unseen-test', t).id;
      expect(randomTranscript(id, 5, t)).toEqual(randomTranscript(id, 5, t));
    }
  });

  it('the episode seed moves the objects, not the room or the goal', () => {
    const env = new HouseholdEnv();
    let differs = 0;
    for (let t = 0; t < 20; t++) {
      const id = householdSpec.task('train', t).id;
      const a = env.reset(id, 1);
      const placeA = env.snapshot().objLoc.join();
      const b = env.reset(id, 2);
      const placeB = env.snapshot().objLoc.join();
      expect(a).toEqual(b);
      if (placeA !== placeB) differs++;
    }
    expect(differs).toBeGreaterThan(15);
  });

  it('state keys depend on the state, not on the path to it', () => {
    const env = new HouseholdEnv();
    env.reset('seen:0', 0);
    const start = env.stateKey();
    env.step('look');
    env.step('inventory');
    env.step('nonsense');
    expect(env.stateKey()).toBe(start);
    env.step('go to cabinet 4');
    const atCabinet = env.stateKey();
    expect(atCabinet).not.toBe(start);
    env.step('open cabinet 4');
    const open = env.stateKey();
    expect(open).not.toBe(atCabinet);
    env.step('close cabinet 4');
    expect(env.stateKey()).toBe(atCabinet);
    env.step('go to fridge 1');
    env.step('go to cabinet 4');
    expect(env.stateKey()).toBe(atCabinet);
    env.step('open cabinet 4');
    env.step('take bowl 1 from cabinet 4');
    const holding = env.stateKey();
    env.step('put bowl 1 in/on cabinet 4');
    expect(env.stateKey()).toBe(open);
    env.step('take bowl 1 from cabinet 4');
    expect(env.stateKey()).toBe(holding);
    env.step('go to sinkbasin 1');
    env.step('clean bowl 1 with sinkbasin 1');
    env.step('go to cabinet 4');
    expect(env.stateKey()).not.toBe(holding);
    // Another task never shares keys.
    env.reset('seen:1', 0);
    expect(env.stateKey()).not.toBe(start);
  });
});

describe('household: golden transcripts', () => {
  const goldens: { file: string; split: 'seen-test' | 'unseen-test'; index: number; actions?: string }[] = [
    { file: 'expert-seen-test-0.json', split: 'seen-test', index: 0 },
    { file: 'expert-seen-test-1.json', split: 'seen-test', index: 1 },
    { file: 'expert-seen-test-2.json', split: 'seen-test', index: 2 },
    { file: 'expert-seen-test-7.json', split: 'seen-test', index: 7 },
    { file: 'expert-seen-test-15.json', split: 'seen-test', index: 15 },
    { file: 'expert-seen-test-22.json', split: 'seen-test', index: 22 },
    { file: 'expert-unseen-test-3.json', split: 'unseen-test', index: 3 },
    { file: 'tour-seen-test-0.json', split: 'seen-test', index: 0, actions: 'tour-seen-test-0.actions.txt' },
  ];
  for (const g of goldens) {
    it(`${g.file} is unchanged`, () => {
      const policy = g.actions
        ? { kind: 'actions' as const, actions: readFileSync(here(`./golden/${g.actions}`), 'utf8').split('\n').filter((l) => l.length > 0) }
        : { kind: 'expert' as const };
      const got = playEpisode(householdSpec, g.split, g.index, 0, policy);
      const path = here(`./golden/${g.file}`);
      if (UPDATE) writeFileSync(path, JSON.stringify(got, null, 2) + '\n');
      const want = JSON.parse(readFileSync(path, 'utf8')) as Transcript;
      expect(got).toEqual(want);
      expect(got.won).toBe(true);
    });
  }

  it('the tour covers every verb, the alias and invalid commands', () => {
    const t = JSON.parse(readFileSync(here('./golden/tour-seen-test-0.json'), 'utf8')) as Transcript;
    const verbs = new Set(t.steps.filter((s) => s.valid).map((s) => s.action.toLowerCase().split(' ')[0]));
    for (const v of ['look', 'inventory', 'go', 'open', 'close', 'take', 'put', 'move', 'examine', 'heat', 'clean', 'cool']) {
      expect(verbs, v).toContain(v);
    }
    expect(t.steps.filter((s) => !s.valid).length).toBeGreaterThanOrEqual(5);
  });
});

describe('household: expert', () => {
  it('recovers after random detours (ALFWorld-style solvability check)', () => {
    const env = new HouseholdEnv();
    const rng = new Mulberry32(11);
    for (const split of ['seen-test', 'unseen-test'] as const) {
      for (let i = 0; i < householdSpec.splits[split]!; i++) {
        env.reset(householdSpec.task(split, i).id, i);
        const detour = rng.int(1, 12);
        let done = false;
        for (let k = 0; k < detour && !done; k++) done = env.step(rng.pick(env.admissibleActions())).done;
        if (done) continue; // a random walk that happens to win is fine too
        const acts = solve(env);
        expect(env.isWon, `${split} ${i} after ${detour} random steps: ${acts.join(' | ')}`).toBe(true);
      }
    }
  });

  it('only ever suggests admissible commands', () => {
    const env = new HouseholdEnv();
    for (let i = 0; i < 200; i++) {
      env.reset(householdSpec.task('train', i).id, 3);
      let a: string | null;
      while ((a = env.expert()) !== null) {
        expect(env.admissibleActions()).toContain(a);
        env.step(a);
      }
      expect(env.isWon).toBe(true);
    }
  });
});
