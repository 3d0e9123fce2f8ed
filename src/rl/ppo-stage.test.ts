// The PPO stage end to end on tiny hand-built batches: the ratio starts at 1 whatever
// log-probability the rollout recorded, and one update moves log π of the taken action the way
// its advantage says.

import { describe, expect, it } from 'vitest';
import { testGpu } from '../gpu/testing';
import { PolicyModel, policyHost, type Episode } from './policy-model';
import { PpoUpdater, type PpoSettings } from './ppo-stage';
import type { RewardParams } from './rewards';
import type { StepFeatures } from './rollout-decider';
import { tempered } from './sampling';
import { trajectory } from './test-trajectories';

const D = 4;
const REWARDS: RewardParams = { alpha: 1, beta: 0.5, gamma: 0.99, stepWeight: 1, groupNorm: 'mean-std' };
const SETTINGS: PpoSettings = {
  epochs: 1, minibatch: 64, lr: 1e-3, gamma: 0.99, lambda: 0.95, clip: 0.2, valueClip: 0,
  vfCoef: 0.5, entCoef: 0, klCoef: 0, klEstimator: 'k3', maxGradNorm: 0, whiten: true,
};

/** One state with three candidates; ℓ = (0, −1, −2), so the untrained policy is softmax(ℓ). */
function features(salt: number): StepFeatures {
  const phi = Float32Array.from({ length: D }, (_, i) => Math.sin(salt + i));
  const psi = Float32Array.from({ length: 3 * D }, (_, i) => Math.cos(salt * 3 + i));
  return { phi, psi, prior: Float32Array.of(0, -1, -2) };
}

/** A one-step episode that took `action` and ended with reward R, recorded at temperature T. */
function episode(id: string, action: number, R: number, T: number): Episode {
  const f = features(1);
  const t = trajectory(id, 'task', R, [{ action, admissible: ['a', 'b', 'c'] }]);
  t.steps[0].logpOld = tempered(Array.from(f.prior, (l) => l - Math.log(Math.exp(0) + Math.exp(-1) + Math.exp(-2))), T).logProbs[action];
  return { trajectory: t, features: [f] };
}

async function logpOf(model: PolicyModel, eps: Episode[]): Promise<number[]> {
  const feats = eps.flatMap((e) => e.features), chosen = eps.flatMap((e) => e.trajectory.steps.map((s) => s.action));
  const h = policyHost(feats, chosen);
  const { logp } = await (await model.heads()).score(h);
  return chosen.map((a, i) => logp[h.offsets[i] + a]);
}

describe('PPO stage', () => {
  it('the ratio starts at 1 when the rollout sampled at a temperature other than 1', async () => {
    const model = new PolicyModel(await testGpu(), { featureDim: D, hidden: [8], estimatorHidden: 8, kappa: 1, seed: 3 }, { maxStates: 8, maxCandidates: 64 });
    const updater = await PpoUpdater.create(model, SETTINGS);
    try {
      // Recorded at T = 2: log π_T(a) differs from log π(a) by up to ~0.6 here.
      const eps = [episode('w', 0, 1, 2), episode('l', 2, 0, 2), episode('m', 1, 0, 2)];
      const m = (await updater.update(eps, 'outcome', REWARDS, 'k'))!;
      // ppo_kl = mean(log π_old − log π) and the clip fraction, both over the first (only) minibatch's forward.
      expect(Math.abs(m['actor/ppo_kl'])).toBeLessThan(1e-6);
      expect(m['actor/pg_clipfrac']).toBe(0);
    } finally {
      updater.destroy();
      model.destroy();
    }
  });

  it('one update raises log π of a positive-advantage step and lowers it for a negative one', async () => {
    const model = new PolicyModel(await testGpu(), { featureDim: D, hidden: [8], estimatorHidden: 8, kappa: 1, seed: 5 }, { maxStates: 8, maxCandidates: 64 });
    const updater = await PpoUpdater.create(model, { ...SETTINGS, lr: 1e-2 });
    try {
      // Same state: action 2 won, action 0 lost (outcome reward, so A > 0 for the winner).
      const eps = [episode('w', 2, 1, 1), episode('l', 0, 0, 1)];
      const before = await logpOf(model, eps);
      await updater.update(eps, 'outcome', REWARDS, 'k');
      const after = await logpOf(model, eps);
      expect(after[0]).toBeGreaterThan(before[0]);
      expect(after[1]).toBeLessThan(before[1]);
    } finally {
      updater.destroy();
      model.destroy();
    }
  });
});
