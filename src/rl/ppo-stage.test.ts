// The PPO stage end to end on tiny hand-built batches: the ratio starts at 1 whatever
// log-probability the rollout recorded, and one update moves log π of the taken action the way
// its advantage says; the KL term anchors to the policy frozen at the end of BC, or to the prior.

import { describe, expect, it } from 'vitest';
import { testGpu } from '../gpu/testing';
import { PolicyModel, policyHost, PriorHeads, REFERENCE_BLOB, type Episode } from './policy-model';
import { PpoUpdater, type PpoSettings } from './ppo-stage';
import type { RewardParams } from './rewards';
import type { StepFeatures } from './rollout-decider';
import type { HeadScorer } from './rollout-heads';
import { tempered } from './sampling';
import { trajectory } from './test-trajectories';

const D = 4;
const REWARDS: RewardParams = { alpha: 1, beta: 0.5, gamma: 0.99, stepWeight: 1, groupNorm: 'mean-std' };
const SETTINGS: PpoSettings = {
  epochs: 1, minibatch: 64, lr: 1e-3, gamma: 0.99, lambda: 0.95, clip: 0.2, valueClip: 0,
  vfCoef: 0.5, entCoef: 0, klCoef: 0, klEstimator: 'k3', klReference: 'bc', maxGradNorm: 0, whiten: true,
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

async function logpOf(model: PolicyModel, eps: Episode[], heads?: HeadScorer): Promise<number[]> {
  const feats = eps.flatMap((e) => e.features), chosen = eps.flatMap((e) => e.trajectory.steps.map((s) => s.action));
  const h = policyHost(feats, chosen);
  const { logp } = await (heads ?? await model.heads()).score(h);
  return chosen.map((a, i) => logp[h.offsets[i] + a]);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** k1 and k3 of log π against a reference log π_ref, per step, in float64. */
const k1 = (lp: number[], ref: number[]) => lp.map((l, i) => l - ref[i]);
const k3 = (lp: number[], ref: number[]) => lp.map((l, i) => { const d = ref[i] - l; return Math.exp(d) - d - 1; });

/** Episodes of three states whose winners and losers differ, so updates move π away from the prior. */
function mixedEpisodes(): Episode[] {
  return [episode('w', 2, 1, 1), episode('l', 0, 0, 1), episode('m', 1, 0, 1)];
}

/** A model whose policy is no longer the prior: a few large PPO steps stand in for BC. */
async function trainedModel(seed: number): Promise<PolicyModel> {
  const model = new PolicyModel(await testGpu(), { featureDim: D, hidden: [8], estimatorHidden: 8, kappa: 1, seed }, { maxStates: 8, maxCandidates: 64 });
  const u = await PpoUpdater.create(model, { ...SETTINGS, lr: 5e-2, epochs: 3 });
  try {
    for (let i = 0; i < 2; i++) await u.update(mixedEpisodes(), 'outcome', REWARDS, `bc${i}`);
  } finally {
    u.destroy();
  }
  return model;
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

  describe('KL reference', () => {
    it('frozen from the current policy: the first minibatch\'s KL is 0 (k1, k3); with "prior" it is the KL to softmax(κ·ℓ)', async () => {
      const model = await trainedModel(7);
      try {
        await model.freezeReference();
        const eps = mixedEpisodes();
        const lp = await logpOf(model, eps);
        const lpPrior = await logpOf(model, eps, new PriorHeads(D, D, 1));
        // The stand-in BC moved the policy off the prior, so the two references differ.
        expect(Math.max(...lp.map((l, i) => Math.abs(l - lpPrior[i])))).toBeGreaterThan(0.05);
        for (const [klEstimator, kl] of [['k1', k1], ['k3', k3]] as const) {
          for (const klReference of ['bc', 'prior'] as const) {
            // lr 0: the one minibatch's forward is the policy as frozen, and nothing moves it.
            const u = await PpoUpdater.create(model, { ...SETTINGS, lr: 0, klCoef: 0.1, klEstimator, klReference });
            try {
              const m = (await u.update(eps, 'outcome', REWARDS, 'k'))!;
              expect(m['actor/kl_reference_bc']).toBe(klReference === 'bc' ? 1 : 0);
              // 'prior' is the pre-reference behaviour: the KL to softmax(κ·ℓ) of the taken actions.
              const want = klReference === 'bc' ? 0 : mean(kl(lp, lpPrior));
              expect(Math.abs(m['actor/kl_loss'] - want), `${klEstimator} to ${klReference}: ${m['actor/kl_loss']} vs ${want}`).toBeLessThan(2e-6);
            } finally {
              u.destroy();
            }
          }
          expect(Math.abs(mean(kl(lp, lpPrior)))).toBeGreaterThan(1e-3);
        }
      } finally {
        model.destroy();
      }
    });

    it('the KL to the BC reference grows as PPO moves the policy away from it, and the reference stays frozen', async () => {
      const model = await trainedModel(9);
      const u = await PpoUpdater.create(model, { ...SETTINGS, lr: 3e-2, klCoef: 0, klEstimator: 'k3', klReference: 'bc' });
      try {
        await model.freezeReference();
        const eps = mixedEpisodes();
        const frozen = await logpOf(model, eps, (await model.referenceHeads())!);
        const kls: number[] = [];
        // epochs = 1, one minibatch: each update reports the KL of the policy it starts from.
        for (let i = 0; i < 4; i++) kls.push((await u.update(eps, 'outcome', REWARDS, `it${i}`))!['actor/kl_loss']);
        expect(Math.abs(kls[0])).toBeLessThan(1e-6);
        for (let i = 1; i < kls.length; i++) expect(kls[i], `KL after ${i} updates: ${kls.join(', ')}`).toBeGreaterThan(kls[i - 1]);
        expect(await logpOf(model, eps, (await model.referenceHeads())!)).toEqual(frozen);
      } finally {
        u.destroy();
        model.destroy();
      }
    });

    it('save/load round-trips the reference; a checkpoint without it falls back to the prior', async () => {
      const a = await trainedModel(11);
      const b = new PolicyModel(a.gpu, a.spec, a.capacity);
      try {
        await a.freezeReference();
        const eps = mixedEpisodes();
        const frozen = await logpOf(a, eps, (await a.referenceHeads())!);
        const blobs = await a.save();
        expect(blobs[REFERENCE_BLOB]).toBeInstanceOf(Uint8Array);
        expect(b.reference).toBeNull();
        b.load(blobs);
        expect(b.reference).not.toBeNull();
        expect(await logpOf(b, eps, (await b.referenceHeads())!)).toEqual(frozen);
        // Its normaliser is the loaded adapter's (PolicyPlan checks batches against it).
        expect(b.reference!.norm).toBe(b.adapter.norm);

        // An older checkpoint (no reference blob): the model has none and PPO's 'bc' KL uses the prior.
        const old = Object.fromEntries(Object.entries(blobs).filter(([k]) => k !== REFERENCE_BLOB));
        b.load(old);
        expect(b.reference).toBeNull();
        expect(await b.referenceHeads()).toBeNull();
        expect(Object.keys(await b.save())).not.toContain(REFERENCE_BLOB);
        const u = await PpoUpdater.create(b, { ...SETTINGS, lr: 0, klCoef: 0.1, klReference: 'bc' });
        try {
          const m = (await u.update(eps, 'outcome', REWARDS, 'k'))!;
          expect(m['actor/kl_reference_bc']).toBe(0);
          const want = mean(k3(await logpOf(b, eps), await logpOf(b, eps, new PriorHeads(D, D, 1))));
          expect(Math.abs(m['actor/kl_loss'] - want)).toBeLessThan(2e-6);
        } finally {
          u.destroy();
        }
      } finally {
        a.destroy();
        b.destroy();
      }
    });

    it('refuses the exact estimator with the BC reference', async () => {
      const model = new PolicyModel(await testGpu(), { featureDim: D, hidden: [8], estimatorHidden: 8, kappa: 1, seed: 1 }, { maxStates: 8, maxCandidates: 64 });
      try {
        await expect(PpoUpdater.create(model, { ...SETTINGS, klEstimator: 'exact', klReference: 'bc' })).rejects.toThrow(/exact.*klReference/);
      } finally {
        model.destroy();
      }
    });
  });
});
