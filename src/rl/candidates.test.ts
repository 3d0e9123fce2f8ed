// Invalid distractors in the candidate sets: the mixer itself, the rollout engine with them on
// (a uniform policy picks some, so g_t = 0 is recorded and grounding drops below 1), and the BC
// demonstrations that carry them.

import { describe, expect, it } from 'vitest';
import { Mulberry32 } from '../core/random';
import { WorkerCore } from '../envs/pool/worker-core';
import { getEnvSpec } from '../envs/registry';
import { expertEpisodes } from './bc';
import { candidateRng, distractorCount, mixCandidates } from './candidates';
import { summarize } from './evaluate';
import { RolloutEngine, rolloutsOf, type CollectRequest } from './rollout';
import type { Decider, DecisionState, Decision, DecideProfile } from './rollout-decider';
import { InlineEnvs } from './rollout-envs';

/** A policy with no preferences: log π uniform over whatever it is offered. */
class UniformDecider implements Decider {
  readonly profile: DecideProfile = { promptMs: 0, backboneMs: 0, headsMs: 0, backboneCalls: 0, headCalls: 0 };
  seen: string[][] = [];
  async decide(states: DecisionState[]): Promise<Decision[]> {
    return states.map((s) => {
      this.seen.push(s.candidates);
      const n = s.candidates.length;
      return { logp: new Float32Array(n).fill(-Math.log(n)), value: 0, features: { phi: new Float32Array(1), psi: new Float32Array(n), prior: new Float32Array(n) } };
    });
  }
  end(): void {}
}

describe('mixCandidates', () => {
  const admissible = Array.from({ length: 12 }, (_, i) => `a${String(i).padStart(2, '0')}`);
  const plausible = ['x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x7', 'a03'];

  it('keeps the admissible order, adds at most min(invalid, ⌈|A|/3⌉, |P|) distinct non-admissible strings, deterministically', () => {
    const a = mixCandidates(admissible, plausible, 6, new Mulberry32(1));
    expect(a.filter((c) => admissible.includes(c))).toEqual(admissible);
    const extra = a.filter((c) => !admissible.includes(c));
    expect(extra.length).toBe(distractorCount(6, 12, 7));
    expect(extra.length).toBe(4);
    expect(new Set(extra).size).toBe(extra.length);
    expect(mixCandidates(admissible, plausible, 6, new Mulberry32(1))).toEqual(a);
    expect(mixCandidates(admissible, plausible, 2, new Mulberry32(1)).length).toBe(14);
  });

  it('puts distractors anywhere: their positions do not give them away', () => {
    const rng = new Mulberry32(5);
    const positions = new Set<number>();
    for (let i = 0; i < 200; i++) mixCandidates(admissible, plausible, 1, rng).forEach((c, j) => !admissible.includes(c) && positions.add(j));
    expect(positions.size).toBe(admissible.length + 1);
  });

  it('returns the admissible list itself when there is nothing to mix', () => {
    expect(mixCandidates(admissible, plausible, 0, new Mulberry32(1))).toBe(admissible);
    expect(mixCandidates(admissible, [], 5, new Mulberry32(1))).toBe(admissible);
    expect(mixCandidates(admissible, undefined, 5, new Mulberry32(1))).toBe(admissible);
  });
});

describe('rollouts with invalid candidates', () => {
  const env = 'household';
  const spec = getEnvSpec(env);
  const tasks = [0, 1, 2].map((i) => ({ taskId: spec.task('train', i).id, seed: 3 }));
  const request = (over: Partial<CollectRequest> = {}): CollectRequest => ({
    env, episodes: rolloutsOf(tasks, 2), iteration: 0, mode: { kind: 'sample', temperature: 1 }, seed: 11, maxSteps: 15, ...over,
  });

  it('records g_t from the env: a uniform policy picks distractors, which come back valid=false, and grounding < 1', async () => {
    const { trajectories, stats } = await new RolloutEngine(new UniformDecider(), new InlineEnvs(3), { invalid: 6 }).collect(request());
    let invalid = 0;
    for (const t of trajectories) {
      // Replay each episode: the string at the recorded index is what the env stepped, and its answer is g_t.
      const e = spec.create();
      e.reset(t.taskId, t.seed);
      for (const s of t.steps) {
        const adm = new Set(e.admissibleActions());
        const extra = s.admissible.filter((c) => !adm.has(c));
        expect(extra.length).toBeLessThanOrEqual(Math.min(6, Math.ceil(adm.size / 3)));
        const action = s.admissible[s.action];
        const r = e.step(action);
        expect(r.valid).toBe(s.valid);
        expect(s.valid).toBe(adm.has(action));
        if (!s.valid) invalid++;
      }
    }
    expect(invalid).toBeGreaterThan(0);
    const g = summarize(trajectories).grounding;
    expect(g).toBeLessThan(1);
    expect(g).toBeGreaterThan(0.5);
    const steps = trajectories.flatMap((t) => t.steps);
    expect(stats.candidatesPerDecision).toBeCloseTo(steps.reduce((a, s) => a + s.admissible.length, 0) / steps.length, 9);
  });

  it('is deterministic with distractors, and invalid = 0 offers the admissible actions only (g_t ≡ 1)', async () => {
    const a = await new RolloutEngine(new UniformDecider(), new InlineEnvs(3), { invalid: 6 }).collect(request());
    const b = await new RolloutEngine(new UniformDecider(), new InlineEnvs(2), { invalid: 6 }).collect(request());
    expect(b.trajectories).toEqual(a.trajectories);
    const off = await new RolloutEngine(new UniformDecider(), new InlineEnvs(3), { invalid: 6 }).collect(request({ invalid: 0 }));
    expect(summarize(off.trajectories).grounding).toBe(1);
    const plain = await new RolloutEngine(new UniformDecider(), new InlineEnvs(3)).collect(request());
    expect(plain.trajectories).toEqual(off.trajectories);
  });

  it('greedy evaluation with distractors reports grounding as the share of valid steps', async () => {
    const { trajectories } = await new RolloutEngine(new UniformDecider(), new InlineEnvs(3), { invalid: 6 }).collect(request({ mode: { kind: 'greedy' } }));
    const steps = trajectories.flatMap((t) => t.steps);
    expect(summarize(trajectories).grounding).toBeCloseTo(steps.filter((s) => s.valid).length / steps.length, 12);
  });

  it('the env workers send plausible actions when asked', () => {
    const core = new WorkerCore();
    const [r] = core.handle({ ops: [{ op: 'reset', slot: 0, env, taskId: tasks[0].taskId, seed: 3 }], want: { admissible: true, plausible: true } });
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(Array.isArray(r.plausible)).toBe(true);
      const adm = new Set(r.admissible);
      for (const p of r.plausible ?? []) expect(adm.has(p)).toBe(false);
    }
  });
});

describe('BC demonstrations with invalid candidates', () => {
  it('mix distractors into the expert decisions, with the expert index on the expert action', () => {
    for (const name of ['household', 'webshop', 'virtualhome']) {
      const spec = getEnvSpec(name);
      const ids = [0, 1].map((i) => spec.task('train', i).id);
      const plain = expertEpisodes(spec, ids, 1);
      const mixed = expertEpisodes(spec, ids, 1, undefined, 4);
      expect(mixed.map((d) => d.decisions.length)).toEqual(plain.map((d) => d.decisions.length));
      let extra = 0;
      mixed.forEach((d, i) => d.decisions.forEach((x, t) => {
        const p = plain[i].decisions[t];
        expect(x.candidates[x.expert]).toBe(p.candidates[p.expert]);
        expect(x.candidates.filter((c) => p.candidates.includes(c))).toEqual(p.candidates);
        extra += x.candidates.length - p.candidates.length;
      }));
      expect(extra, name).toBeGreaterThan(0);
      expect(expertEpisodes(spec, ids, 1, undefined, 4)).toEqual(mixed);
    }
  });

  it('draw from a stream keyed by the seed and the demo', () => {
    const a = candidateRng(1, 'expert/x').next();
    expect(candidateRng(1, 'expert/x').next()).toBe(a);
    expect(candidateRng(2, 'expert/x').next()).not.toBe(a);
  });
});
