import { describe, expect, it } from 'vitest';
import { V, VERB_NAMES, formatAction, parseAction } from './grammar';

const p = (s: string) => {
  const r = parseAction(s);
  return r ? [VERB_NAMES[r.verb], ...r.args] : null;
};

describe('virtualhome grammar (SPA str2program_list)', () => {
  it('matches the natural-language templates, spaces in names becoming underscores', () => {
    expect(p('walk to kitchen')).toEqual(['WALK', 'kitchen']);
    expect(p('run to living room')).toEqual(['RUN', 'living_room']);
    expect(p('put cup on kitchen counter')).toEqual(['PUTBACK', 'cup', 'kitchen_counter']);
    expect(p('put milk in fridge')).toEqual(['PUTIN', 'milk', 'fridge']);
    expect(p('pour milk into cup')).toEqual(['POUR', 'milk', 'cup']);
    expect(p('switch on television')).toEqual(['SWITCHON', 'television']);
    expect(p('plug out toaster')).toEqual(['PLUGOUT', 'toaster']);
    expect(p('stand up')).toEqual(['STANDUP']);
    expect(p('wake up')).toEqual(['WAKEUP']);
    expect(p('put back cup')).toEqual(['PUTOBJBACK', 'cup']);
    expect(p('put on clothes shirt')).toEqual(['PUTON', 'clothes_shirt']);
    expect(p('take off shoes')).toEqual(['PUTOFF', 'shoes']);
  });

  it('lower-cases, trims, and keeps only what follows the first colon', () => {
    expect(p('  Walk To Kitchen  ')).toEqual(['WALK', 'kitchen']);
    expect(p('Action: grab cup')).toEqual(['GRAB', 'cup']);
    // Only the first colon counts: "x: open fridge" is left, which is no command.
    expect(p('Thought: x: open fridge')).toBeNull();
  });

  it('falls back to splitting words when no single template matches', () => {
    // The "release" template takes no argument, so only the fallback reaches RELEASE.
    expect(p('release')).toBeNull();
    expect(p('release cup')).toEqual(['RELEASE', 'cup']);
    // Two-word names break the fallback: three words read as two arguments.
    expect(p('release clothes shirt')).toBeNull();
    expect(p('release video game controller')).toEqual(['RELEASE', 'video_game_controller']);
    expect(p('switchon tv')).toEqual(['SWITCHON', 'tv']);
    expect(p('putin cup sink')).toEqual(['PUTIN', 'cup', 'sink']);
    expect(p('standup')).toEqual(['STANDUP']);
    expect(p('walk kitchen')).toEqual(['WALK', 'kitchen']);
  });

  it('rejects ambiguous lines, unknown verbs and wrong argument counts', () => {
    expect(p('put cup in box on table')).toBeNull(); // PUTIN and PUTBACK both match
    expect(p('dance')).toBeNull();
    expect(p('walk')).toBeNull(); // [WALK] with no argument
    expect(p('grab')).toBeNull();
    expect(p('put cup')).toBeNull();
    expect(p('')).toBeNull();
    expect(p('   ')).toBeNull();
    expect(p(':')).toBeNull();
    expect(p('open fridge now please')).toEqual(['OPEN', 'fridge_now_please']); // parses; the name will not resolve
  });

  it('formats every action so that it parses back to itself', () => {
    for (let v = 0; v < VERB_NAMES.length; v++) {
      const s = formatAction(v, 'coffee table', 'kitchen counter');
      const r = parseAction(s);
      if (v === V.RELEASE) {
        expect(r).toBeNull(); // "release coffee table": three words, two arguments
        expect(parseAction(formatAction(v, 'cup'))?.verb).toBe(V.RELEASE);
        continue;
      }
      expect(r?.verb, s).toBe(v);
    }
  });
});
