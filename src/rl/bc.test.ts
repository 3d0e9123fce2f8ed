// BC of the policy adapter on features shaped like a small LM's hidden states: a large shared
// component with small differences between states and between one state's candidates (measured on
// the bundled stepwise-tiny: φ varies by ~0.05 per dimension around means of ~1, ψ's of one state
// have mean pairwise cosine ~0.97), and a prior that carries no information about the expert.
// On raw features like these the adapter barely moved off the prior; trainBc standardises them.

import { describe, expect, it } from 'vitest';
import { Mulberry32 } from '../core/random';
import { testGpu } from '../gpu/testing';
import { trainBc } from './bc';
import { annotateProgress, estimatorInputs } from './estimator-stage';
import { PolicyModel, POLICY_NORM_BLOB, policyHost } from './policy-model';
import type { StepFeatures } from './rollout-decider';
import { trajectory } from './test-trajectories';
import { PolicyBatchBuffer } from '../nn';

const D = 8, STATES = 32, CANDIDATES = 6;

function lowVarianceDemos(seed: number): { feats: StepFeatures[]; expert: number[] } {
  const rng = Mulberry32.of(`bc-test:${seed}`);
  const gauss = () => { const u = Math.max(rng.next(), 1e-12), v = rng.next(); return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v); };
  const phiMean = Array.from({ length: D }, gauss), psiMean = Array.from({ length: D }, gauss);
  const feats: StepFeatures[] = [], expert: number[] = [];
  for (let s = 0; s < STATES; s++) {
    const phi = Float32Array.from(phiMean, (m) => m + 0.05 * gauss());
    const psi = Float32Array.from({ length: CANDIDATES * D }, (_, i) => psiMean[i % D] + 0.15 * gauss());
    const prior = Float32Array.from({ length: CANDIDATES }, () => -3 + 1.4 * gauss());
    feats.push({ phi, psi, prior });
    expert.push(Math.floor(rng.next() * CANDIDATES));
  }
  return { feats, expert };
}

const OPTIONS = { epochs: 60, steps: 0, lr: 1e-2, minibatch: 8, seed: 1 };

describe('trainBc', () => {
  it('nearly memorises demonstrations whose features differ little (standardised inputs)', async () => {
    const { feats, expert } = lowVarianceDemos(1);
    const model = new PolicyModel(await testGpu(), { featureDim: D, hidden: [32], estimatorHidden: 8, kappa: 1, seed: 2 }, { maxStates: 8, maxCandidates: 64 });
    try {
      const r = await trainBc(model, feats, expert, OPTIONS);
      expect(r['bc/steps']).toBe(60 * 4);
      expect(r['bc/accuracy']).toBeGreaterThan(0.9);
      expect(model.adapter.norm).not.toBeNull();
      // Greedy choices of the trained policy through the rollouts' scorer agree with the expert.
      const h = policyHost(feats, expert);
      const { logp } = await (await model.heads()).score(h);
      let right = 0;
      for (let s = 0; s < STATES; s++) {
        const row = Array.from(logp.subarray(h.offsets[s], h.offsets[s + 1]));
        if (row.indexOf(Math.max(...row)) === expert[s]) right++;
      }
      expect(right / STATES).toBeGreaterThan(0.9);
    } finally {
      model.destroy();
    }
  }, 120_000);

  it('saves the normaliser with the heads, and a loaded model scores exactly as the saved one', async () => {
    const { feats, expert } = lowVarianceDemos(2);
    const spec = { featureDim: D, hidden: [16], estimatorHidden: 8, kappa: 1, seed: 4 };
    const cap = { maxStates: 8, maxCandidates: 64 };
    const gpu = await testGpu();
    const a = new PolicyModel(gpu, spec, cap);
    const b = new PolicyModel(gpu, { ...spec, seed: 9 }, cap);
    try {
      await trainBc(a, feats, expert, { ...OPTIONS, epochs: 3 });
      const blobs = await a.save();
      expect(blobs[POLICY_NORM_BLOB]).toBeDefined();
      b.load(blobs);
      expect(Array.from(b.adapter.norm!.psiScale)).toEqual(Array.from(a.adapter.norm!.psiScale));
      const h = policyHost(feats.slice(0, 8), expert.slice(0, 8));
      const la = (await (await a.heads()).score(h)).logp, lb = (await (await b.heads()).score(h)).logp;
      expect(Array.from(lb)).toEqual(Array.from(la));
      // A checkpoint without the blob (written before this normaliser existed) reads raw features.
      const { [POLICY_NORM_BLOB]: _dropped, ...old } = blobs;
      b.load(old);
      expect(b.adapter.norm).toBeNull();
    } finally {
      a.destroy();
      b.destroy();
    }
  }, 120_000);
});

describe('the adapter\'s feature normaliser', () => {
  it('scores raw features as an unnormalised adapter scores the standardised ones', async () => {
    const { feats, expert } = lowVarianceDemos(3);
    const spec = { featureDim: D, hidden: [16], estimatorHidden: 8, kappa: 1, seed: 6 };
    const cap = { maxStates: 8, maxCandidates: 64 };
    const gpu = await testGpu();
    const normed = new PolicyModel(gpu, spec, cap), plain = new PolicyModel(gpu, spec, cap);
    try {
      // A trained adapter (non-zero output layer), copied into the plain model.
      await trainBc(normed, feats, expert, { ...OPTIONS, epochs: 2 });
      const { [POLICY_NORM_BLOB]: norm, ...heads } = await normed.save();
      expect(norm).toBeDefined();
      plain.load(heads);
      const n = normed.adapter.norm!;
      const h = policyHost(feats.slice(0, 8), expert.slice(0, 8));
      const std = {
        ...h,
        phi: h.phi.map((x, i) => (x - n.phiShift[i % D]) / n.phiScale[i % D]),
        psi: h.psi.map((x, i) => (x - n.psiShift[i % D]) / n.psiScale[i % D]),
      };
      const a = await (await normed.heads()).score(h), b = await (await plain.heads()).score(std);
      for (let i = 0; i < a.logp.length; i++) expect(a.logp[i]).toBeCloseTo(b.logp[i], 4);
      // The value head reads the same standardised φ (its weights are the same in both models).
      for (let i = 0; i < a.values.length; i++) expect(a.values[i]).toBeCloseTo(b.values[i], 4);
      expect(new Set(Array.from(a.values, (v) => v.toFixed(4))).size).toBeGreaterThan(1);
      // So does the estimator: ĉ of a normed model's episode is the plain model's ĉ of standardised [φ; ψ(a)].
      const steps = feats.slice(0, 5).map((_, t) => ({ action: expert[t], admissible: Array.from({ length: CANDIDATES }, (_, i) => `a${i}`) }));
      const ep = { trajectory: trajectory('t', 'task', 1, steps), features: feats.slice(0, 5) };
      await annotateProgress(normed, [ep]);
      const raw = estimatorInputs(ep, D);
      const stdX = raw.map((x, i) => { const j = i % (2 * D); return j < D ? (x - n.phiShift[j]) / n.phiScale[j] : (x - n.psiShift[j - D]) / n.psiScale[j - D]; });
      expect(Array.from(estimatorInputs(ep, D, n), (v) => v.toFixed(5))).toEqual(Array.from(stdX, (v) => v.toFixed(5)));
      const c = await plain.progress(stdX);
      ep.trajectory.steps.forEach((st, t) => expect(st.progress).toBeCloseTo(c[t], 5));
    } finally {
      normed.destroy();
      plain.destroy();
    }
  }, 120_000);

  it('refuses a batch loaded without the adapter\'s normaliser, and one loaded with a normaliser the adapter lacks', async () => {
    const { feats, expert } = lowVarianceDemos(4);
    const gpu = await testGpu();
    const model = new PolicyModel(gpu, { featureDim: D, hidden: [16], estimatorHidden: 8, kappa: 1, seed: 3 }, { maxStates: 8, maxCandidates: 64 });
    const buf = new PolicyBatchBuffer(gpu, { stateDim: D, actionDim: D }, { maxStates: 8, maxCandidates: 64 });
    const plan = await model.adapter.plan(gpu, { maxStates: 8, maxCandidates: 64, backward: false });
    try {
      await trainBc(model, feats, expert, { ...OPTIONS, epochs: 1 });
      const h = policyHost(feats.slice(0, 4), expert.slice(0, 4));
      const norm = model.adapter.norm;
      expect(() => plan.forward(buf.load(h))).toThrow(/loaded raw/);
      expect(() => plan.forward(buf.load(h, norm))).not.toThrow();
      model.adapter.setNorm(null);
      expect(() => plan.forward(buf.load(h, norm))).toThrow(/another normaliser|raw features/);
    } finally {
      plan.destroy();
      buf.destroy();
      model.destroy();
    }
  }, 120_000);
});
