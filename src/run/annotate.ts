// ĉ_t for an episode a person plays by hand (the Playground's "credit as you play"): the trainer
// worker replays the environment from (env, taskId, seed) with the player's actions, gets each
// step's features through the same decider the rollouts use, and credits the steps with the run's
// progress estimator, as branch.ts does for a branch.
//
// The page sends the whole action list after every step. One EpisodeAnnotator keeps the episode
// it last replayed (environment, prompt, per-step features, the backbone's KV cache for it), so a
// list that extends the previous one costs one backbone call for the new step; any other list
// starts the replay over. The environment is deterministic given (taskId, seed), so the replay
// sees exactly what the player saw.

import type { Env } from '../envs/env';
import { getEnvSpec } from '../envs/registry';
import { annotateProgress } from '../rl/estimator-stage';
import type { PolicyModel } from '../rl/policy-model';
import { needsEstimator } from '../rl/rewards';
import { BatchedDecider, type StepFeatures } from '../rl/rollout-decider';
import type { StepRecord, Trajectory } from '../rl/trajectory';
import type { PromptState } from '../policy/prompts';
import { runModel, type BranchDeps, type BranchRun } from './branch';
import { TrainerError, type AnnotateRequest, type AnnotateResult } from './protocol';

let episodes = 0;

interface Replay {
  /** env|taskId|seed of the episode. */
  where: string;
  env: Env;
  episode: string;
  prompt: PromptState;
  admissible: string[];
  actions: string[];
  steps: StepRecord[];
  features: StepFeatures[];
  done: boolean;
}

/** One run's checkpoint, ready to credit hand-played episodes; destroy() frees its GPU buffers. */
export class EpisodeAnnotator {
  private replay: Replay | null = null;
  private decider: BatchedDecider | null = null;

  private constructor(
    private readonly deps: BranchDeps,
    private readonly run: BranchRun,
    private readonly model: PolicyModel,
    /** What this annotator was built for: the run and its checkpoint; another key needs another annotator. */
    readonly key: string,
  ) {}

  static key(runId: string, checkpointIteration: number): string {
    return `${runId}@${checkpointIteration}`;
  }

  static create(deps: BranchDeps, run: BranchRun, runId: string): EpisodeAnnotator {
    return new EpisodeAnnotator(deps, run, runModel(deps.gpu, deps.featureDim, run, run.checkpoint), EpisodeAnnotator.key(runId, run.checkpoint.iteration));
  }

  private async heads(): Promise<BatchedDecider> {
    this.decider ??= new BatchedDecider(this.deps.backbone, await this.model.heads());
    return this.decider;
  }

  private end(): void {
    if (this.replay && !this.replay.done) this.decider?.end([this.replay.episode]);
    this.replay = null;
  }

  private begin(req: AnnotateRequest, where: string): Replay {
    const spec = getEnvSpec(req.env);
    const env = spec.create();
    const obs = env.reset(req.taskId, req.seed);
    return {
      where, env, episode: `annotate#${++episodes}`, prompt: { env: req.env, goal: obs.goal, initialObservation: obs.text, history: [] },
      admissible: env.admissibleActions(), actions: [], steps: [], features: [], done: false,
    };
  }

  async annotate(req: AnnotateRequest): Promise<AnnotateResult> {
    if (!Array.isArray(req.actions) || !req.actions.every((a) => typeof a === 'string')) throw new TrainerError('bad-request', 'actions must be a list of strings');
    if (req.env !== this.run.config.env) throw new TrainerError('bad-request', `the run was trained on ${this.run.config.env}, not ${req.env}`);
    const same = (r: Replay) => r.actions.length <= req.actions.length && r.actions.every((a, i) => a === req.actions[i]);
    const where = `${req.env}|${req.taskId}|${req.seed}`;
    if (!this.replay || this.replay.where !== where || !same(this.replay)) {
      this.end();
      this.replay = this.begin(req, where);
    }
    const r = this.replay;
    const decider = await this.heads();
    for (let s = r.actions.length; s < req.actions.length; s++) {
      if (r.done) throw new TrainerError('bad-request', `the episode ended after step ${s}; ${req.actions.length - s} more action(s) were sent`);
      const action = req.actions[s];
      // A typed action outside the list is scored as one more candidate, so its ψ(a) exists.
      const candidates = r.admissible.includes(action) ? r.admissible : [...r.admissible, action];
      const [d] = await decider.decide([{ episode: r.episode, prompt: r.prompt, candidates }]);
      const res = r.env.step(action);
      r.features.push(d.features);
      r.steps.push({
        observation: '', admissible: candidates, action: candidates.indexOf(action), logpOld: 0, probs: [], value: d.value,
        valid: res.valid, reward: res.reward, done: res.done, won: res.won, stateKey: '',
      });
      r.actions.push(action);
      r.prompt.history.push({ action, observation: res.observation.text });
      if (res.done) {
        r.done = true;
        decider.end([r.episode]);
      } else r.admissible = r.env.admissibleActions();
    }
    const annotated = needsEstimator(this.run.config.reward);
    const checkpointStage = typeof this.run.checkpoint.meta.stage === 'string' ? this.run.checkpoint.meta.stage : 'unknown';
    const base = { valid: r.steps.map((s) => s.valid), annotated, checkpointIteration: this.run.checkpoint.iteration, checkpointStage };
    if (!annotated || !r.steps.length) return { ...base, progress: [] };
    // ĉ_t is written onto copies: the replay's records stay as they were for the next extension.
    const trajectory: Trajectory = {
      id: r.episode, env: req.env, taskId: req.taskId, seed: req.seed, iteration: 0, goal: r.prompt.goal,
      steps: r.steps.map((s) => ({ ...s })), finalReward: 0, won: false,
    };
    await annotateProgress(this.model, [{ trajectory, features: r.features }]);
    return { ...base, progress: trajectory.steps.map((s) => s.progress as number) };
  }

  destroy(): void {
    this.end();
    this.model.destroy();
  }
}
