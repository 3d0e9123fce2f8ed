// Stage 2: behaviour cloning of the policy adapter on expert trajectories (DESIGN.md §1.1). Every
// environment ships an expert, so the demonstrations are generated: each training task is played
// by env.expert() and every decision (prompt state, candidates, the expert's choice) is kept;
// the candidates are drawn as the rollouts draw them (admissible actions plus up to `invalid`
// distractors, candidates.ts), so BC also learns to avoid actions that do nothing; their features come from the rollouts' own decider. The adapter is then trained on
// L = −mean_s log π(a*_s | s) through BcTrainer, in seeded shuffled minibatches.

import { Mulberry32 } from '../core/random';
import type { EnvSpec } from '../envs/env';
import { AdamW, BcTrainer, featureNormFrom, PolicyBatchBuffer } from '../nn';
import type { PromptState } from '../policy/prompts';
import { candidateRng, mixCandidates } from './candidates';
import { chunkByCapacity, policyHost, type PolicyModel } from './policy-model';
import type { Decider, StepFeatures } from './rollout-decider';

/** One expert episode: the prompt state and candidates at each decision, and the expert's pick. */
export interface ExpertEpisode {
  id: string;
  decisions: { prompt: PromptState; candidates: string[]; expert: number }[];
}

/**
 * Plays the expert on each task. A step whose expert action is not among the admissible ones
 * cannot be a training target for a policy over that set: the episode's demonstration stops
 * there (later prompts would otherwise skip a step the policy never saw). With `invalid` > 0 each
 * decision's candidates carry distractors drawn as in a rollout, from a stream keyed by the seed
 * and the demo's id.
 */
export function expertEpisodes(env: EnvSpec, taskIds: readonly string[], seed: number, maxSteps = env.maxSteps, invalid = 0): ExpertEpisode[] {
  return taskIds.map((taskId) => {
    const id = `expert/${taskId}`;
    const crng = candidateRng(seed, id);
    const e = env.create();
    const obs = e.reset(taskId, seed);
    const prompt: PromptState = { env: env.name, goal: obs.goal, initialObservation: obs.text, history: [] };
    const decisions: ExpertEpisode['decisions'] = [];
    for (let t = 0; t < Math.min(maxSteps, env.maxSteps); t++) {
      const action = e.expert();
      if (action === null) break;
      const admissible = e.admissibleActions();
      if (!admissible.includes(action)) break;
      const candidates = mixCandidates(admissible, invalid > 0 ? e.plausibleActions?.() : undefined, invalid, crng);
      decisions.push({ prompt: { ...prompt, history: [...prompt.history] }, candidates, expert: candidates.indexOf(action) });
      const r = e.step(action);
      prompt.history.push({ action, observation: r.observation.text });
      if (r.done) break;
    }
    return { id, decisions };
  });
}

/**
 * Features of every expert decision through the same decider the rollouts use (so BC trains on
 * exactly the inputs the policy later sees). Episodes advance together, one decide call per
 * round, so each episode's cached prompt only grows.
 */
export async function expertFeatures(decider: Decider, demos: readonly ExpertEpisode[], checkpoint?: () => Promise<void>): Promise<{ features: StepFeatures[]; expert: number[] }> {
  const perEpisode: StepFeatures[][] = demos.map(() => []);
  const longest = Math.max(0, ...demos.map((d) => d.decisions.length));
  for (let t = 0; t < longest; t++) {
    await checkpoint?.();
    const live = demos.map((d, i) => [d, i] as const).filter(([d]) => t < d.decisions.length);
    const out = await decider.decide(live.map(([d]) => ({ episode: d.id, prompt: d.decisions[t].prompt, candidates: d.decisions[t].candidates })));
    live.forEach(([d, i], k) => {
      perEpisode[i].push(out[k].features);
      if (t === d.decisions.length - 1) decider.end([d.id]);
    });
  }
  return { features: perEpisode.flat(), expert: demos.flatMap((d) => d.decisions.map((x) => x.expert)) };
}

export interface BcOptions {
  epochs: number;
  /** Cap on optimiser steps (0: the epochs decide). */
  steps: number;
  lr: number;
  /** States per minibatch. */
  minibatch: number;
  seed: number;
  /** Between minibatches: may wait (pause) or throw (cancel). */
  checkpoint?: () => Promise<void>;
  onStep?: (done: number, total: number) => void;
}

export interface BcResult {
  'bc/loss': number;
  'bc/accuracy': number;
  'bc/entropy': number;
  'bc/steps': number;
  'bc/demos': number;
}

/**
 * Trains the adapter on the expert's choices; returns the last epoch's mean metrics. First it
 * fixes the adapter's input standardisation from these demonstrations' features (heads.ts
 * FeatureNorm: the raw hidden states barely differ between candidates); the normaliser is saved
 * with the checkpoint and used by every later forward (rollouts, PPO, eval).
 */
export async function trainBc(model: PolicyModel, feats: readonly StepFeatures[], expert: readonly number[], o: BcOptions): Promise<BcResult> {
  const result: BcResult = { 'bc/loss': NaN, 'bc/accuracy': NaN, 'bc/entropy': NaN, 'bc/steps': 0, 'bc/demos': feats.length };
  if (feats.length === 0) return result;
  const all = policyHost(feats, expert);
  // Fixed even when BC takes no step: the value head and the estimator read the same
  // standardisation, and the adapter's zero-initialised output layer ignores its inputs anyway.
  model.adapter.setNorm(featureNormFrom(all.phi, model.spec.featureDim, all.psi, model.spec.featureDim));
  if (o.epochs === 0) return result;
  const gpu = model.gpu;
  const cap = { maxStates: Math.min(o.minibatch, model.capacity.maxStates), maxCandidates: model.capacity.maxCandidates };
  const plan = await model.adapter.plan(gpu, { ...cap, backward: true });
  const opt = await AdamW.create(gpu, model.sets.policy, { lr: o.lr });
  const trainer = await BcTrainer.create(gpu, plan, opt);
  const d = model.spec.featureDim;
  const input = new PolicyBatchBuffer(gpu, { stateDim: d, actionDim: d }, cap);
  try {
    const idx = feats.map((_, i) => i);
    const perEpoch = chunkByCapacity(idx, (i) => feats[i].prior.length, cap).length;
    const total = o.steps > 0 ? Math.min(o.steps, perEpoch * o.epochs) : perEpoch * o.epochs;
    let steps = 0;
    for (let epoch = 0; epoch < o.epochs && steps < total; epoch++) {
      const order = Mulberry32.of(`bc:${o.seed}:${epoch}`).shuffle(idx);
      let loss = 0, acc = 0, ent = 0, n = 0;
      for (const mb of chunkByCapacity(order, (i) => feats[i].prior.length, cap)) {
        if (steps >= total) break;
        await o.checkpoint?.();
        trainer.record(input.load(policyHost(mb.map((i) => feats[i]), mb.map((i) => expert[i])), model.adapter.norm));
        const m = await trainer.readMetrics();
        loss += m.loss * mb.length; acc += m.accuracy * mb.length; ent += m.entropy * mb.length; n += mb.length;
        steps++;
        o.onStep?.(steps, total);
      }
      if (n) Object.assign(result, { 'bc/loss': loss / n, 'bc/accuracy': acc / n, 'bc/entropy': ent / n });
    }
    result['bc/steps'] = steps;
    return result;
  } finally {
    input.destroy();
    trainer.destroy();
    opt.destroy();
    plan.destroy();
  }
}
