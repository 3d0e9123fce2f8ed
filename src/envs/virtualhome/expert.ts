// The expert: a planner that looks at the current graph and the task's goal predicates and says
// the next action. It does not replay the reference program, so it also works from states an
// agent got into (objects moved, containers left open, hands full, sitting somewhere else).
//
// Goals are worked through in an order that never undoes finished work:
//   1. placements (X ON/INSIDE Y) that end with X put down;
//   2. object states (plug in -> open/close -> clean -> switch -> plug out);
//   3. clothes to put on or take off (before gathering, since putting on frees the hand);
//   4. objects that must end up held (gather them);
//   5. edges that must still disappear (grab the object; usually 1-4 already did it);
//   6. pours (X INSIDE Y while still holding X): last among object goals, because walking while
//      holding X deletes X's INSIDE edges in VirtualHome's walk rule;
//   7. the character's posture (sit/lie on the right seat, or stand);
//   8. what the character faces (walking clears FACING, so this comes last).

import * as catalog from './catalog';
import * as executorMod from './executor';
import * as goalMod from './goal';
import { type Goal, type GoalEdge } from './goal';
import { V as GRAMMAR_V, formatAction } from './grammar';
import * as worldMod from './world';
import { type World } from './world';

// Bound once: tsx and vitest compile imported bindings to getter calls, which add up in the
// executor's inner loops.
const {
  CAN_OPEN, CLASS_WORDS, CLEAN, CLOSED, DIRTY, DRINKABLE, LYING, OFF, ON, OPEN, PLUGGED_IN,
  PLUGGED_OUT, POURABLE, RECIPIENT, R_FACING, R_INSIDE, R_ON, R_HOLDS_RH, SITTING, classId,
} = catalog;
const V = GRAMMAR_V;
const { edgeHolds } = goalMod;
const { check, freeHand, heldNodes, isClose, isHeld, isSeated } = executorMod;
const { CHAR } = worldMod;

const C_SPONGE = classId('sponge');
const TOO_MANY = 26; // executor failure code for a full seat

/** The goal sorted into the planner's categories; computed once per task. */
export interface Plan {
  places: GoalEdge[];
  pours: GoalEdge[];
  removes: GoalEdge[];
  states: { node: number; states: number }[];
  holds: number[];
  wear: number[];
  unwear: number[];
  charStates: number | null;
  seat: number;
  facing: number[];
}

export function makePlan(w: World, goal: Goal): Plan {
  const holds = goal.add.filter((e) => e.rel === R_HOLDS_RH).map((e) => e.to);
  const holdSet = new Set(holds);
  const canPour = (x: number, y: number) =>
    (w.g.props[x] & (POURABLE | DRINKABLE)) !== 0 && ((w.g.props[y] & RECIPIENT) !== 0 || w.g.cls[y] === C_SPONGE);
  const plan: Plan = {
    places: [], pours: [], removes: [], states: [], holds, wear: [], unwear: [], charStates: null, seat: -1, facing: [],
  };
  for (const e of goal.add) {
    if (e.rel === R_ON || e.rel === R_INSIDE) {
      if (e.from === CHAR) plan.seat = e.to;
      else if (e.to === CHAR) plan.wear.push(e.from);
      else if (e.rel === R_INSIDE && holdSet.has(e.from) && canPour(e.from, e.to)) plan.pours.push(e);
      else plan.places.push(e);
    } else if (e.rel === R_FACING) plan.facing.push(e.to);
  }
  for (const e of goal.remove) {
    if (e.from === CHAR) continue; // the character leaving a seat is posture
    if (e.to === CHAR) plan.unwear.push(e.from);
    else if (e.rel === R_ON || e.rel === R_INSIDE) plan.removes.push(e);
  }
  for (const t of goal.nodes) {
    if (t.node === CHAR) plan.charStates = t.states;
    else plan.states.push(t);
  }
  return plan;
}

function say(w: World, verb: number, a = -1, b = -1): string {
  return formatAction(verb, a >= 0 ? CLASS_WORDS[w.g.cls[a]] : undefined, b >= 0 ? CLASS_WORDS[w.g.cls[b]] : undefined);
}

function goTo(w: World, x: number): string {
  return isSeated(w) ? say(w, V.STANDUP) : say(w, V.WALK, x);
}

function closedBox(w: World, x: number): number {
  for (const y of w.out(R_INSIDE, x)) if (!w.g.isRoom[y] && w.states[y] & CLOSED) return y;
  return -1;
}

/** Free a hand, letting go of what the plan needs least. */
function release(w: World, plan: Plan, keep: number): string | null {
  const held = heldNodes(w).filter((h) => h !== keep);
  if (held.length === 0) return null;
  const needed = (h: number) =>
    plan.holds.includes(h) || plan.places.some((e) => e.from === h) || plan.wear.includes(h);
  const pick = held.find((h) => !needed(h)) ?? held.find((h) => !plan.holds.includes(h)) ?? held[0];
  return say(w, V.DROP, pick);
}

/** Next step towards holding x. */
function acquire(w: World, plan: Plan, x: number): string | null {
  if (freeHand(w) < 0) return release(w, plan, x);
  if (!isClose(w, x)) return goTo(w, x);
  const box = closedBox(w, x);
  if (box >= 0) {
    if (!isClose(w, box)) return goTo(w, box);
    if (w.states[box] & ON) return say(w, V.SWITCHOFF, box);
    return say(w, V.OPEN, box);
  }
  return say(w, V.GRAB, x);
}

function place(w: World, plan: Plan, e: GoalEdge): string | null {
  const x = e.from;
  const y = e.to;
  if (!isHeld(w, x)) return acquire(w, plan, x);
  if (!isClose(w, y)) return goTo(w, y);
  if (e.rel === R_INSIDE && w.g.props[y] & CAN_OPEN && !(w.states[y] & OPEN)) {
    if (w.states[y] & ON) return say(w, V.SWITCHOFF, y);
    if (freeHand(w) < 0) return release(w, plan, x);
    return say(w, V.OPEN, y);
  }
  return say(w, e.rel === R_ON ? V.PUTBACK : V.PUTIN, x, y);
}

function fixStates(w: World, plan: Plan, x: number, want: number): string | null {
  const cur = w.states[x];
  const needOn = (want & ON) !== 0 && (cur & OFF) !== 0;
  const needOff = (want & OFF) !== 0 && (cur & ON) !== 0;
  const needPlugIn = ((want & PLUGGED_IN) !== 0 || needOn) && (cur & PLUGGED_OUT) !== 0;
  const needOpen = (want & OPEN) !== 0 && (cur & CLOSED) !== 0;
  const needClose = (want & CLOSED) !== 0 && (cur & OPEN) !== 0;
  const needClean = (want & CLEAN) !== 0 && (cur & DIRTY) !== 0;
  const needPlugOut = (want & PLUGGED_OUT) !== 0 && (cur & PLUGGED_IN) !== 0;
  if (!(needOn || needOff || needPlugIn || needOpen || needClose || needClean || needPlugOut)) return null;
  if (!isClose(w, x)) return goTo(w, x);
  if (needPlugIn) return freeHand(w) < 0 ? release(w, plan, -1) : say(w, V.PLUGIN, x);
  if (needOpen) {
    if (cur & ON) return say(w, V.SWITCHOFF, x);
    return freeHand(w) < 0 ? release(w, plan, x) : say(w, V.OPEN, x);
  }
  if (needClose) return say(w, V.CLOSE, x);
  if (needClean) return say(w, V.WASH, x);
  if (needOn) return say(w, V.SWITCHON, x);
  if (needOff) return say(w, V.SWITCHOFF, x);
  return freeHand(w) < 0 ? release(w, plan, -1) : say(w, V.PLUGOUT, x);
}

function posture(w: World, plan: Plan): string | null {
  const cur = w.states[CHAR] & (SITTING | LYING);
  if (plan.charStates !== null) {
    const want = plan.charStates & (SITTING | LYING);
    if (want !== 0 && plan.seat >= 0) {
      const seat = plan.seat;
      if (cur === want && w.has(R_ON, CHAR, seat)) return null;
      if (cur !== 0) return say(w, V.STANDUP);
      if (!isClose(w, seat)) return say(w, V.WALK, seat);
      const verb = want & LYING ? V.LIE : V.SIT;
      if (check(w, verb, seat, -1) === TOO_MANY) {
        const blocker = w.into(R_ON, seat).find((o) => o !== CHAR);
        if (blocker !== undefined) return acquire(w, plan, blocker);
      }
      return say(w, verb, seat);
    }
    if (want === 0 && cur !== 0) return say(w, V.STANDUP);
  }
  return null;
}

/** The next expert action, or null when the goal holds (or nothing the planner knows applies). */
export function expertAction(w: World, plan: Plan): string | null {
  for (const e of plan.places) if (!edgeHolds(w, e)) return place(w, plan, e);
  for (const t of plan.states) {
    if (w.states[t.node] === t.states) continue;
    const a = fixStates(w, plan, t.node, t.states);
    if (a !== null) return a;
  }
  for (const x of plan.wear) {
    if (w.has(R_ON, x, CHAR)) continue;
    return isHeld(w, x) ? say(w, V.PUTON, x) : acquire(w, plan, x);
  }
  for (const x of plan.unwear) if (w.has(R_ON, x, CHAR)) return say(w, V.PUTOFF, x);
  for (const x of plan.holds) if (!isHeld(w, x)) return acquire(w, plan, x);
  for (const e of plan.removes) if (edgeHolds(w, e)) return acquire(w, plan, e.from);
  for (const e of plan.pours) {
    if (edgeHolds(w, e)) continue;
    if (!isHeld(w, e.from)) return acquire(w, plan, e.from);
    if (!isClose(w, e.to)) return goTo(w, e.to);
    return say(w, V.POUR, e.from, e.to);
  }
  const p = posture(w, plan);
  if (p !== null) return p;
  for (const x of plan.facing) if (!w.has(R_FACING, CHAR, x)) return say(w, V.TURNTO, x);
  // Anything left is a predicate no action can restore; say nothing rather than loop.
  return null;
}
