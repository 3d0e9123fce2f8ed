// Choosing an action from the policy's log-probabilities over one state's candidates.
//
//   exploration (temperature T > 0):  π_T(a) = softmax_a(log π(a) / T), a ~ π_T
//   evaluation (greedy):             a = argmax_a log π(a)  (ties: the first candidate)
//
// log π already carries the policy's normaliser, so dividing by T and renormalising equals
// softmax((κ·ℓ + f_θ) / T). The distribution that is recorded is the one the action was drawn
// from: π_T when sampling (π itself at T = 1), π when greedy.

import { Mulberry32, type SeededRng } from '../core/random';
import { hashString } from '../core/hash';

export type SamplingMode = { kind: 'sample'; temperature: number } | { kind: 'greedy' };

export interface Choice {
  index: number;
  /** The recorded distribution over every candidate (sums to 1). */
  probs: number[];
  /** log of probs[index], computed in float64 from the log-probabilities (not log of a rounded prob). */
  logp: number;
}

/** softmax(logp / T) in float64, with its log-probabilities. */
export function tempered(logp: ArrayLike<number>, temperature: number): { probs: number[]; logProbs: number[] } {
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new RangeError(`temperature must be a positive number, got ${temperature}`);
  const n = logp.length;
  if (n === 0) throw new RangeError('cannot choose among zero candidates');
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, logp[i] / temperature);
  let z = 0;
  for (let i = 0; i < n; i++) z += Math.exp(logp[i] / temperature - max);
  const lse = max + Math.log(z);
  const logProbs = Array.from({ length: n }, (_, i) => logp[i] / temperature - lse);
  return { probs: logProbs.map(Math.exp), logProbs };
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** Picks an action; `rng` is only drawn from when sampling (one draw per decision). */
export function choose(logp: ArrayLike<number>, mode: SamplingMode, rng: SeededRng): Choice {
  const temperature = mode.kind === 'sample' ? mode.temperature : 1;
  const { probs, logProbs } = tempered(logp, temperature);
  if (mode.kind === 'greedy') {
    const index = argmax(logp);
    return { index, probs, logp: logProbs[index] };
  }
  // Inverse CDF over the float64 probabilities; the last index absorbs rounding.
  let u = rng.next();
  let index = probs.length - 1;
  for (let i = 0; i < probs.length; i++) {
    u -= probs[i];
    if (u < 0) {
      index = i;
      break;
    }
  }
  return { index, probs, logp: logProbs[index] };
}

/**
 * The generator of one episode: its own stream, keyed by the collection seed and the episode's
 * id, so an episode's draws do not depend on which slot it ran in or what ran beside it.
 */
export function episodeRng(seed: number, episodeId: string): SeededRng {
  return new Mulberry32(hashString(`rollout:${seed}:${episodeId}`));
}
