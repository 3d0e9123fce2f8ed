// The rollout engine on the bundled model (onnxruntime-node) with the heads on WebGPU (Dawn):
// determinism, greedy evaluation, the recorded distributions, the batched scores against
// unbatched ones, and how episodes end and the live set shrinks.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getEnvSpec } from '../envs/registry';
import { testGpu } from '../gpu/testing';
import { PolicyAdapter, ValueHead } from '../nn/heads';
import { ParamSet } from '../nn/params';
import { Backbone } from '../policy/backbone';
import { bundledModelDir } from '../policy/backbone-node';
import { BUNDLED_MODEL_ID } from '../policy/model-catalogue';
import { type PromptState, anchoredMessages } from '../policy/prompts';
import { NaiveDecider } from './naive-rollout';
import { type CollectRequest, RolloutEngine, rolloutsOf } from './rollout';
import { BatchedDecider } from './rollout-decider';
import { InlineEnvs } from './rollout-envs';
import { GpuHeadScorer } from './rollout-heads';
import { argmax } from './sampling';
import type { Trajectory } from './trajectory';

const spec = getEnvSpec('household');
const tasks = [0, 1].map((i) => ({ taskId: spec.task('train', i).id, seed: 3 }));

let backbone: Backbone;
let heads: GpuHeadScorer;
let params: ParamSet;

beforeAll(async () => {
  backbone = await Backbone.load({ modelId: BUNDLED_MODEL_ID, source: 'local', device: 'cpu', dtype: 'fp32', localModelPath: bundledModelDir() });
  const gpu = await testGpu();
  const d = backbone.info.featureDim;
  params = new ParamSet();
  const adapter = new PolicyAdapter(params, 'policy', { stateDim: d, actionDim: d, hidden: [16], activation: 'tanh', kappa: 1 });
  const value = new ValueHead(params, 'value', { inputDim: d, hidden: [16], activation: 'tanh' });
  params.build(gpu, 7);
  // The adapter's output layer starts at zero (π = softmax(κℓ)); perturb every parameter so the
  // test exercises f_θ and V too.
  const packed = params.packed('params');
  const values = (await gpu.read(packed)) as Float32Array;
  for (let i = 0; i < values.length; i++) values[i] += 0.05 * Math.sin(i * 12.9898);
  gpu.write(packed, values);
  // Sized for every collection below, as a run sizes it: growing the plan mid-run picks kernels
  // for another capacity bucket, whose float rounding differs, and same-seed runs must be identical.
  heads = await GpuHeadScorer.create(gpu, adapter, value, { maxStates: 8, maxCandidates: 512 });
}, 120_000);

afterAll(async () => {
  heads?.destroy();
  params?.destroy();
  await backbone?.dispose();
});

function request(over: Partial<CollectRequest> = {}): CollectRequest {
  return { env: 'household', episodes: rolloutsOf(tasks, 2), iteration: 0, mode: { kind: 'sample', temperature: 1 }, seed: 11, maxSteps: 4, ...over };
}

async function collect(slots: number, over: Partial<CollectRequest> = {}) {
  return new RolloutEngine(new BatchedDecider(backbone, heads), new InlineEnvs(slots)).collect(request(over));
}

/** The prompt state the engine saw before step t of a trajectory. */
function promptBefore(traj: Trajectory, initialObservation: string, t: number): PromptState {
  return {
    env: traj.env,
    goal: traj.goal,
    initialObservation,
    history: traj.steps.slice(0, t).map((s, i) => ({ action: s.admissible[s.action], observation: traj.steps[i + 1]?.observation ?? '' })),
  };
}

describe('rollout engine', () => {
  it('is deterministic: the same seed gives identical trajectories; another slot count the same actions; another seed differs', async () => {
    const a = await collect(4);
    const b = await collect(4);
    expect(b.trajectories).toEqual(a.trajectories);
    // Each episode draws from its own stream, so batching differently changes only float rounding
    // (other batch shapes in the backbone), not the draws.
    const c = await collect(3);
    expect(c.trajectories.map((t) => t.steps.map((s) => s.action))).toEqual(a.trajectories.map((t) => t.steps.map((s) => s.action)));
    c.trajectories.forEach((t, i) => t.steps.forEach((s, k) => s.probs.forEach((p, j) => expect(p).toBeCloseTo(a.trajectories[i].steps[k].probs[j], 5))));
    const other = await collect(4, { seed: 12 });
    expect(other.trajectories.map((t) => t.steps.map((s) => s.action))).not.toEqual(a.trajectories.map((t) => t.steps.map((s) => s.action)));
    expect(backbone.episodeCache.episodes).toBe(0);
  }, 300_000);

  it('records π summing to 1, log π_old of the chosen action, V, g_t, reward, done, won and stateKey', async () => {
    const { trajectories, stats } = await collect(4);
    expect(trajectories).toHaveLength(4);
    expect(stats.decisions).toBe(trajectories.reduce((n, t) => n + t.steps.length, 0));
    for (const t of trajectories) {
      expect(t.taskId).toBe(tasks[Number(t.id.startsWith(tasks[1].taskId))].taskId);
      for (const s of t.steps) {
        expect(s.probs).toHaveLength(s.admissible.length);
        expect(s.probs.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 10);
        expect(s.logpOld).toBeCloseTo(Math.log(s.probs[s.action]), 10);
        expect(Number.isFinite(s.value)).toBe(true);
        expect(typeof s.valid).toBe('boolean');
        expect(s.stateKey.length).toBeGreaterThan(0);
        expect(s.won).toBe(false);
      }
    }
    // The K rollouts of one task start in the same state: same observation, candidates, stateKey and π.
    const [k0, k1] = trajectories;
    expect(k1.steps[0].stateKey).toBe(k0.steps[0].stateKey);
    expect(k1.steps[0].admissible).toEqual(k0.steps[0].admissible);
    k1.steps[0].probs.forEach((p, j) => expect(p).toBeCloseTo(k0.steps[0].probs[j], 12));
  }, 300_000);

  it('greedy evaluation takes the argmax of π at every step; sampling at a low temperature agrees', async () => {
    const greedy = await collect(4, { mode: { kind: 'greedy' } });
    for (const t of greedy.trajectories) for (const s of t.steps) expect(s.action).toBe(argmax(s.probs));
    // Greedy rollouts of one task are identical.
    expect(greedy.trajectories[1].steps.map((s) => s.action)).toEqual(greedy.trajectories[0].steps.map((s) => s.action));
    const cold = await collect(4, { mode: { kind: 'sample', temperature: 1e-3 } });
    expect(cold.trajectories.map((t) => t.steps.map((s) => s.action))).toEqual(greedy.trajectories.map((t) => t.steps.map((s) => s.action)));
  }, 300_000);

  it('scores every episode in one batch exactly as the backbone scores each prompt alone', async () => {
    const { trajectories, features } = await collect(4, { keepFeatures: true });
    const first = new Map<string, string>();
    const env = spec.create();
    for (const t of tasks) first.set(t.taskId, env.reset(t.taskId, t.seed).text);
    let compared = 0;
    for (const [i, t] of trajectories.entries()) {
      for (let k = 0; k < t.steps.length; k++) {
        const messages = anchoredMessages(promptBefore(t, first.get(t.taskId)!, k), 0);
        const alone = await backbone.score([{ context: { messages }, candidates: t.steps[k].admissible }], { features: true, strategy: 'full' });
        const f = features![i][k];
        alone.items[0].candidates.forEach((c, j) => {
          expect(f.prior[j]).toBeCloseTo(c.logprobMean, 5);
          const d = f.psi.length / f.prior.length;
          for (let x = 0; x < d; x += 17) expect(f.psi[j * d + x]).toBeCloseTo(c.psi![x], 4);
        });
        for (let x = 0; x < f.phi.length; x += 7) expect(f.phi[x]).toBeCloseTo(alone.items[0].phi![x], 4);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(8);
  }, 300_000);

  it('shared-prefix scoring: ℓ equals the backbone on the action tokens alone, ψ(a) the action as a bare reply, with fewer rows', async () => {
    const decider = new BatchedDecider(backbone, heads, { scoring: 'shared-prefix' });
    const { trajectories, features } = await new RolloutEngine(decider, new InlineEnvs(4)).collect(request({ keepFeatures: true, maxSteps: 3 }));
    const first = new Map<string, string>();
    const env = spec.create();
    for (const t of tasks) first.set(t.taskId, env.reset(t.taskId, t.seed).text);
    const psiPrompt = backbone.frameFor({ messages: [{ role: 'user', content: 'Action:' }] }).context;
    for (const [i, t] of trajectories.entries()) {
      for (let k = 0; k < t.steps.length; k++) {
        const text = backbone.frameFor({ messages: anchoredMessages(promptBefore(t, first.get(t.taskId)!, k), 0) }).context;
        const candidates = t.steps[k].admissible;
        const alone = await backbone.score([{ context: { text, candidatePrefix: '', candidateSuffix: '' }, candidates }], { strategy: 'full' });
        const bare = await backbone.score([{ context: { text: psiPrompt, candidatePrefix: '', candidateSuffix: '' }, candidates }], { features: true, strategy: 'full' });
        const f = features![i][k];
        const d = f.psi.length / f.prior.length;
        alone.items[0].candidates.forEach((c, j) => {
          expect(f.prior[j]).toBeCloseTo(c.logprobMean, 5);
          for (let x = 0; x < d; x += 13) expect(f.psi[j * d + x]).toBeCloseTo(bare.items[0].candidates[j].psi![x], 4);
        });
      }
    }
    // Candidates that differ only in their last token share rows: fewer rows than candidates.
    const prompt = promptBefore(trajectories[0], first.get(trajectories[0].taskId)!, 0);
    const r = await backbone.scoreEpisodes([{ episode: 'rows', context: { messages: anchoredMessages(prompt, 0) }, candidates: trajectories[0].steps[0].admissible }], { scoring: 'shared-prefix' });
    backbone.endEpisodes(['rows']);
    expect(r.candidateRows).toBeLessThan(trajectories[0].steps[0].admissible.length);
  }, 300_000);

  it('ends episodes on done or at the decision cap (with a bootstrap value); the live set shrinks as the queue empties', async () => {
    const episodes = rolloutsOf(tasks, 2).slice(0, 3);
    const { trajectories, stats } = await collect(2, { episodes, maxSteps: 3 });
    expect(trajectories.map((t) => t.id)).toEqual(episodes.map((e) => e.id));
    for (const t of trajectories) {
      expect(t.steps.length).toBeGreaterThan(0);
      expect(t.steps.length).toBeLessThanOrEqual(3);
      t.steps.slice(0, -1).forEach((s) => expect(s.done).toBe(false));
      const last = t.steps[t.steps.length - 1];
      if (last.done) expect(t.bootstrapValue).toBeUndefined();
      else {
        expect(t.steps).toHaveLength(3);
        expect(Number.isFinite(t.bootstrapValue)).toBe(true);
      }
      expect(t.finalReward).toBe(last.reward);
    }
    // Two slots for three episodes: both busy, then one, until the last ends.
    expect(stats.live[0]).toBe(2);
    expect(stats.live[stats.live.length - 1]).toBe(1);
    for (let i = 1; i < stats.live.length; i++) expect(stats.live[i]).toBeLessThanOrEqual(2);
    expect(backbone.episodeCache.episodes).toBe(0);
    expect(backbone.episodeCache.contexts).toBe(0);
  }, 300_000);

  it('the naive decider (one call per episode, full prompts) runs the same loop and records valid steps', async () => {
    const { trajectories, stats } = await new RolloutEngine(new NaiveDecider(backbone, heads), new InlineEnvs(2)).collect(request({ episodes: rolloutsOf(tasks.slice(0, 1), 2), maxSteps: 2 }));
    expect(stats.profile.decider.backboneCalls).toBe(stats.decisions + trajectories.filter((t) => t.bootstrapValue !== undefined).length);
    for (const t of trajectories) for (const s of t.steps) expect(s.probs.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 10);
  }, 300_000);
});
