// Plays episodes in lockstep, in process: every round featurises the decisions of all live
// episodes in one call, asks the policy for π and V over all of them in one call, then steps each
// environment with its sampled (or greedy) action. Every step is recorded as a StepRecord, and the
// features of each decision are kept beside the trajectory so that the estimator and PPO reuse
// them instead of scoring the same prompts again.
//
// Sampling is seeded per episode (from the run seed and the trajectory id), so an episode's
// actions do not depend on which other episodes share its rounds. With a temperature T ≠ 1 the
// action is drawn from π^{1/T} (renormalised), while logpOld and probs record π itself: the
// distribution the PPO update recomputes.

import { Mulberry32 } from '../core/random';
import type { Env, EnvSpec } from '../envs/env';
import type { PromptState } from '../policy/prompts';
import type { Decision, DecisionFeatures, FeatureSource } from './features';
import type { PolicyOutput } from './policy-model';
import type { StepRecord, Trajectory } from './trajectory';

/** Anything that says log π and V for featurised decisions: the trained heads, or the prior alone. */
export interface ActingPolicy {
  act(feats: readonly DecisionFeatures[]): Promise<PolicyOutput[]>;
}

/** The frozen prior alone: π = softmax(κ·ℓ), V = 0. Needs no GPU. */
export class PriorPolicy implements ActingPolicy {
  constructor(readonly kappa = 1) {}
  async act(feats: readonly DecisionFeatures[]): Promise<PolicyOutput[]> {
    return feats.map((f) => ({ logp: logSoftmax(f.prior, this.kappa), value: 0 }));
  }
}

export function logSoftmax(x: ArrayLike<number>, scale = 1): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) max = Math.max(max, scale * x[i]);
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.exp(scale * x[i] - max);
  const lse = max + Math.log(sum);
  return Float64Array.from({ length: x.length }, (_, i) => scale * x[i] - lse);
}

export interface EpisodeSpec {
  /** Trajectory id, unique within the run; seeds the episode's sampling. */
  id: string;
  taskId: string;
  /** The environment's reset seed. */
  seed: number;
  iteration: number;
}

export type Sampling = { kind: 'greedy' } | { kind: 'sample'; temperature: number; seed: number };

export interface EpisodeLoopOptions {
  env: EnvSpec;
  episodes: readonly EpisodeSpec[];
  features: FeatureSource;
  policy: ActingPolicy;
  sampling: Sampling;
  /** Step cap (default and upper bound: the env's maxSteps). */
  maxSteps?: number;
  /** Most episodes live at once (default: all). */
  parallel?: number;
  /** Called between rounds; may wait (pause) or throw (cancel). */
  checkpoint?: () => Promise<void>;
  /** Decisions done so far, after each round. */
  onRound?: (decisions: number) => void;
  /** Checkpoint id written into every trajectory. */
  checkpointId?: string;
}

export interface Episode {
  trajectory: Trajectory;
  /** Features of each step's decision (same order as trajectory.steps). */
  features: DecisionFeatures[];
}

interface Live {
  spec: EpisodeSpec;
  env: Env;
  rng: Mulberry32 | null;
  prompt: PromptState;
  steps: StepRecord[];
  features: DecisionFeatures[];
  goal: string;
}

/** Index drawn from log-probabilities at temperature T, with one uniform draw. */
export function sampleIndex(logp: ArrayLike<number>, temperature: number, u: number): number {
  const w = logSoftmax(logp, 1 / temperature).map(Math.exp);
  let x = u;
  for (let i = 0; i < w.length; i++) {
    x -= w[i];
    if (x < 0) return i;
  }
  return w.length - 1;
}

export function argmax(xs: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i] > xs[best]) best = i;
  return best;
}

/** Plays every episode to its end (or the step cap) and returns them in the order given. */
export async function playEpisodes(o: EpisodeLoopOptions): Promise<Episode[]> {
  const cap = Math.min(o.maxSteps ?? o.env.maxSteps, o.env.maxSteps);
  const parallel = Math.max(1, o.parallel ?? o.episodes.length);
  const done: (Episode | undefined)[] = new Array(o.episodes.length);
  let next = 0;
  let decisions = 0;
  const live: (Live & { index: number })[] = [];
  const start = () => {
    while (live.length < parallel && next < o.episodes.length) {
      const spec = o.episodes[next];
      const env = o.env.create();
      const obs = env.reset(spec.taskId, spec.seed);
      live.push({
        index: next++, spec, env, goal: obs.goal, steps: [], features: [],
        rng: o.sampling.kind === 'sample' ? Mulberry32.of(`${o.sampling.seed}:${spec.id}`) : null,
        prompt: { env: o.env.name, goal: obs.goal, initialObservation: obs.text, history: [], admissible: env.admissibleActions() },
      });
    }
  };
  start();
  while (live.length) {
    await o.checkpoint?.();
    const decisionsNow: Decision[] = live.map((l) => ({ prompt: l.prompt, candidates: l.prompt.admissible! }));
    const feats = await o.features.features(decisionsNow);
    const outs = await o.policy.act(feats);
    for (let i = live.length - 1; i >= 0; i--) {
      const l = live[i], out = outs[i], f = feats[i];
      const admissible = l.prompt.admissible!;
      const action = l.rng && o.sampling.kind === 'sample' ? sampleIndex(out.logp, o.sampling.temperature, l.rng.next()) : argmax(out.logp);
      const observation = l.prompt.history.length ? l.prompt.history[l.prompt.history.length - 1].observation : l.prompt.initialObservation;
      const stateKey = l.env.stateKey();
      const r = l.env.step(admissible[action]);
      const cut = !r.done && l.steps.length + 1 >= cap;
      l.steps.push({
        observation, admissible, action, logpOld: out.logp[action], probs: Array.from(out.logp, Math.exp), value: out.value,
        valid: r.valid, reward: r.reward, done: r.done, won: r.won, stateKey,
      });
      l.features.push(f);
      decisions++;
      if (r.done || cut) {
        const steps = l.steps;
        done[l.index] = {
          trajectory: {
            id: l.spec.id, env: o.env.name, envVersion: o.env.version, taskId: l.spec.taskId, seed: l.spec.seed, iteration: l.spec.iteration,
            goal: l.goal, steps, finalReward: steps.reduce((a, s) => a + s.reward, 0), won: r.won,
            ...(o.checkpointId ? { checkpoint: o.checkpointId } : {}),
          },
          features: l.features,
        };
        live.splice(i, 1);
      } else {
        l.prompt = { ...l.prompt, history: [...l.prompt.history, { action: admissible[action], observation: r.observation.text }], admissible: l.env.admissibleActions() };
      }
    }
    // Keep the live list in episode order so that rounds featurise in a fixed order.
    start();
    live.sort((a, b) => a.index - b.index);
    o.onRound?.(decisions);
  }
  return done as Episode[];
}
