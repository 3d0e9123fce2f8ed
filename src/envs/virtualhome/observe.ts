// What the agent reads after a successful action, in SPA's format: the objects close to the
// character with their states ("television is OFF and PLUGGED_IN"), then the relations among them
// ("remote_control ON coffee_table"), then "You have X." for what is held.
//
// "Close" here is the executor's own closeness rule (directly CLOSE, or CLOSE to / ON something
// directly CLOSE), so the list is exactly what the agent can reach. SPA printed only the direct
// CLOSE edges, and left relations other than ON out; we also print INSIDE between objects
// ("milk INSIDE fridge"), since the executor's walk rules make contents of containers close.
// Order is by node id (SPA's came out of a Python set), so transcripts are deterministic.

import { CLASSES, R_CLOSE, R_INSIDE, R_ON, stateList } from './catalog';
import { heldNodes, roomOf } from './executor';
import { CHAR, type World } from './world';

/** Nodes the character can reach, ascending (rooms and the character excluded). */
export function reachable(w: World, mark: Uint8Array): number[] {
  const n = w.n;
  const adj = w.adj;
  mark.fill(0, 0, n);
  const closeRow = (R_CLOSE * n + CHAR) * n;
  for (let c = 0; c < n; c++) {
    if (adj[closeRow + c] !== 1) continue;
    mark[c] = 1;
    const cRow = (R_CLOSE * n + c) * n;
    for (let x = 0; x < n; x++) {
      if (adj[cRow + x] === 1 || adj[(R_ON * n + x) * n + c] === 1) mark[x] = 1;
    }
  }
  const out: number[] = [];
  for (let x = 1; x < n; x++) if (mark[x] && !w.g.isRoom[x]) out.push(x);
  return out;
}

const stateText = new Map<number, string>();
function statesPhrase(mask: number): string {
  let s = stateText.get(mask);
  if (s === undefined) {
    s = mask === 0 ? '' : ' is ' + stateList(mask).join(' and ');
    stateText.set(mask, s);
  }
  return s;
}

export function describe(w: World, near: readonly number[], mark: Uint8Array): string {
  // `mark` is the membership array `reachable` filled for `near`.
  const names = w.g.cls;
  const parts: string[] = [];
  const seen = new Set<string>();
  for (const x of near) {
    const s = CLASSES[names[x]].name + statesPhrase(w.states[x]);
    if (!seen.has(s)) {
      seen.add(s);
      parts.push(s);
    }
  }
  const n = w.n;
  for (const r of [R_ON, R_INSIDE]) {
    const label = r === R_ON ? ' ON ' : ' INSIDE ';
    for (const x of near) {
      const row = (r * n + x) * n;
      for (const y of near) {
        if (w.adj[row + y] !== 1 || !mark[y]) continue;
        const s = CLASSES[names[x]].name + label + CLASSES[names[y]].name;
        if (!seen.has(s)) {
          seen.add(s);
          parts.push(s);
        }
      }
    }
  }
  let text = parts.length > 0 ? parts.join(', ') + '.' : '';
  const held = heldNodes(w);
  if (held.length > 0) {
    const have = held.map((h) => CLASSES[names[h]].name).join(', ');
    text += (text ? ' ' : '') + `You have ${have}.`;
  }
  if (text === '') {
    // SPA printed an empty observation here; saying where the character is reads better and
    // tells the agent the same thing (nothing is within reach).
    const room = roomOf(w, CHAR);
    text = room >= 0 ? `You are in the ${CLASSES[names[room]].name}.` : 'Nothing is close to you.';
  }
  return text;
}
