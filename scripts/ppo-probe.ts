// PPO update probe: BC on household train tasks with the hashed stand-in backbone (the e2e test's
// setup), one batch of sampled rollouts, then ONE PPO update on that fixed batch. Reports, for the
// steps with positive and negative advantage, how log π(a_t|s_t) of the taken action moved. With a
// correct update and a small lr, nearly every positive-advantage step rises and nearly every
// negative one falls (up to interference between steps that share parameters).
//
//   npx tsx scripts/ppo-probe.ts [key=value …]
//   keys: bc (epochs, 40), bclr (1e-2), reward (outcome), lr (1e-3), epochs (1), mb (64), ent (0),
//         kl (0), vf (0.5), grad (1), whiten (1), tasks (8), k (8), steps (10), seed (0)

import { testGpu } from '../src/gpu/testing';
import { getEnvSpec } from '../src/envs/registry';
import { expertEpisodes, expertFeatures, trainBc } from '../src/rl/bc';
import { annotateProgress, trainEstimator } from '../src/rl/estimator-stage';
import { taskIdsOf } from '../src/rl/evaluate';
import { PolicyModel, policyHost, type Episode } from '../src/rl/policy-model';
import { PpoUpdater } from '../src/rl/ppo-stage';
import { assignRewards, type RewardVariant } from '../src/rl/rewards';
import { stepAdvantagesCpu } from '../src/rl/advantages';
import { RolloutEngine, rolloutsOf } from '../src/rl/rollout';
import { BatchedDecider } from '../src/rl/rollout-decider';
import { InlineEnvs } from '../src/rl/rollout-envs';
import { HashedBackbone } from '../src/rl/test-backbone';
import { AdamW } from '../src/nn';

const arg = Object.fromEntries(process.argv.slice(2).map((a) => a.split('=') as [string, string]));
const num = (k: string, d: number) => (arg[k] === undefined ? d : Number(arg[k]));
const reward = (arg.reward ?? 'outcome') as RewardVariant;
const seed = num('seed', 0);

async function main() {
  const gpu = await testGpu();
  const backbone = new HashedBackbone(64);
  const spec = getEnvSpec('household');
  const model = new PolicyModel(gpu, { featureDim: 64, hidden: [32], estimatorHidden: 32, kappa: 1, seed }, { maxStates: 1024, maxCandidates: 1 << 15 });
  const heads = await model.heads();
  const decider = new BatchedDecider(backbone, heads);
  const engine = new RolloutEngine(decider, new InlineEnvs(32));
  const ids = taskIdsOf(spec, 'train', 0, num('tasks', 8));
  const maxSteps = num('steps', 10);
  const demos = expertEpisodes(spec, ids, seed, maxSteps);
  const { features, expert } = await expertFeatures(decider, demos);
  const bc = await trainBc(model, features, expert, { epochs: num('bc', 40), steps: 0, lr: num('bclr', 1e-2), minibatch: 64, seed });
  await model.freezeReference();
  console.log('BC', bc);
  const collect = async (tag: string) => {
    const res = await engine.collect({
      env: 'household', episodes: rolloutsOf(ids.map((taskId) => ({ taskId, seed })), num('k', 8), tag), iteration: 1,
      mode: { kind: 'sample', temperature: num('temp', 1) }, seed, maxSteps, keepFeatures: true,
    });
    return res.trajectories.map((trajectory, i) => ({ trajectory, features: res.features![i] })) as Episode[];
  };
  const eps = await collect('it1/');
  const trajs = eps.map((e) => e.trajectory);
  console.log(`sampled success ${(trajs.filter((t) => t.won).length / trajs.length * 100).toFixed(1)}% over ${trajs.length} rollouts, ${trajs.reduce((n, t) => n + t.steps.length, 0)} steps`);
  if (reward === 'spa' || reward === 'progress-only') {
    const opt = await AdamW.create(gpu, model.sets.estimator, { lr: 1e-3 });
    const ex = await collect('explore/');
    await trainEstimator(model, opt, ex, { epochs: 20, heldOut: 0.1, seed, tag: 'explore' });
    await annotateProgress(model, eps);
  }
  const settings = {
    epochs: num('epochs', 1), minibatch: num('mb', 64), lr: num('lr', 1e-3), gamma: 0.99, lambda: 0.95, clip: 0.2, valueClip: num('vclip', 0.2),
    vfCoef: num('vf', 0.5), entCoef: num('ent', 0), klCoef: num('kl', 0), klEstimator: 'k3' as const, klReference: 'bc' as const, maxGradNorm: num('grad', 1),
  };
  const feats = eps.flatMap((e) => e.features);
  const chosen = eps.flatMap((e) => e.trajectory.steps.map((s) => s.action));
  const lpOld = Float64Array.from(eps.flatMap((e) => e.trajectory.steps.map((s) => s.logpOld)));
  const logpChosen = async () => {
    const h = policyHost(feats, chosen);
    const out = await heads.score(h);
    return Float64Array.from(chosen, (a, i) => out.logp[h.offsets[i] + a]);
  };
  const before = await logpChosen();
  let maxDiff = 0;
  before.forEach((x, i) => { maxDiff = Math.max(maxDiff, Math.abs(x - lpOld[i])); });
  console.log(`max |log π(a) recomputed − log π_old recorded| = ${maxDiff.toExponential(2)}`);
  const assignment = assignRewards(reward, trajs, { alpha: 1, beta: num('beta', 0.5), gamma: 0.99, stepWeight: 1, groupNorm: 'mean-std' });
  const adv = stepAdvantagesCpu(trajs, assignment, { gamma: 0.99, lambda: 0.95, whiten: num('whiten', 1) === 1 });
  const A = Float64Array.from({ length: before.length }, (_, i) => adv.batch[i * 4 + 1]);
  const updater = await PpoUpdater.create(model, settings);
  const m = await updater.update(eps, reward, { alpha: 1, beta: num('beta', 0.5), gamma: 0.99, stepWeight: 1, groupNorm: 'mean-std' }, 'probe');
  const after = await logpChosen();
  const sat = num('sat', 0.9);
  const stats = (sel: (a: number) => boolean) => {
    let n = 0, up = 0, sum = 0;
    A.forEach((a, i) => { if (sel(a) && Math.exp(before[i]) < sat) { n++; const d = after[i] - before[i]; sum += d; if (d > 0) up++; } });
    return { n, rose: n ? up / n : NaN, meanDelta: n ? sum / n : NaN };
  };
  const pos = stats((a) => a > 1e-9), neg = stats((a) => a < -1e-9);
  console.log(`steps with π_old(a) < ${sat}:`);
  console.log(`A>0: n=${pos.n} rose ${(pos.rose * 100).toFixed(1)}% mean Δlogπ ${pos.meanDelta.toFixed(4)}`);
  console.log(`A<0: n=${neg.n} fell ${((1 - neg.rose) * 100).toFixed(1)}% mean Δlogπ ${neg.meanDelta.toFixed(4)}`);
  // Surrogate objective change (first order): Σ A·Δlogπ should be positive.
  let s = 0;
  A.forEach((a, i) => { s += a * (after[i] - before[i]); });
  console.log(`mean A·Δlogπ = ${(s / A.length).toExponential(3)}; adv raw mean ${m?.['critic/advantages_mean']?.toFixed(4)}, whitening ${JSON.stringify(adv.whitening)}`);
  console.log('metrics', JSON.stringify(m));
  process.exit(0);
}

main().catch((e) => { console.error(e); process.exit(1); });
