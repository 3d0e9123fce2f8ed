// The admissible actions at a state: every command from SPA's VirtualHome instruction list (plus
// `lie on`, `read`, `put on` and `take off`, which some tasks need) that the executor would accept
// right now, on the objects within reach, plus walking to anything. Every string listed here
// executes validly if stepped (a test holds us to that). Valid-but-pointless commands are left
// out to keep the list short: washing or wiping what has no cleanliness state, typing on anything
// but a keyboard/computer/phone, turning to what is not lookable, `run to` (same as `walk to`).
// Letting go is offered as `drop X`: SPA's list says `release`, but its parser only accepts
// `release X` through the word-split fallback, which breaks on two-word names ("release
// clothes shirt" reads as two arguments), while `drop X` has a proper template.

import {
  CLASS_WORDS, CLEANLINESS, CONTAINERS, GRABBABLE, LOOKABLE, MOVABLE, N_CLASSES, R_ON, SURFACES,
  classId,
} from './catalog';
import { check, heldNodes, isHeld, isSeated, resolve, resolveHeld, roomOf } from './executor';
import { V, formatAction } from './grammar';
import { CHAR, type World } from './world';

const TYPEABLE = new Set(['keyboard', 'computer', 'cellphone'].map(classId));

const ONE_ARG = [
  V.GRAB, V.OPEN, V.CLOSE, V.SWITCHON, V.SWITCHOFF, V.PLUGIN, V.PLUGOUT, V.WASH, V.WIPE, V.DRINK, V.EAT,
  V.CUT, V.READ, V.TYPE, V.PUTON, V.PUTOFF, V.DROP, V.MOVE, V.SIT, V.LIE,
];
const TWO_ARG = [V.PUTBACK, V.PUTIN, V.POUR];
const ORDER = [
  V.GRAB, V.OPEN, V.CLOSE, V.PUTBACK, V.PUTIN, V.POUR, V.SWITCHON, V.SWITCHOFF, V.PLUGIN, V.PLUGOUT,
  V.WASH, V.WIPE, V.DRINK, V.EAT, V.CUT, V.READ, V.TYPE, V.PUTON, V.PUTOFF, V.DROP, V.MOVE, V.SIT,
  V.LIE, V.STANDUP, V.SLEEP, V.WAKEUP, V.TURNTO, V.LOOKAT, V.WATCH, V.WALK,
];
const SLOT = new Int16Array(64).fill(-1);
ORDER.forEach((v, i) => (SLOT[v] = i));

/** Interned action strings: building them once keeps the per-step cost to lookups. */
export class ActionStrings {
  private readonly one = new Map<number, string>();
  private readonly two = new Map<number, string>();
  get(verb: number, a = -1, b = -1): string {
    if (b >= 0) {
      const k = (verb * N_CLASSES + a) * N_CLASSES + b;
      let s = this.two.get(k);
      if (s === undefined) this.two.set(k, (s = formatAction(verb, CLASS_WORDS[a], CLASS_WORDS[b])));
      return s;
    }
    const k = verb * (N_CLASSES + 1) + (a + 1);
    let s = this.one.get(k);
    if (s === undefined) this.one.set(k, (s = a < 0 ? formatAction(verb) : formatAction(verb, CLASS_WORDS[a])));
    return s;
  }
}

function wanted(w: World, verb: number, x: number): boolean {
  const p = w.g.props[x];
  switch (verb) {
    case V.GRAB: return (p & GRABBABLE) !== 0;
    case V.WASH: case V.WIPE: return (w.states[x] & CLEANLINESS) !== 0;
    case V.TYPE: return TYPEABLE.has(w.g.cls[x]);
    case V.MOVE: return (p & MOVABLE) !== 0;
    default: return true;
  }
}

/**
 * Admissible commands, grouped by verb in a fixed order (grab, open, close, put, pour, switch, ...,
 * walk), objects in scene order within a verb. `near` is the reachable set from observe.ts and
 * `mark` its membership array.
 */
export function admissibleActions(w: World, near: readonly number[], mark: Uint8Array, strings: ActionStrings): string[] {
  const g = w.g;
  const buckets: string[][] = ORDER.map(() => []);
  const push = (verb: number, a = -1, b = -1) => buckets[SLOT[verb]].push(strings.get(verb, a, b));
  const seated = isSeated(w);
  if (seated) {
    push(V.STANDUP);
    push(V.SLEEP);
    push(V.WAKEUP);
  }
  const held = heldNodes(w);
  // Objects within reach that their own name refers to (a name bound elsewhere is not offered).
  const targets: number[] = [];
  for (const c of g.present) {
    if (g.isRoom[g.instances[c][0]]) continue;
    const x = resolve(w, c);
    if (x >= 0 && (mark[x] === 1 || isHeld(w, x) || w.has(R_ON, x, CHAR))) targets.push(x);
  }
  for (const x of targets) {
    const c = g.cls[x];
    for (const verb of ONE_ARG) if (wanted(w, verb, x) && check(w, verb, x, -1) === 0) push(verb, c);
  }
  for (const h of held) {
    const ch = g.cls[h];
    if (resolveHeld(w, ch) !== h) continue;
    for (const y of targets) {
      if (y === h) continue;
      const py = g.props[y];
      for (const verb of TWO_ARG) {
        if (verb === V.PUTBACK && !(py & SURFACES)) continue;
        if (verb === V.PUTIN && !(py & CONTAINERS)) continue;
        if (check(w, verb, h, y) === 0) push(verb, ch, g.cls[y]);
      }
    }
  }
  const here = roomOf(w, CHAR);
  for (const c of g.present) {
    if (!(g.props[g.instances[c][0]] & LOOKABLE)) continue;
    const x = resolve(w, c);
    if (x < 0 || roomOf(w, x) !== here) continue;
    push(V.TURNTO, c);
    if (check(w, V.LOOKAT, x, -1) === 0) push(V.LOOKAT, c);
    if (check(w, V.WATCH, x, -1) === 0) push(V.WATCH, c);
  }
  if (!seated) {
    for (const c of g.present) {
      const x = resolve(w, c);
      if (x >= 0 && !isHeld(w, x) && check(w, V.WALK, x, -1) === 0) push(V.WALK, c);
    }
  }
  const out: string[] = [];
  for (const b of buckets) for (const s of b) out.push(s);
  return out;
}
