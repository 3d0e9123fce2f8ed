// Task success as SPA's `check_env` decides it: the target graph's listed nodes must have exactly
// the target states, the "removed" edges must be gone and the "added" edges present. The target
// is the difference between a task's initial graph and the graph its reference program leaves.
//
// Which differences count: node state sets (objects and the character); ON and INSIDE edges
// between non-room nodes; the character's FACING and holding edges. Not counted: CLOSE edges
// and INSIDE-a-room edges, which only record where things happen to be. Holding is checked
// hand-agnostically (either hand), so grabbing things in another order still succeeds.

import * as catalog from './catalog';
import * as worldMod from './world';
import { type World } from './world';

// Bound once: tsx and vitest compile imported bindings to getter calls, which add up in the
// executor's inner loops.
const {
  CLASSES, RELATION_NAMES, R_CLOSE, R_FACING, R_HOLDS_LH, R_HOLDS_RH, R_INSIDE, R_ON, stateList,
} = catalog;
const { CHAR } = worldMod;

export interface GoalEdge {
  from: number;
  /** R_ON, R_INSIDE, R_FACING, or R_HOLDS_RH meaning "held in either hand". */
  rel: number;
  to: number;
}

export interface Goal {
  nodes: { node: number; states: number }[];
  add: GoalEdge[];
  remove: GoalEdge[];
}

function holds(w: World, x: number): boolean {
  return w.has(R_HOLDS_RH, CHAR, x) || w.has(R_HOLDS_LH, CHAR, x);
}

function counted(w: World, r: number, a: number, b: number): boolean {
  if (r === R_CLOSE) return false;
  if (r === R_INSIDE) return !w.g.isRoom[b];
  if (r === R_ON) return !w.g.isRoom[b];
  if (r === R_FACING) return a === CHAR;
  return a === CHAR; // holds
}

/** The predicates that turn `init` into `final`. */
export function diffGoal(init: World, final: World): Goal {
  const n = init.n;
  const goal: Goal = { nodes: [], add: [], remove: [] };
  for (let i = 0; i < n; i++) {
    if (init.states[i] !== final.states[i]) goal.nodes.push({ node: i, states: final.states[i] });
  }
  for (const r of [R_ON, R_INSIDE, R_FACING]) {
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        const before = init.has(r, a, b);
        const after = final.has(r, a, b);
        if (before === after || !counted(init, r, a, b)) continue;
        if (after) goal.add.push({ from: a, rel: r, to: b });
        else if (r !== R_FACING) goal.remove.push({ from: a, rel: r, to: b });
      }
    }
  }
  for (let x = 0; x < n; x++) {
    const before = holds(init, x);
    const after = holds(final, x);
    if (after && !before) goal.add.push({ from: CHAR, rel: R_HOLDS_RH, to: x });
    if (before && !after) goal.remove.push({ from: CHAR, rel: R_HOLDS_RH, to: x });
  }
  return goal;
}

export function edgeHolds(w: World, e: GoalEdge): boolean {
  return e.rel === R_HOLDS_RH ? holds(w, e.to) : w.has(e.rel, e.from, e.to);
}

export function goalMet(w: World, goal: Goal): boolean {
  for (const t of goal.nodes) if (w.states[t.node] !== t.states) return false;
  for (const e of goal.add) if (!edgeHolds(w, e)) return false;
  for (const e of goal.remove) if (edgeHolds(w, e)) return false;
  return true;
}

export function goalIsEmpty(goal: Goal): boolean {
  return goal.nodes.length === 0 && goal.add.length === 0 && goal.remove.length === 0;
}

/** Human-readable predicates, for fixtures, the playground and debugging. */
export function describeGoal(w: World, goal: Goal): string[] {
  const nm = (x: number) => (x === CHAR ? 'character' : `${CLASSES[w.g.cls[x]].name}(${x})`);
  const rel = (e: GoalEdge) => (e.rel === R_HOLDS_RH ? 'HOLDS' : RELATION_NAMES[e.rel]);
  const out: string[] = [];
  for (const t of goal.nodes) out.push(`${nm(t.node)} is {${stateList(t.states).join(', ')}}`);
  for (const e of goal.add) out.push(`${nm(e.from)} ${rel(e)} ${nm(e.to)}`);
  for (const e of goal.remove) out.push(`not ${nm(e.from)} ${rel(e)} ${nm(e.to)}`);
  return out;
}
