// The admissible actions at a state: every command from SPA's VirtualHome instruction list (plus
// `lie on`, `read`, `put on` and `take off`, which some tasks need) that the executor would accept
// right now, on the objects within reach, plus walking to anything. Every string listed here
// executes validly if stepped (a test holds us to that). Valid-but-pointless commands are left
// out to keep the list short: washing or wiping what has no cleanliness state, typing on anything
// but a keyboard/computer/phone, turning to what is neither lookable nor faced by a seat, and
// `run to` (same as `walk to`).
// Letting go is offered as `drop X`: SPA's list says `release`, but its parser only accepts
// `release X` through the word-split fallback, which breaks on two-word names ("release
// clothes shirt" reads as two arguments), while `drop X` has a proper template.

import * as catalog from './catalog';
import * as executorMod from './executor';
import { V as GRAMMAR_V, formatAction } from './grammar';
import * as worldMod from './world';
import { type World } from './world';

// Bound once: tsx and vitest compile imported bindings to getter calls, which add up in the
// executor's inner loops.
const {
  CLASS_WORDS, CLEANLINESS, CONTAINERS, GRABBABLE, LOOKABLE, MOVABLE, N_CLASSES, R_FACING, R_ON, SURFACES,
  classId,
} = catalog;
const V = GRAMMAR_V;
const { check, heldNodes, isHeld, isSeated, resolve, resolveHeld, roomOf } = executorMod;
const { CHAR } = worldMod;

const TYPEABLE = new Set(['keyboard', 'computer', 'cellphone'].map(classId));

const ONE_ARG = [
  V.GRAB, V.OPEN, V.CLOSE, V.SWITCHON, V.SWITCHOFF, V.PLUGIN, V.PLUGOUT, V.WASH, V.WIPE, V.DRINK, V.EAT,
  V.CUT, V.READ, V.TYPE, V.PUTON, V.PUTOFF, V.DROP, V.MOVE, V.SIT, V.LIE,
];
const ONE_ARG_SET = new Set(ONE_ARG);
const ORDER = [
  V.GRAB, V.OPEN, V.CLOSE, V.PUTBACK, V.PUTIN, V.POUR, V.SWITCHON, V.SWITCHOFF, V.PLUGIN, V.PLUGOUT,
  V.WASH, V.WIPE, V.DRINK, V.EAT, V.CUT, V.READ, V.TYPE, V.PUTON, V.PUTOFF, V.DROP, V.MOVE, V.SIT,
  V.LIE, V.STANDUP, V.SLEEP, V.WAKEUP, V.TURNTO, V.LOOKAT, V.WATCH, V.WALK,
];

/** Interned action strings and scratch space, one per environment instance. */
export class ActionStrings {
  private readonly one: (string | undefined)[] = [];
  private readonly two = new Map<number, string>();
  /** Scratch: the node each class name resolves to, for the call in progress. */
  readonly resolved = new Int16Array(N_CLASSES);

  get(verb: number, a = -1, b = -1): string {
    if (b >= 0) {
      const k = (verb * N_CLASSES + a) * N_CLASSES + b;
      let s = this.two.get(k);
      if (s === undefined) this.two.set(k, (s = formatAction(verb, CLASS_WORDS[a], CLASS_WORDS[b])));
      return s;
    }
    const k = verb * (N_CLASSES + 1) + (a + 1);
    let s = this.one[k];
    if (s === undefined) this.one[k] = s = a < 0 ? formatAction(verb) : formatAction(verb, CLASS_WORDS[a]);
    return s;
  }
}

/** Something other than the character FACES x (a seat faces its table or screen). */
function facedByFurniture(w: World, x: number): boolean {
  const base = w.row(R_FACING, x);
  for (let k = 0; k < w.W; k++) if ((w.ins[base + k] & (k === 0 ? ~1 : ~0)) !== 0) return true;
  return false;
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
 * walk), objects in scene order within a verb. `mark` is the reachable bitset from observe.ts.
 */
export function admissibleActions(w: World, mark: Uint32Array, strings: ActionStrings): string[] {
  const g = w.g;
  const out: string[] = [];
  const seated = isSeated(w);
  const held = heldNodes(w);
  const here = roomOf(w, CHAR);
  const res = strings.resolved;
  // Objects within reach that their own name refers to (a name bound elsewhere is not offered).
  const targets: number[] = [];
  for (const c of g.present) {
    const x = resolve(w, c);
    res[c] = x;
    if (x < 0 || g.isRoom[x]) continue;
    if ((mark[x >>> 5] >>> (x & 31)) & 1 || isHeld(w, x) || w.has(R_ON, x, CHAR)) targets.push(x);
  }
  for (const verb of ORDER) {
    if (ONE_ARG_SET.has(verb)) {
      for (const x of targets) if (wanted(w, verb, x) && check(w, verb, x, -1) === 0) out.push(strings.get(verb, g.cls[x]));
    } else if (verb === V.PUTBACK || verb === V.PUTIN || verb === V.POUR) {
      for (const h of held) {
        const ch = g.cls[h];
        if (resolveHeld(w, ch) !== h) continue;
        for (const y of targets) {
          if (y === h) continue;
          const py = g.props[y];
          if (verb === V.PUTBACK && !(py & SURFACES)) continue;
          if (verb === V.PUTIN && !(py & CONTAINERS)) continue;
          if (check(w, verb, h, y) === 0) out.push(strings.get(verb, ch, g.cls[y]));
        }
      }
    } else if (verb === V.STANDUP || verb === V.SLEEP || verb === V.WAKEUP) {
      if (seated) out.push(strings.get(verb));
    } else if (verb === V.TURNTO || verb === V.LOOKAT || verb === V.WATCH) {
      for (const c of g.present) {
        const x = res[c];
        if (x < 0 || !(g.props[x] & LOOKABLE || facedByFurniture(w, x)) || roomOf(w, x) !== here) continue;
        if (verb === V.TURNTO || check(w, verb, x, -1) === 0) out.push(strings.get(verb, c));
      }
    } else if (verb === V.WALK && !seated) {
      for (const c of g.present) {
        const x = res[c];
        if (x >= 0 && !isHeld(w, x) && check(w, V.WALK, x, -1) === 0) out.push(strings.get(V.WALK, c));
      }
    }
  }
  return out;
}
