// The candidate set of one decision: the env's admissible actions plus a few invalid
// distractors drawn from its plausible (well-formed but ineffective) actions. With admissible
// candidates only, every chosen action is valid by construction, g_t ≡ 1 and SPA's β·g_t is a
// per-step constant; with distractors in the set the policy can pick an action that does
// nothing, as an LLM that writes actions freely does in ALFWorld ("Nothing happens."), so g_t
// and grounding accuracy measure something.
//
// How many: at most `invalid`, at most a third of the admissible count (rounded up, so a
// decision is never mostly distractors), and no more than the env offers. Which and where: a
// seeded draw without replacement, each distractor inserted at a drawn position, so the
// admissible actions keep the env's order and a candidate's position says nothing about whether
// it is valid. With invalid = 0 (or an env without plausibleActions) the set is exactly the
// admissible list and nothing is drawn.

import { Mulberry32, type SeededRng } from '../core/random';
import { hashString } from '../core/hash';

/** The number of distractors for a state with `admissible` actions and `plausible` on offer. */
export function distractorCount(invalid: number, admissible: number, plausible: number): number {
  return Math.max(0, Math.min(invalid, Math.ceil(admissible / 3), plausible));
}

/**
 * The candidates: `admissible` in its order with up to `invalid` distractors from `plausible`
 * inserted at drawn positions. Strings of `plausible` that are admissible are never drawn.
 */
export function mixCandidates(admissible: string[], plausible: readonly string[] | undefined, invalid: number, rng: SeededRng): string[] {
  // Nothing to mix: the admissible list itself, as the engine used it before distractors existed.
  if (!(invalid > 0) || !plausible?.length) return admissible;
  const have = new Set(admissible);
  const pool = [...new Set(plausible)].filter((p) => !have.has(p));
  const k = distractorCount(invalid, admissible.length, pool.length);
  const out = admissible.slice();
  for (let i = 0; i < k; i++) {
    // Partial Fisher–Yates: the i-th distractor is drawn from what is left.
    const j = i + Math.floor(rng.next() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j], pool[i]];
    out.splice(Math.floor(rng.next() * (out.length + 1)), 0, pool[i]);
  }
  return out;
}

/**
 * The distractor stream of one episode, keyed like the action draws (collection seed, episode
 * id) but apart from them, so the action draws' own stream is the same with or without them.
 */
export function candidateRng(seed: number, episodeId: string): SeededRng {
  return new Mulberry32(hashString(`candidates:${seed}:${episodeId}`));
}
