// "Branch from here" (issue 11, Trajectories): replay the environment to step t of a stored
// trajectory, take another action there (the user's, or one the policy samples), let the policy
// play the rest, and credit both the branch and the original with the run's estimator (ĉ_t).
//
// How: the original (A) and the branch (B) are played side by side in one environment each,
// through the same decider the rollout engine uses (BatchedDecider: one backbone call for both,
// each episode's KV cache reused as its prompt grows). Both take the recorded actions before t,
// so their prompts, anchors and features are exactly the ones a rollout would have had; every
// replayed observation and candidate list is checked against the record, and a mismatch (the
// environment changed since the trajectory was played) is an error rather than a quietly
// different branch. A keeps taking the recorded actions to its end, which gives the features its
// ĉ_t are computed from; B takes the new action at t and then the policy's.
//
// Records: B's steps before t are the original's records (what happened); from t on they are the
// current policy's (π over the candidates, log π of the action taken, V). At t, π is the untempered
// policy; a sampled replacement is drawn from π with the original action left out, so the branch
// always differs at t when there is another candidate. The continuation is drawn from a stream
// keyed by the run seed and the request, so the same request gives the same branch.
//
// Candidates: up to t (and for A throughout) each decision scores the recorded candidates, which
// may hold invalid distractors (rl/candidates.ts); replay checks that their admissible part is
// what the env offers now. After t, B's candidates are drawn afresh with the run's
// candidates.invalid, from a stream keyed like the continuation's.

import type { Env } from '../envs/env';
import { getEnvSpec } from '../envs/registry';
import type { Gpu } from '../gpu';
import { annotateProgress } from '../rl/estimator-stage';
import { DEFAULT_CAPACITY, DEFAULT_HEAD_HIDDEN, DEFAULT_KAPPA, PolicyModel, type HeadsCapacity } from '../rl/policy-model';
import { needsEstimator } from '../rl/rewards';
import { candidateRng, mixCandidates } from '../rl/candidates';
import { BatchedDecider, type EpisodeBackbone, type StepFeatures } from '../rl/rollout-decider';
import { choose, episodeRng, tempered } from '../rl/sampling';
import type { StepRecord, Trajectory } from '../rl/trajectory';
import type { PromptState } from '../policy/prompts';
import type { RunConfig } from './config';
import { stepCap } from './pipeline';
import type { Checkpoint } from './persistence/store';
import { TrainerError, type BranchResult, type RunOptions } from './protocol';

export interface BranchDeps {
  gpu: Gpu;
  backbone: EpisodeBackbone;
  featureDim: number;
}

export interface BranchRun {
  config: RunConfig;
  /** The run's pipeline settings (head widths, decision cap). */
  options?: RunOptions & { kappa?: number; capacity?: HeadsCapacity };
  /** The checkpoint whose policy and estimator play and credit the branch. */
  checkpoint: Checkpoint;
}

export interface BranchSpec {
  step: number;
  action?: string;
  continuation?: 'sample' | 'greedy';
  onProgress?: (fraction: number) => void;
}

/** The run's heads as the pipeline builds them (same widths, κ and seed), with a checkpoint loaded. */
export function runModel(gpu: Gpu, featureDim: number, run: Pick<BranchRun, 'config' | 'options'>, checkpoint?: Checkpoint): PolicyModel {
  const c = run.config;
  const model = new PolicyModel(gpu, {
    featureDim, hidden: run.options?.headHidden ?? DEFAULT_HEAD_HIDDEN, estimatorHidden: c.estimator.hidden,
    kappa: run.options?.kappa ?? DEFAULT_KAPPA, seed: c.seed,
  }, run.options?.capacity ?? DEFAULT_CAPACITY);
  if (checkpoint) {
    try {
      model.load(checkpoint.blobs);
    } catch (e) {
      model.destroy();
      throw e;
    }
  }
  return model;
}

let branches = 0;

interface Player {
  id: string;
  env: Env;
  prompt: PromptState;
  observation: string;
  admissible: string[];
  /** What the decider scores: the recorded candidates while replaying, else admissible + distractors. */
  candidates: string[];
  stateKey: string;
  steps: StepRecord[];
  features: StepFeatures[];
  done: boolean;
  /** Cut by the decision cap: the next decision only reads V for the bootstrap. */
  cut: boolean;
  bootstrap?: number;
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

function diverged(original: Trajectory, step: number, what: string): TrainerError {
  return new TrainerError('bad-request', `replaying ${original.id} diverged at step ${step}: ${what}. ` +
    `The environment no longer plays this trajectory the way it was recorded (env version ${original.envVersion ?? 'unknown'} when recorded), so it cannot be branched.`);
}

/** Plays the branch of `original` at `spec.step` and credits both with the run's estimator. */
export async function branchTrajectory(deps: BranchDeps, run: BranchRun, original: Trajectory, spec: BranchSpec): Promise<BranchResult> {
  const t = spec.step;
  const n = original.steps.length;
  if (!Number.isInteger(t) || t < 0 || t >= n) throw new TrainerError('bad-request', `step must be an integer in 0…${n - 1} for ${original.id}, got ${t}`);
  const at = original.steps[t];
  if (spec.action !== undefined && !at.admissible.includes(spec.action)) {
    throw new TrainerError('bad-request', `"${spec.action}" is not among the ${at.admissible.length} actions admissible at step ${t} of ${original.id}`);
  }
  const c = run.config;
  const envSpec = getEnvSpec(original.env);
  // The run's own cap (its option, else its config's episode.maxSteps), as its episodes had.
  const cap = Math.max(n, stepCap(c, run.options ?? {}) ?? envSpec.maxSteps);
  const annotated = needsEstimator(c.reward);
  const key = `branch/${original.id}/${t}/${spec.action ?? '<policy>'}/${spec.continuation ?? 'sample'}`;
  const rng = episodeRng(c.seed, key);
  const crng = candidateRng(c.seed, key);
  // The run's own setting; a run saved before it existed reads back from its store as 0 (config.ts savedRunConfig).
  const invalid = c.candidates.invalid;
  const mode = spec.continuation === 'greedy' ? { kind: 'greedy' as const } : { kind: 'sample' as const, temperature: c.explore.temperature };

  const model = runModel(deps.gpu, deps.featureDim, run, run.checkpoint);
  // Ids unique per call: the backbone keys its KV caches by episode, and a run may be rolling out beside us.
  const prefix = `branch#${++branches}/`;
  const decider = new BatchedDecider(deps.backbone, await model.heads());
  const players: Player[] = [];
  try {
    for (const id of ['original', 'branch']) {
      const env = envSpec.create();
      const obs = env.reset(original.taskId, original.seed);
      players.push({
        id: prefix + id, env, prompt: { env: original.env, goal: obs.goal, initialObservation: obs.text, history: [] },
        observation: obs.text, admissible: env.admissibleActions(), candidates: [], stateKey: env.stateKey(), steps: [], features: [], done: false, cut: false,
      });
    }
    const [A, B] = players;
    /** The next decision's candidates: recorded while replaying (A, and B up to t), else drawn. */
    const candidatesOf = (p: Player): string[] => {
      const s = p.steps.length;
      if ((p === A || s <= t) && s < n) return original.steps[s].admissible;
      return mixCandidates(p.admissible, invalid > 0 ? p.env.plausibleActions?.() : undefined, invalid, crng);
    };
    for (const p of players) p.candidates = candidatesOf(p);
    let rounds = 0;
    for (;;) {
      const live = players.filter((p) => !p.done);
      if (!live.length) break;
      const decided = await decider.decide(live.map((p) => ({ episode: p.id, prompt: p.prompt, candidates: p.candidates })));
      spec.onProgress?.(Math.min(0.95, ++rounds / (2 * n + 4)));
      live.forEach((p, i) => {
        const d = decided[i];
        const s = p.steps.length;
        if (p.cut) {
          p.bootstrap = d.value;
          p.done = true;
          decider.end([p.id]);
          return;
        }
        let index: number;
        let record: Omit<StepRecord, 'valid' | 'reward' | 'done' | 'won'>;
        if (p === A || s < t) {
          const rec = original.steps[s];
          if (p.observation !== rec.observation) throw diverged(original, s, 'the observation differs from the recorded one');
          if (!sameList(admissiblePart(rec.admissible, p.admissible), p.admissible)) throw diverged(original, s, 'the admissible actions differ from the recorded ones');
          index = rec.action;
          record = { ...rec };
          delete (record as Partial<StepRecord>).progress;
        } else {
          let chosen: { index: number; probs: number[]; logp: number };
          if (s === t) {
            if (!sameList(admissiblePart(p.candidates, p.admissible), p.admissible)) throw diverged(original, s, 'the admissible actions differ from the recorded ones');
            const pi = tempered(d.logp, 1);
            const i0 = spec.action !== undefined ? p.candidates.indexOf(spec.action) : drawExcept(pi.probs, at.action, rng.next());
            chosen = { index: i0, probs: pi.probs, logp: pi.logProbs[i0] };
          } else chosen = choose(d.logp, mode, rng);
          index = chosen.index;
          record = { observation: p.observation, admissible: p.candidates, action: index, logpOld: chosen.logp, probs: chosen.probs, value: d.value, stateKey: p.stateKey };
        }
        p.features.push(d.features);
        const action = p.candidates[index];
        const res = p.env.step(action);
        if (p === A || s < t) {
          const rec = original.steps[s];
          if (res.valid !== rec.valid || res.done !== rec.done || res.reward !== rec.reward) throw diverged(original, s, `the environment answered "${action}" differently`);
        }
        p.steps.push({ ...record, valid: res.valid, reward: res.reward, done: res.done, won: res.won });
        p.prompt.history.push({ action, observation: res.observation.text });
        p.observation = res.observation.text;
        if (res.done || (p === A && p.steps.length === n)) {
          p.done = true;
          decider.end([p.id]);
          return;
        }
        p.admissible = p.env.admissibleActions();
        p.candidates = candidatesOf(p);
        p.stateKey = p.env.stateKey();
        if (p.steps.length >= cap) p.cut = true;
      });
    }

    const last = B.steps[B.steps.length - 1];
    const branch: Trajectory = {
      id: `${original.id}/branch@${t}/${B.steps[t].admissible[B.steps[t].action]}`,
      env: original.env, envVersion: envSpec.version, taskId: original.taskId, seed: original.seed, iteration: original.iteration,
      goal: B.prompt.goal, steps: B.steps, finalReward: last.reward, won: last.won,
      ...(B.bootstrap !== undefined ? { bootstrapValue: B.bootstrap } : {}),
      checkpoint: `it${run.checkpoint.iteration}`,
    };
    // The original keeps its records; only ĉ_t is rewritten, by this checkpoint's estimator.
    const credited: Trajectory = { ...original, steps: original.steps.map(({ progress: _old, ...rest }) => rest) };
    if (annotated) await annotateProgress(model, [{ trajectory: credited, features: A.features }, { trajectory: branch, features: B.features }]);
    spec.onProgress?.(1);
    return { trajectory: branch, original: credited, annotated, checkpointIteration: run.checkpoint.iteration };
  } finally {
    for (const p of players) if (!p.done) decider.end([p.id]);
    model.destroy();
  }
}

/** The entries of recorded candidates that the env admits now, in recorded order (distractors dropped). */
function admissiblePart(recorded: readonly string[], admissible: readonly string[]): string[] {
  const have = new Set(admissible);
  return recorded.filter((a) => have.has(a));
}

/** Inverse-CDF draw from `probs` with index `skip` left out (renormalised); `skip` itself when it is the only candidate. */
export function drawExcept(probs: readonly number[], skip: number, u: number): number {
  if (probs.length === 1) return 0;
  const z = probs.reduce((a, p, i) => (i === skip ? a : a + p), 0);
  let last = -1;
  let left = u * z;
  for (let i = 0; i < probs.length; i++) {
    if (i === skip) continue;
    last = i;
    left -= probs[i];
    if (left < 0) return i;
  }
  return last;
}
