// VirtualHome's evolving-graph executor (`virtualhome/simulation/evolving_graph/execution.py`),
// one action family per function pair: `check*` returns 0 or a failure code, `apply*` changes the
// graph. Preconditions and effects follow the Python executor line by line, including its loose
// closeness rule (an object counts as close when it is CLOSE to, or ON, something the character
// is CLOSE to). Documented departures, each to avoid a trap that only exists because of an
// upstream bug and would otherwise make a task unwinnable for the rest of the episode:
//
//  - `stand up` also removes the character's ON edge to the seat. Upstream leaves it, so a chair
//    (occupancy 1) could never be sat on again.
//  - wash/wipe/rinse/scrub only change nodes that have a cleanliness state (DIRTY or CLEAN).
//    Upstream adds CLEAN to anything (a television, a sofa), which breaks the state-set equality
//    the task check uses, forever. The action still counts as valid, as upstream.
//  - held objects move to the room the character walks into (upstream files them under the
//    room being left).
//
// Object names are resolved to nodes the way SPA's `change_obj_index` does (see `resolve`).

import * as catalog from './catalog';
import { V as GRAMMAR_V, VERB_ARITY, VERB_NAMES, type ParsedAction } from './grammar';
import * as worldMod from './world';
import { type World } from './world';

// Bound once: tsx and vitest compile imported bindings to getter calls, which add up in the
// executor's inner loops.
const {
  BODY_PART, CAN_OPEN, CLASSES, CLEAN, CLEANLINESS, CLOSED, CLOTHES, CUTTABLE, DIRTY, DRINKABLE,
  EATABLE, GRABBABLE, HAS_PLUG, HAS_SWITCH, LIEABLE, LOOKABLE, LYING, MOVABLE, OFF, ON, OPEN,
  PERSON, PLUGGED_IN, PLUGGED_OUT, POURABLE, R_CLOSE, R_FACING, R_HOLDS_LH, R_HOLDS_RH, R_INSIDE,
  R_ON, READABLE, RECIPIENT, SITTABLE, SITTING, classId,
} = catalog;
const V = GRAMMAR_V;
const { CHAR, lowBit } = worldMod;

// ---- failure codes (the executor's `info.error` messages) --------------------------------------

export const FAIL_MESSAGES = [
  'ok',
  '{a} is not close to the character',
  '{a} is not grabbable',
  '{a} already grabbed',
  '{a} is inside other closed thing',
  'the character does not have a free hand',
  '{a} can not be opened',
  '{a} is not closed',
  '{a} is not open',
  '{a} is still on',
  'the character is not holding {a}',
  '{b} is not open or is not openable',
  '{a} does not have a switch',
  '{a} is not off',
  '{a} is not on',
  '{a} is unplugged',
  '{a} is not drinkable or not recipient',
  'the character does not face {a}',
  'the character does not hold anything in hands',
  '{a} is not clothes',
  '{a} is not on the character',
  '{a} is not readable',
  '{a} is not lieable',
  'the character is lying',
  'the character is sitting',
  '{a} is not sittable',
  'too many things on {a}',
  '{a} is not pourable or drinkable',
  '{b} is not recipient',
  '{a} does not have switch',
  '{a} not lookable',
  '{a} is not in the character\'s room',
  'the character is not facing {a} while sitting',
  '{a} is not movable',
  '{a} is not squeezable',
  '{a} does not have a plug',
  '{a} is not plugged_out',
  '{a} is not plugged_in',
  '{a} is not eatable',
  '{a} is not cuttable',
  'the character is not holding a knife',
  'the character is not sitting or lying',
  '{a} not grabbed',
  '{a} is not person',
  '{a} is in no room',
] as const;

const F = {
  OK: 0, NOT_CLOSE: 1, NOT_GRABBABLE: 2, ALREADY_GRABBED: 3, INSIDE_CLOSED: 4, NO_FREE_HAND: 5,
  NOT_OPENABLE: 6, NOT_CLOSED: 7, NOT_OPEN: 8, STILL_ON: 9, NOT_HOLDING: 10, DEST_NOT_OPEN: 11,
  NO_SWITCH: 12, NOT_OFF: 13, NOT_ON: 14, UNPLUGGED: 15, NOT_DRINKABLE: 16, NOT_FACING: 17,
  HOLDS_NOTHING: 18, NOT_CLOTHES: 19, NOT_WORN: 20, NOT_READABLE: 21, NOT_LIEABLE: 22, IS_LYING: 23,
  IS_SITTING: 24, NOT_SITTABLE: 25, TOO_MANY: 26, NOT_POURABLE: 27, NOT_RECIPIENT: 28,
  NOT_TYPEABLE: 29, NOT_LOOKABLE: 30, OTHER_ROOM: 31, NOT_FACING_SEATED: 32, NOT_MOVABLE: 33,
  NOT_SQUEEZABLE: 34, NO_PLUG: 35, NOT_PLUGGED_OUT: 36, NOT_PLUGGED_IN: 37, NOT_EATABLE: 38,
  NOT_CUTTABLE: 39, NO_KNIFE: 40, NOT_SEATED: 41, NOT_GRABBED: 42, NOT_PERSON: 43, NO_ROOM: 44,
} as const;

// ---- class-name facts the Python executor tests by name -----------------------------------------

const SIT_MAX = new Map<number, number>();
for (const [k, v] of [['couch', 4], ['bed', 4], ['chair', 1], ['loveseat', 2], ['sofa', 4], ['toilet', 1], ['pianobench', 2], ['bench', 2]] as const) {
  const c = classId(k);
  if (c >= 0) SIT_MAX.set(c, v);
}
const LIE_MAX = new Map<number, number>();
for (const [k, v] of [['couch', 2], ['bathtub', 2], ['bed', 3], ['loveseat', 2], ['sofa', 2], ['bench', 1]] as const) {
  const c = classId(k);
  if (c >= 0) LIE_MAX.set(c, v);
}
const SQUEEZABLE = new Set(
  ['cleaning_solution', 'tooth_paste', 'shampoo', 'food_peanut_butter', 'dish_soap', 'soap', 'towel',
    'rag', 'paper', 'sponge', 'food_lemon', 'check'].map(classId).filter((c) => c >= 0),
);
const C_DESK = classId('desk');
const C_WINDOW = classId('window');
const C_KEYBOARD = classId('keyboard');
const C_COMPUTER = classId('computer');
const C_CHAIR = classId('chair');
const C_SPONGE = classId('sponge');
const KNIFE_CLASSES = new Set(CLASSES.map((c, i) => (c.name.includes('knife') ? i : -1)).filter((i) => i >= 0));

// ---- graph queries (`_is_character_close_to` and friends) ---------------------------------------

export function isSeated(w: World): boolean {
  return (w.states[CHAR] & (SITTING | LYING)) !== 0;
}

/**
 * `_is_character_close_to`, with its loose rule: x is close when the character is CLOSE to x, or
 * to some c with c CLOSE x or x ON c. With bitsets that is (CLOSE from char) AND (CLOSE into x OR
 * ON from x), word by word.
 */
export function isClose(w: World, x: number): boolean {
  if (w.has(R_CLOSE, CHAR, x)) return true;
  const W = w.W;
  const c0 = w.row(R_CLOSE, CHAR);
  const cx = w.row(R_CLOSE, x);
  const ox = w.row(R_ON, x);
  for (let k = 0; k < W; k++) {
    if ((w.outs[c0 + k] & (w.ins[cx + k] | w.outs[ox + k])) !== 0) return true;
  }
  return false;
}

/** `_is_character_face_to`: facing x, or facing something that faces x. */
export function isFacing(w: World, x: number): boolean {
  if (w.has(R_FACING, CHAR, x)) return true;
  const W = w.W;
  const f0 = w.row(R_FACING, CHAR);
  const fx = w.row(R_FACING, x);
  for (let k = 0; k < W; k++) if ((w.outs[f0 + k] & w.ins[fx + k]) !== 0) return true;
  return false;
}

/** `_get_room_node`: the room a node is in, following INSIDE edges; -1 when there is none. */
export function roomOf(w: World, x: number): number {
  const W = w.W;
  let cur = x;
  for (let depth = 0; depth < 16; depth++) {
    if (w.g.isRoom[cur]) return cur;
    const base = w.row(R_INSIDE, cur);
    let next = -1;
    for (let k = 0; k < W; k++) {
      const word = w.outs[base + k];
      if (word === 0) continue;
      const rooms = word & w.roomBits[k];
      if (rooms !== 0) return (k << 5) + lowBit(rooms);
      if (next < 0) next = (k << 5) + lowBit(word);
    }
    if (next < 0) return -1;
    cur = next;
  }
  return -1;
}

/** `_is_inside`: INSIDE something CLOSED that is not a room. */
export function isInsideClosed(w: World, x: number): boolean {
  const W = w.W;
  const base = w.row(R_INSIDE, x);
  for (let k = 0; k < W; k++) {
    let word = w.outs[base + k] & ~w.roomBits[k];
    while (word !== 0) {
      const b = (k << 5) + lowBit(word);
      word &= word - 1;
      if (w.states[b] & CLOSED) return true;
    }
  }
  return false;
}

/** `_find_free_hand`: the right hand first. -1 when both are full. */
export function freeHand(w: World): number {
  if (w.first(R_HOLDS_RH, CHAR) < 0) return R_HOLDS_RH;
  if (w.first(R_HOLDS_LH, CHAR) < 0) return R_HOLDS_LH;
  return -1;
}

export function isHeld(w: World, x: number): boolean {
  return w.has(R_HOLDS_RH, CHAR, x) || w.has(R_HOLDS_LH, CHAR, x);
}

export function heldNodes(w: World): number[] {
  const out = w.out(R_HOLDS_RH, CHAR);
  for (const x of w.out(R_HOLDS_LH, CHAR)) if (!out.includes(x)) out.push(x);
  return out;
}

function countOn(w: World, x: number): number {
  const W = w.W;
  const base = w.row(R_ON, x);
  let k = 0;
  for (let i = 0; i < W; i++) {
    let word = w.ins[base + i];
    while (word !== 0) {
      word &= word - 1;
      k++;
    }
  }
  return k;
}

// ---- checks ---------------------------------------------------------------------------------------

function checkWalk(w: World, x: number): number {
  if (isSeated(w)) return F.IS_SITTING;
  if (roomOf(w, x) < 0) return F.NO_ROOM;
  return F.OK;
}

function findIsLocal(w: World, x: number): boolean {
  return w.has(R_ON, x, CHAR) || (w.g.props[x] & BODY_PART) !== 0 || isClose(w, x) || isSeated(w);
}

function checkFind(w: World, x: number): number {
  if (findIsLocal(w, x)) return isClose(w, x) ? F.OK : F.NOT_CLOSE;
  return checkWalk(w, x);
}

function checkSit(w: World, x: number): number {
  if (!isClose(w, x)) return F.NOT_CLOSE;
  if (w.states[CHAR] & SITTING) return F.IS_SITTING;
  if (!(w.g.props[x] & SITTABLE)) return F.NOT_SITTABLE;
  if (countOn(w, x) >= (SIT_MAX.get(w.g.cls[x]) ?? 1)) return F.TOO_MANY;
  return F.OK;
}

function checkLie(w: World, x: number): number {
  if (!isClose(w, x)) return F.NOT_CLOSE;
  if (w.states[CHAR] & LYING) return F.IS_LYING;
  if (!(w.g.props[x] & LIEABLE)) return F.NOT_LIEABLE;
  if (countOn(w, x) >= (LIE_MAX.get(w.g.cls[x]) ?? 1)) return F.TOO_MANY;
  return F.OK;
}

function checkGrab(w: World, x: number): number {
  if (!(w.g.props[x] & GRABBABLE)) return F.NOT_GRABBABLE;
  if (isHeld(w, x)) return F.ALREADY_GRABBED;
  if (!isClose(w, x)) return F.NOT_CLOSE;
  if (isInsideClosed(w, x)) return F.INSIDE_CLOSED;
  if (freeHand(w) < 0) return F.NO_FREE_HAND;
  return F.OK;
}

function checkOpen(w: World, x: number, close: boolean): number {
  const c = w.g.cls[x];
  if (!(w.g.props[x] & CAN_OPEN) && c !== C_DESK && c !== C_WINDOW) return F.NOT_OPENABLE;
  if (!isClose(w, x)) return F.NOT_CLOSE;
  if (!close && freeHand(w) < 0) return F.NO_FREE_HAND;
  const s = w.states[x];
  if (close ? !(s & OPEN) : !(s & CLOSED)) return close ? F.NOT_OPEN : F.NOT_CLOSED;
  if (!close && s & ON) return F.STILL_ON;
  return F.OK;
}

function checkPut(w: World, x: number, y: number, rel: number): number {
  if (!isHeld(w, x)) return F.NOT_HOLDING;
  if (!isClose(w, y)) return F.NOT_CLOSE;
  if (rel === R_INSIDE && w.g.props[y] & CAN_OPEN && !(w.states[y] & OPEN)) return F.DEST_NOT_OPEN;
  return F.OK;
}

function checkSwitch(w: World, x: number, on: boolean): number {
  if (!(w.g.props[x] & HAS_SWITCH)) return F.NO_SWITCH;
  if (!isClose(w, x)) return F.NOT_CLOSE;
  const s = w.states[x];
  if (on ? !(s & OFF) : !(s & ON)) return on ? F.NOT_OFF : F.NOT_ON;
  if (on && s & PLUGGED_OUT) return F.UNPLUGGED;
  return F.OK;
}

function checkPlug(w: World, x: number, plugIn: boolean): number {
  if (!(w.g.props[x] & HAS_PLUG)) return F.NO_PLUG;
  if (!isClose(w, x)) return F.NOT_CLOSE;
  if (freeHand(w) < 0) return F.NO_FREE_HAND;
  const s = w.states[x];
  if (plugIn ? !(s & PLUGGED_OUT) : !(s & PLUGGED_IN)) return plugIn ? F.NOT_PLUGGED_OUT : F.NOT_PLUGGED_IN;
  return F.OK;
}

function checkWatch(w: World, x: number): number {
  if (!(w.g.props[x] & LOOKABLE)) return F.NOT_LOOKABLE;
  const r = roomOf(w, x);
  if (r < 0 || r !== roomOf(w, CHAR)) return F.OTHER_ROOM;
  if (!isFacing(w, x)) return F.NOT_FACING;
  if (w.g.cls[x] !== C_COMPUTER && isSeated(w) && !w.has(R_FACING, CHAR, x)) return F.NOT_FACING_SEATED;
  return F.OK;
}

function checkMove(w: World, x: number, verb: number): number {
  const c = w.g.cls[x];
  // The upstream condition, literally: `push` passes the property test for any object.
  if (!(w.g.props[x] & MOVABLE) && verb !== V.PUSH && c !== C_CHAIR) return F.NOT_MOVABLE;
  if (!isClose(w, x)) return F.NOT_CLOSE;
  if (isInsideClosed(w, x)) return F.INSIDE_CLOSED;
  if (freeHand(w) < 0) return F.NO_FREE_HAND;
  return F.OK;
}

function checkCut(w: World, x: number): number {
  if (freeHand(w) < 0) return F.NO_FREE_HAND;
  if (!isClose(w, x)) return F.NOT_CLOSE;
  if (!(w.g.props[x] & EATABLE)) return F.NOT_EATABLE;
  if (!(w.g.props[x] & CUTTABLE)) return F.NOT_CUTTABLE;
  for (const h of heldNodes(w)) if (KNIFE_CLASSES.has(w.g.cls[h])) return F.OK;
  return F.NO_KNIFE;
}

function checkEat(w: World, x: number): number {
  if (!isClose(w, x)) return F.NOT_CLOSE;
  if (w.g.props[x] & EATABLE) return F.OK;
  for (const a of w.into(R_ON, x)) if (w.g.props[a] & EATABLE) return F.OK;
  return F.NOT_EATABLE;
}

function checkPour(w: World, x: number, y: number): number {
  if (!(w.g.props[x] & (POURABLE | DRINKABLE))) return F.NOT_POURABLE;
  if (!(w.g.props[y] & RECIPIENT) && w.g.cls[y] !== C_SPONGE) return F.NOT_RECIPIENT;
  if (!isHeld(w, x)) return F.NOT_HOLDING;
  if (!isClose(w, y)) return F.NOT_CLOSE;
  return F.OK;
}

/** Precondition check for a resolved action. `b` is -1 for one-argument actions. */
export function check(w: World, verb: number, a: number, b: number): number {
  const p = a >= 0 ? w.g.props[a] : 0;
  switch (verb) {
    case V.WALK: case V.RUN: return checkWalk(w, a);
    case V.FIND: return checkFind(w, a);
    case V.SIT: return checkSit(w, a);
    case V.LIE: return checkLie(w, a);
    case V.STANDUP: case V.SLEEP: case V.WAKEUP: return isSeated(w) ? F.OK : F.NOT_SEATED;
    case V.GRAB: return checkGrab(w, a);
    case V.OPEN: return checkOpen(w, a, false);
    case V.CLOSE: return checkOpen(w, a, true);
    case V.PUTBACK: return checkPut(w, a, b, R_ON);
    case V.PUTIN: return checkPut(w, a, b, R_INSIDE);
    case V.PUTOBJBACK: {
      const o = w.origin[a];
      if (o < 0) return F.NOT_GRABBED;
      return checkPut(w, a, o >> 3, o & 7);
    }
    case V.SWITCHON: return checkSwitch(w, a, true);
    case V.SWITCHOFF: return checkSwitch(w, a, false);
    case V.PLUGIN: return checkPlug(w, a, true);
    case V.PLUGOUT: return checkPlug(w, a, false);
    case V.DRINK:
      if (!(p & (DRINKABLE | RECIPIENT))) return F.NOT_DRINKABLE;
      return isHeld(w, a) ? F.OK : F.NOT_HOLDING;
    case V.READ:
      if (!(p & READABLE)) return F.NOT_READABLE;
      return isHeld(w, a) ? F.OK : F.NOT_HOLDING;
    case V.TURNTO: return F.OK;
    case V.LOOKAT: case V.POINTAT: return isFacing(w, a) ? F.OK : F.NOT_FACING;
    case V.WATCH: return checkWatch(w, a);
    case V.WIPE:
      if (!isClose(w, a)) return F.NOT_CLOSE;
      return heldNodes(w).length > 0 ? F.OK : F.HOLDS_NOTHING;
    case V.WASH: case V.RINSE: case V.SCRUB: return isClose(w, a) ? F.OK : F.NOT_CLOSE;
    case V.PUTON:
      if (!isHeld(w, a)) return F.NOT_HOLDING;
      return p & CLOTHES ? F.OK : F.NOT_CLOTHES;
    case V.PUTOFF:
      if (!w.has(R_ON, a, CHAR)) return F.NOT_WORN;
      return p & CLOTHES ? F.OK : F.NOT_CLOTHES;
    case V.GREET: return p & PERSON ? F.OK : F.NOT_PERSON;
    case V.DROP: case V.RELEASE: return isHeld(w, a) ? F.OK : F.NOT_HOLDING;
    case V.TOUCH:
      if (!isClose(w, a)) return F.NOT_CLOSE;
      return isInsideClosed(w, a) ? F.INSIDE_CLOSED : F.OK;
    case V.POUR: return checkPour(w, a, b);
    case V.TYPE:
      if (!isClose(w, a)) return F.NOT_CLOSE;
      if (w.g.cls[a] === C_KEYBOARD) return F.OK;
      return p & HAS_SWITCH ? F.OK : F.NOT_TYPEABLE;
    case V.PUSH: case V.PULL: case V.MOVE: return checkMove(w, a, verb);
    case V.SQUEEZE:
      if (freeHand(w) < 0) return F.NO_FREE_HAND;
      if (!isClose(w, a)) return F.NOT_CLOSE;
      return p & CLOTHES || SQUEEZABLE.has(w.g.cls[a]) ? F.OK : F.NOT_SQUEEZABLE;
    case V.CUT: return checkCut(w, a);
    case V.EAT: return checkEat(w, a);
    default: return F.NOT_PERSON; // unreachable: every verb of the grammar is handled above
  }
}

// ---- effects --------------------------------------------------------------------------------------

function applyWalk(w: World, x: number): void {
  const room = roomOf(w, x);
  const held = heldNodes(w);
  w.delAll(R_INSIDE, CHAR, true);
  w.delAll(R_CLOSE, CHAR, true);
  w.delAll(R_FACING, CHAR, true);
  w.add(R_INSIDE, CHAR, room);
  if (x !== room) {
    w.add2(R_CLOSE, CHAR, x);
    // BoxObjectNode: whatever non-room node x is inside.
    for (const y of w.out(R_INSIDE, x)) if (!w.g.isRoom[y]) w.add2(R_CLOSE, CHAR, y);
  }
  for (const h of held) {
    w.delAll(R_INSIDE, h, true);
    w.delAll(R_CLOSE, h, true);
    w.delAll(R_FACING, h, true);
  }
  for (const h of held) {
    w.add2(R_CLOSE, CHAR, h);
    w.add(R_INSIDE, h, room);
  }
  if (w.g.props[x] & CAN_OPEN) for (const y of w.into(R_INSIDE, x)) w.add2(R_CLOSE, CHAR, y);
  // SurfaceObjectNode: what x stands on.
  for (const y of w.out(R_ON, x)) w.add2(R_CLOSE, CHAR, y);
}

function applyGrab(w: World, x: number): void {
  const room = roomOf(w, CHAR);
  const hand = freeHand(w);
  let support = -1;
  let rel = -1;
  for (const r of [R_ON, R_INSIDE, R_CLOSE]) {
    for (const y of w.out(r, x)) {
      if (!w.g.isRoom[y]) {
        support = y;
        rel = r;
        break;
      }
    }
    if (support >= 0) break;
  }
  for (const r of [R_ON, R_INSIDE, R_CLOSE, R_HOLDS_LH, R_HOLDS_RH]) w.delAll(r, x, true);
  w.add2(R_CLOSE, CHAR, x);
  w.add(hand, CHAR, x);
  if (room >= 0) w.add(R_INSIDE, x, room);
  if (support >= 0) {
    w.add2(R_CLOSE, CHAR, support);
    w.origin[x] = support * 8 + rel;
  }
}

function applyPut(w: World, x: number, y: number, rel: number): void {
  w.del(R_HOLDS_RH, CHAR, x);
  w.del(R_HOLDS_LH, CHAR, x);
  w.add2(R_CLOSE, CHAR, y);
  w.add2(R_CLOSE, x, y);
  w.add(rel, x, y);
  w.origin[x] = -1;
}

function setStates(w: World, x: number, remove: number, add: number): void {
  w.states[x] = (w.states[x] & ~remove) | add;
}

function clean(w: World, x: number): void {
  if (w.states[x] & CLEANLINESS) setStates(w, x, DIRTY, CLEAN);
}

/** Apply a resolved action whose check returned 0. */
export function apply(w: World, verb: number, a: number, b: number): void {
  switch (verb) {
    case V.WALK: case V.RUN: applyWalk(w, a); return;
    case V.FIND:
      if (findIsLocal(w, a)) {
        w.delAll(R_FACING, CHAR, false);
        w.add2(R_CLOSE, CHAR, a);
      } else applyWalk(w, a);
      return;
    case V.SIT:
      setStates(w, CHAR, LYING, SITTING);
      w.add(R_ON, CHAR, a);
      for (const f of w.out(R_FACING, a)) w.add(R_FACING, CHAR, f);
      return;
    case V.LIE:
      setStates(w, CHAR, SITTING, LYING);
      w.add(R_ON, CHAR, a);
      return;
    case V.STANDUP:
      setStates(w, CHAR, SITTING | LYING, 0);
      w.delAll(R_ON, CHAR, false);
      return;
    case V.GRAB: applyGrab(w, a); return;
    case V.OPEN: setStates(w, a, CLOSED, OPEN); return;
    case V.CLOSE: setStates(w, a, OPEN, CLOSED); return;
    case V.PUTBACK: applyPut(w, a, b, R_ON); return;
    case V.PUTIN: applyPut(w, a, b, R_INSIDE); return;
    case V.PUTOBJBACK: {
      const o = w.origin[a];
      applyPut(w, a, o >> 3, o & 7);
      return;
    }
    case V.SWITCHON: setStates(w, a, OFF, ON); return;
    case V.SWITCHOFF: setStates(w, a, ON, OFF); return;
    case V.PLUGIN: setStates(w, a, PLUGGED_OUT, PLUGGED_IN); return;
    case V.PLUGOUT: setStates(w, a, PLUGGED_IN, PLUGGED_OUT); return;
    case V.TURNTO:
      w.delAll(R_FACING, CHAR, false);
      w.add(R_FACING, CHAR, a);
      return;
    case V.WIPE: case V.WASH: case V.RINSE: case V.SCRUB: clean(w, a); return;
    case V.PUTON:
      w.add(R_ON, a, CHAR);
      w.del(R_HOLDS_RH, CHAR, a);
      w.del(R_HOLDS_LH, CHAR, a);
      return;
    case V.PUTOFF: w.del(R_ON, a, CHAR); return;
    case V.DROP: case V.RELEASE: {
      w.del(R_HOLDS_RH, CHAR, a);
      w.del(R_HOLDS_LH, CHAR, a);
      const room = roomOf(w, CHAR);
      if (room >= 0) w.add(R_INSIDE, a, room);
      w.origin[a] = -1;
      return;
    }
    case V.POUR: w.add(R_INSIDE, a, b); return;
    default: return; // drink, read, look at, watch, type, touch, move, cut, eat, sleep, ...: no effect
  }
}

// ---- name resolution (SPA's `change_obj_index`) ---------------------------------------------------

/**
 * Which node a class name refers to. SPA keeps a name -> id map for the episode
 * (`specific_objects`, seeded with the task's own objects); an unbound name picks an instance
 * near the last object used, else one CLOSE to the character, else (where SPA draws at random) the
 * first instance in the character's room, else the first instance. Pure: binding is the caller's.
 */
export function resolve(w: World, c: number): number {
  const b = w.bind[c];
  if (b >= 0) return b;
  const inst = w.g.instances[c];
  if (inst.length === 0) return -1;
  if (inst.length === 1) return inst[0];
  const last = w.lastObj;
  if (last >= 0) {
    for (const x of inst) {
      if (w.has(R_CLOSE, x, last) || w.has(R_CLOSE, last, x) || w.has(R_INSIDE, x, last) || w.has(R_INSIDE, last, x)) return x;
    }
  }
  for (const x of inst) if (w.has(R_CLOSE, CHAR, x) || w.has(R_CLOSE, x, CHAR)) return x;
  const room = roomOf(w, CHAR);
  for (const x of inst) if (roomOf(w, x) === room) return x;
  return inst[0];
}

/** The held instance a two-argument action's first name refers to, or -1. */
export function resolveHeld(w: World, c: number): number {
  const b = w.bind[c];
  if (b >= 0 && isHeld(w, b)) return b;
  for (const x of heldNodes(w)) if (w.g.cls[x] === c) return x;
  return -1;
}

export interface StepOutcome {
  valid: boolean;
  /** The VirtualHome program line, e.g. "[WALK] <kitchen> (3)", when the action parsed. */
  program: string | null;
  /** Why it failed (the executor's error message), or null. */
  reason: string | null;
}

function nodeRef(w: World, x: number): string {
  return `<${CLASSES[w.g.cls[x]].name}> (${x})`;
}

function failMessage(w: World, code: number, a: number, b: number): string {
  const nm = (x: number) => (x >= 0 ? CLASSES[w.g.cls[x]].name : '?');
  return FAIL_MESSAGES[code].replace('{a}', nm(a)).replace('{b}', nm(b));
}

/**
 * Resolve the names of a parsed action (binding them, as SPA does even when the action then
 * fails), check it and apply it. Fills `out` and returns whether it executed.
 */
export function execute(w: World, pa: ParsedAction, out: StepOutcome): boolean {
  out.valid = false;
  out.program = null;
  out.reason = null;
  const verb = pa.verb;
  const arity = VERB_ARITY[verb];
  let a = -1;
  let b = -1;
  if (arity >= 1) {
    const ca = classId(pa.args[0]);
    if (ca < 0 || w.g.instances[ca].length === 0) {
      out.reason = `${pa.args[0]} isn't available in the environment.`;
      return false;
    }
    if (arity === 1) {
      a = resolve(w, ca);
      w.bind[ca] = a;
      w.lastObj = a;
    } else {
      a = resolveHeld(w, ca);
      if (a < 0) {
        out.reason = `${pa.args[0]} not in hand. Robot agent should hold ${pa.args[0]} firstly.`;
        return false;
      }
      w.bind[ca] = a;
      const cb = classId(pa.args[1]);
      if (cb < 0 || w.g.instances[cb].length === 0) {
        out.reason = `${pa.args[1]} isn't available in the environment.`;
        return false;
      }
      b = resolve(w, cb);
      if (b === a) {
        out.reason = `${pa.args[0]} can't be put or pour into itself.`;
        return false;
      }
      w.bind[cb] = b;
      w.lastObj = b;
    }
  }
  out.program = `[${VERB_NAMES[verb]}]` + (a >= 0 ? ' ' + nodeRef(w, a) : '') + (b >= 0 ? ' ' + nodeRef(w, b) : '');
  const code = check(w, verb, a, b);
  if (code !== 0) {
    out.reason = failMessage(w, code, a, b);
    return false;
  }
  apply(w, verb, a, b);
  out.valid = true;
  return true;
}
