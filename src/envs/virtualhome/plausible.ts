// Well-formed commands that fail at a state (Env.plausibleActions): the mistakes of an agent that
// writes its actions freely. Over the object classes the agent has met (the task's own objects,
// named by its description, and what observations have shown), the verbs an LLM reaches for:
// grab, open, close, switch on/off, sit on, drop, and put X on/in Y, kept only when the executor
// would refuse them right now (too far, inside something closed, already open, hands full, not
// holding X...). Refusal is decided by the executor's own check on the node the name resolves
// to, so every string listed fails when stepped (a test holds us to that).

import * as catalog from './catalog';
import * as executorMod from './executor';
import { V, formatAction } from './grammar';
import type { World } from './world';

const { CAN_OPEN, CLASS_WORDS, CONTAINERS, GRABBABLE, HAS_SWITCH, SITTABLE, SURFACES } = catalog;
const { check, resolve, resolveHeld } = executorMod;

/** One-argument verbs and the property that makes a class a natural object of each. */
const ONE_ARG: ReadonlyArray<readonly [number, number]> = [
  [V.GRAB, GRABBABLE], [V.OPEN, CAN_OPEN], [V.CLOSE, CAN_OPEN], [V.SWITCHON, HAS_SWITCH], [V.SWITCHOFF, HAS_SWITCH],
  [V.SIT, SITTABLE], [V.DROP, GRABBABLE],
];

/**
 * Failing commands over the classes in `met` (a flag per class id: the task's own objects and
 * what has been seen), sorted, without duplicates. Two-object puts take their target from
 * `named` (the task's own objects) only, which keeps the list to tens rather than hundreds.
 * `admissible` is excluded outright (it never fails, but the contract says disjoint).
 */
export function plausibleActions(w: World, met: Uint8Array, named: Uint8Array, admissible: readonly string[]): string[] {
  const g = w.g;
  const out = new Set<string>();
  const classes = g.present.filter((c) => met[c] === 1);
  for (const c of classes) {
    const x = resolve(w, c);
    if (x < 0 || g.isRoom[x]) continue;
    for (const [verb, need] of ONE_ARG) {
      if (!(g.props[x] & need)) continue;
      // DROP is the letting-go verb: the executor refuses it unless x is held.
      if (check(w, verb, x, -1) !== 0) out.add(formatAction(verb, CLASS_WORDS[c]));
    }
  }
  // put X on/in Y: X a met grabbable (held or not), Y one of the task's surfaces or containers.
  for (const cx of classes) {
    const x = resolve(w, cx);
    if (x < 0 || !(g.props[x] & GRABBABLE)) continue;
    const h = resolveHeld(w, cx);
    for (const cy of g.present) {
      if (cy === cx || named[cy] !== 1) continue;
      const y = resolve(w, cy);
      if (y < 0 || g.isRoom[y]) continue;
      for (const [verb, need] of [[V.PUTBACK, SURFACES], [V.PUTIN, CONTAINERS]] as const) {
        if (!(g.props[y] & need)) continue;
        // Not holding X fails before Y is looked at, as in the executor.
        if (h < 0 || y === h || check(w, verb, h, y) !== 0) out.add(formatAction(verb, CLASS_WORDS[cx], CLASS_WORDS[cy]));
      }
    }
  }
  for (const a of admissible) out.delete(a);
  return [...out].sort();
}
