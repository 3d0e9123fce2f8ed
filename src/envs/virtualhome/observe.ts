// What the agent reads after a successful action, in SPA's format: the objects close to the
// character with their states ("television is OFF and PLUGGED_IN"), then the relations among them
// ("remote_control ON coffee_table"), then "You have X." for what is held.
//
// "Close" here is the executor's own closeness rule (directly CLOSE, or CLOSE to / ON something
// directly CLOSE), so the list is exactly what the agent can reach. SPA printed only the direct
// CLOSE edges, and left relations other than ON out; we also print INSIDE between objects
// ("milk INSIDE fridge"), since the executor's walk rules make contents of containers close.
// Order is by node id (SPA's came out of a Python set), so transcripts are deterministic.

import * as catalog from './catalog';
import * as executorMod from './executor';
import * as worldMod from './world';
import { type World } from './world';

// Bound once: tsx and vitest compile imported bindings to getter calls, which add up in the
// executor's inner loops.
const {
  CLASSES, R_CLOSE, R_INSIDE, R_ON, stateList,
} = catalog;
const { heldNodes, roomOf } = executorMod;
const { CHAR, bitsToList, lowBit } = worldMod;

/**
 * Nodes the character can reach, ascending (rooms and the character excluded), and their bitset
 * in `mark` (W words): the direct CLOSE set, plus what is CLOSE to or ON any of those.
 */
export function reachable(w: World, mark: Uint32Array): number[] {
  const W = w.W;
  mark.fill(0, 0, W);
  const c0 = w.row(R_CLOSE, CHAR);
  for (let k = 0; k < W; k++) {
    let word = w.outs[c0 + k];
    mark[k] |= word;
    while (word !== 0) {
      const c = (k << 5) + lowBit(word);
      word &= word - 1;
      const cc = w.row(R_CLOSE, c);
      const oc = w.row(R_ON, c);
      for (let j = 0; j < W; j++) mark[j] |= w.outs[cc + j] | w.ins[oc + j];
    }
  }
  mark[0] &= ~1; // the character
  for (let k = 0; k < W; k++) mark[k] &= ~w.roomBits[k];
  return bitsToList(mark, 0, W);
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

export function describe(w: World, near: readonly number[], mark: Uint32Array): string {
  // `mark` is the bitset `reachable` filled for `near`.
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
  const W = w.W;
  for (const r of [R_ON, R_INSIDE]) {
    const label = r === R_ON ? ' ON ' : ' INSIDE ';
    for (const x of near) {
      const base = w.row(r, x);
      for (let k = 0; k < W; k++) {
        let word = w.outs[base + k] & mark[k];
        while (word !== 0) {
        const y = (k << 5) + lowBit(word);
        word &= word - 1;
        const s = CLASSES[names[x]].name + label + CLASSES[names[y]].name;
        if (!seen.has(s)) {
          seen.add(s);
          parts.push(s);
        }
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
