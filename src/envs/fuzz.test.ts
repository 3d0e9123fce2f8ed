// Fuzzing every registered environment: 100k random and malformed action strings in total.
// No step may throw, and every invalid action must get valid=false and the environment's own
// invalid-action answer.

import { describe, expect, it } from 'vitest';
import type { SplitName } from './env';
import { ENV_REGISTRY } from './registry';
import { xorshift32 } from '../core/random';

const TOTAL_ACTIONS = 100_000;

/**
 * How each environment answers an invalid action. ALFWorld (TextWorld) and VirtualHome print
 * "Nothing happens."; WebShop performs nothing and shows the same page again.
 */
const INVALID_ANSWER: Record<string, (text: string, previous: string) => boolean> = {
  household: (text) => text === 'Nothing happens.',
  virtualhome: (text) => text === 'Nothing happens.',
  webshop: (text, previous) => text === previous,
};

const NASTY = [
  '', ' ', '\t', '\n', '\r\n', '\u0000', '\uffff', '\ud800', '\udfff', '🙂', '𝔤𝔬 𝔱𝔬', 'ｇｏ ｔｏ', 'İ', 'ß', '\u202e',
  'search[', 'search[]', 'search[ ]', 'click[', 'click[]', 'click[ ]', 'click[[]]', 'click[buy now', '[SEP]', ' [SEP] ',
  'Action: look', 'Thought: hmm\nAction: look', '<think></think><action>look</action>', '<script>alert(1)</script>',
  '${process.exit(1)}', '{{7*7}}', '%s%s%s%n', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'null',
  'undefined', 'NaN', '-1', '1e309', 'go to', 'go to ', 'take', 'take  from ', 'put  in/on ', 'move to', 'open',
  'walk to', 'grab', 'put', 'put in', 'switch on', 'look look', 'inventory inventory', 'help', 'quit', 'reset',
];

function mutate(s: string, rnd: () => number): string {
  const i = Math.floor(rnd() * (s.length + 1));
  const ch = String.fromCharCode(32 + Math.floor(rnd() * 95));
  switch (Math.floor(rnd() * 12)) {
    case 0: return s.slice(0, i) + s.slice(i + 1); // delete
    case 1: return s.slice(0, i) + ch + s.slice(i); // insert
    case 2: return s.slice(0, i) + ch + s.slice(i + 1); // replace
    case 3: return s.slice(0, i); // truncate
    case 4: return s.toUpperCase();
    case 5: return `  ${s.replace(/ /g, '   ')}  `;
    case 6: return s + '.';
    case 7: return s.split(' ').reverse().join(' ');
    case 8: return s + ' ' + s;
    case 9: return s.replace(/\d+/g, (d) => String(Number(d) + 1 + Math.floor(rnd() * 20)));
    case 10: return s.replace(/\[|\]/g, '');
    default: return s + '\u0000' + ch;
  }
}

function randomString(rnd: () => number): string {
  const n = Math.floor(rnd() * (rnd() < 0.05 ? 5000 : 40));
  let s = '';
  const wide = rnd() < 0.3;
  for (let i = 0; i < n; i++) {
    s += String.fromCharCode(wide ? Math.floor(rnd() * 0x10000) : 32 + Math.floor(rnd() * 95));
  }
  return s;
}

function fuzzAction(rnd: () => number, admissible: string[]): string {
  const r = rnd();
  if (r < 0.25 && admissible.length > 0) return admissible[Math.floor(rnd() * admissible.length)];
  if (r < 0.6 && admissible.length > 0) {
    let s = admissible[Math.floor(rnd() * admissible.length)];
    const k = 1 + Math.floor(rnd() * 3);
    for (let j = 0; j < k; j++) s = mutate(s, rnd);
    return s;
  }
  if (r < 0.8) return randomString(rnd);
  const base = NASTY[Math.floor(rnd() * NASTY.length)];
  return rnd() < 0.5 ? base : mutate(base, rnd);
}

describe('fuzzing every registered environment', () => {
  const specs = [...ENV_REGISTRY.values()];
  const perEnv = Math.ceil(TOTAL_ACTIONS / specs.length);

  it('every registered environment has a known invalid-action answer', () => {
    for (const s of specs) expect(INVALID_ANSWER[s.name], s.name).toBeTypeOf('function');
  });

  for (const spec of specs) {
    it(`${spec.name}: ${perEnv} random and malformed actions, zero exceptions`, () => {
      const rnd = xorshift32(0x5eed + spec.name.length);
      const isInvalidAnswer = INVALID_ANSWER[spec.name];
      const env = spec.create();
      const splits = Object.keys(spec.splits) as SplitName[];
      let task = 0;
      let previous = '';
      let invalid = 0;
      let valid = 0;
      let episodes = 0;
      const start = (): void => {
        const split = splits[task % splits.length];
        const size = spec.splits[split] ?? 0;
        const ref = spec.task(split, Math.floor(task / splits.length) % size);
        previous = env.reset(ref.id, task).text;
        task++;
        episodes++;
      };
      start();
      for (let i = 0; i < perEnv; i++) {
        const adm = env.admissibleActions();
        const action = fuzzAction(rnd, adm);
        const r = env.step(action);
        const where = `${spec.name} step ${i}: ${JSON.stringify(action.slice(0, 80))}`;
        if (typeof r.observation.text !== 'string' || typeof r.valid !== 'boolean' || typeof r.done !== 'boolean') {
          expect.fail(`${where}: malformed result ${JSON.stringify(r).slice(0, 200)}`);
        }
        if (!(r.reward >= 0 && r.reward <= 1)) expect.fail(`${where}: reward ${r.reward}`);
        if (!r.valid) {
          invalid++;
          if (r.reward !== 0) expect.fail(`${where}: invalid action earned reward ${r.reward}`);
          if (!isInvalidAnswer(r.observation.text, previous)) {
            expect.fail(`${where}: invalid action answered ${JSON.stringify(r.observation.text.slice(0, 200))}`);
          }
        } else valid++;
        env.stateKey();
        previous = r.observation.text;
        if (r.done) start();
      }
      // The stream must exercise both branches.
      expect(valid).toBeGreaterThan(perEnv * 0.1);
      expect(invalid).toBeGreaterThan(perEnv * 0.3);
      expect(episodes).toBeGreaterThan(10);
    });
  }
});
