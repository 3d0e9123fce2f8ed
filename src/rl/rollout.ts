// The rollout engine: N environment slots step together. At every decision step the decider
// scores the candidates of every live episode at once (one backbone call, one head call), each
// episode draws its action from its own seeded stream, the slots step in one env batch, and every
// step is recorded (observation, candidates, action, log π_old, π, V, g_t, reward, done, won,
// stateKey). The candidates are the env's admissible actions plus, when the engine is asked for
// them, a few invalid distractors from the env's plausible actions (candidates.ts), so a chosen
// action can be one that does nothing and g_t is the env's answer rather than always 1. When an episode ends its slot takes the next queued episode; once the queue is empty
// the live set shrinks until the last episode ends.
//
// Episodes come back in the order they were asked for, and each one's draws come from a stream
// keyed by (seed, episode id), so the same request and seed give identical trajectories whatever
// the slot count or the order in which episodes finish.

import type { SlotOp, SlotOutcome } from '../envs/pool/index';
import { getEnvSpec } from '../envs/registry';
import type { PromptState } from '../policy/prompts';
import type { Decider, DecideProfile, StepFeatures } from './rollout-decider';
import type { EnvBatcher } from './rollout-envs';
import { candidateRng, mixCandidates } from './candidates';
import { type SamplingMode, choose, episodeRng } from './sampling';
import type { StepRecord, Trajectory } from './trajectory';

/** One episode to play. Rollouts of one task share taskId and seed and differ in id. */
export interface EpisodeSpec {
  id: string;
  taskId: string;
  seed: number;
}

export interface CollectRequest {
  env: string;
  episodes: EpisodeSpec[];
  /** PPO iteration stamped on the trajectories. */
  iteration: number;
  mode: SamplingMode;
  /** Seed of the action draws. */
  seed: number;
  /**
   * Decision cap per episode (default: the env's own maxSteps). An episode cut by the cap before
   * the env ended it gets bootstrapValue = V of the state it stopped in.
   */
  maxSteps?: number;
  /** Return φ/ψ/ℓ of every step alongside the trajectories (PPO re-evaluates π_θ from them). */
  keepFeatures?: boolean;
  /** Stamped on the trajectories. */
  checkpoint?: string;
  /** At most this many invalid distractors per decision (default: the engine's; 0 = admissible only). */
  invalid?: number;
}

/** The distractor count as given, or a RangeError: one rule for the engine's default and a request's override. */
function checkInvalidCount(n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`invalid candidates must be a non-negative integer, got ${n}`);
  return n;
}

export interface EngineOptions {
  /**
   * At most this many invalid distractors mixed into each decision's candidates (candidates.ts);
   * 0 (the default) scores the admissible actions alone. The run config's candidates.invalid.
   */
  invalid?: number;
}

/** Where the time of one collection went (ms). */
export interface RolloutProfile {
  /** Waiting for env resets and steps. */
  envMs: number;
  /** The decider: prompts, backbone and heads (see DecideProfile for its split). */
  decideMs: number;
  /** Sampling and recording. */
  recordMs: number;
  wallMs: number;
  decider: DecideProfile;
}

export interface RolloutStats {
  /** Actions chosen (one per live episode per decision step). */
  decisions: number;
  /** Decision steps (decider calls). */
  decisionSteps: number;
  /** Live episodes at each decision step. */
  live: number[];
  /** Candidates scored per decision, on average. */
  candidatesPerDecision: number;
  decisionsPerSecond: number;
  profile: RolloutProfile;
}

export interface CollectResult {
  trajectories: Trajectory[];
  /** features[i][t]: step t of trajectories[i] (with keepFeatures). */
  features?: StepFeatures[][];
  stats: RolloutStats;
}

/** K rollouts of each task: ids "<prefix><taskId>/k<j>", one shared reset seed per task. */
export function rolloutsOf(tasks: ReadonlyArray<{ taskId: string; seed: number }>, k: number, prefix = ''): EpisodeSpec[] {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`rollouts per task must be a positive integer, got ${k}`);
  return tasks.flatMap((t) => Array.from({ length: k }, (_, j) => ({ id: `${prefix}${t.taskId}/k${j}`, taskId: t.taskId, seed: t.seed })));
}

interface Live {
  index: number;
  spec: EpisodeSpec;
  prompt: PromptState;
  observation: string;
  admissible: string[];
  /** What the decider scores: `admissible` with any distractors mixed in. */
  candidates: string[];
  stateKey: string;
  steps: StepRecord[];
  features: StepFeatures[];
  rng: ReturnType<typeof episodeRng>;
  /** The distractor draws, a stream apart from the action draws. */
  crng: ReturnType<typeof candidateRng>;
  /** Cut by the decision cap: the next decision only reads V for the bootstrap. */
  cut: boolean;
}

const now = (): number => performance.now();

export class RolloutEngine {
  constructor(
    private readonly decider: Decider,
    private readonly envs: EnvBatcher,
    private readonly options: EngineOptions = {},
  ) {
    checkInvalidCount(options.invalid ?? 0);
  }

  async collect(req: CollectRequest): Promise<CollectResult> {
    const t0 = now();
    const spec = getEnvSpec(req.env);
    const cap = req.maxSteps ?? spec.maxSteps;
    if (!Number.isInteger(cap) || cap < 1) throw new RangeError(`maxSteps must be a positive integer, got ${cap}`);
    const ids = new Set<string>();
    for (const e of req.episodes) {
      if (ids.has(e.id)) throw new RangeError(`episode id "${e.id}" appears twice`);
      ids.add(e.id);
    }
    const invalid = checkInvalidCount(req.invalid ?? this.options.invalid ?? 0);
    const want = { admissible: true, stateKey: true, plausible: invalid > 0 };
    const profile: RolloutProfile = { envMs: 0, decideMs: 0, recordMs: 0, wallMs: 0, decider: this.decider.profile };
    const deciderStart = structuredClone(this.decider.profile);
    const trajectories: Trajectory[] = new Array(req.episodes.length);
    const features: StepFeatures[][] = new Array(req.episodes.length);
    const slots: (Live | null)[] = new Array(this.envs.slots).fill(null);
    let next = 0;
    const live: number[] = [];
    let decisions = 0;
    let candidates = 0;

    const finish = (slot: number, bootstrap?: number): void => {
      const l = slots[slot]!;
      const last = l.steps[l.steps.length - 1];
      trajectories[l.index] = {
        id: l.spec.id,
        env: req.env,
        envVersion: spec.version,
        taskId: l.spec.taskId,
        seed: l.spec.seed,
        iteration: req.iteration,
        goal: l.prompt.goal,
        steps: l.steps,
        finalReward: last?.reward ?? 0,
        won: last?.won ?? false,
        ...(bootstrap !== undefined ? { bootstrapValue: bootstrap } : {}),
        ...(req.checkpoint ? { checkpoint: req.checkpoint } : {}),
      };
      if (req.keepFeatures) features[l.index] = l.features;
      this.decider.end([l.spec.id]);
      slots[slot] = null;
    };

    const refill = async (): Promise<void> => {
      const ops: SlotOp[] = slots.map(() => null);
      const starting: Array<[number, number]> = [];
      slots.forEach((s, slot) => {
        if (s || next >= req.episodes.length) return;
        const e = req.episodes[next];
        ops[slot] = { reset: { env: req.env, taskId: e.taskId, seed: e.seed } };
        starting.push([slot, next++]);
      });
      if (!starting.length) return;
      const te = now();
      const out = await this.envs.batch(ops, want);
      profile.envMs += now() - te;
      for (const [slot, index] of starting) {
        const o = out[slot];
        if (!o || o.kind !== 'reset') throw new Error(`slot ${slot}: no reset result for episode ${req.episodes[index].id}`);
        const e = req.episodes[index];
        const admissible = admissibleOf(o, e.id);
        const crng = candidateRng(req.seed, e.id);
        slots[slot] = {
          index,
          spec: e,
          prompt: { env: req.env, goal: o.observation.goal, initialObservation: o.observation.text, history: [] },
          observation: o.observation.text,
          admissible,
          candidates: mixCandidates(admissible, o.plausible, invalid, crng),
          stateKey: o.stateKey ?? '',
          steps: [],
          features: [],
          rng: episodeRng(req.seed, e.id),
          crng,
          cut: false,
        };
      }
    };

    await refill();
    for (;;) {
      const active = slots.map((s, slot) => [s, slot] as const).filter((x): x is readonly [Live, number] => x[0] !== null);
      if (!active.length) break;
      live.push(active.length);

      const td = now();
      const decided = await this.decider.decide(active.map(([l]) => ({ episode: l.spec.id, prompt: l.prompt, candidates: l.candidates })));
      profile.decideMs += now() - td;

      const tr = now();
      const ops: SlotOp[] = slots.map(() => null);
      const pending: Array<{ slot: number; record: Omit<StepRecord, 'valid' | 'reward' | 'done' | 'won'>; feats: StepFeatures }> = [];
      active.forEach(([l, slot], i) => {
        const d = decided[i];
        if (l.cut) {
          finish(slot, d.value);
          return;
        }
        const c = choose(d.logp, req.mode, l.rng);
        decisions++;
        candidates += l.candidates.length;
        ops[slot] = { step: l.candidates[c.index] };
        pending.push({
          slot,
          record: { observation: l.observation, admissible: l.candidates, action: c.index, logpOld: c.logp, probs: c.probs, value: d.value, stateKey: l.stateKey },
          feats: d.features,
        });
      });
      profile.recordMs += now() - tr;
      if (!pending.length) {
        await refill();
        continue;
      }

      const te = now();
      const out = await this.envs.batch(ops, want);
      profile.envMs += now() - te;

      const tr2 = now();
      for (const p of pending) {
        const l = slots[p.slot]!;
        const o = out[p.slot];
        if (!o || o.kind !== 'step') throw new Error(`slot ${p.slot}: no step result for episode ${l.spec.id}`);
        l.steps.push({ ...p.record, valid: o.valid, reward: o.reward, done: o.done, won: o.won });
        if (req.keepFeatures) l.features.push(p.feats);
        const action = l.candidates[p.record.action];
        l.prompt.history.push({ action, observation: o.observation.text });
        l.observation = o.observation.text;
        if (o.done) {
          finish(p.slot);
          continue;
        }
        l.admissible = admissibleOf(o, l.spec.id);
        l.candidates = mixCandidates(l.admissible, o.plausible, invalid, l.crng);
        l.stateKey = o.stateKey ?? '';
        if (l.steps.length >= cap) l.cut = true;
      }
      profile.recordMs += now() - tr2;
      await refill();
    }

    profile.wallMs = now() - t0;
    profile.decider = diffProfile(this.decider.profile, deciderStart);
    return {
      trajectories,
      ...(req.keepFeatures ? { features } : {}),
      stats: {
        decisions,
        decisionSteps: live.length,
        live,
        candidatesPerDecision: decisions ? candidates / decisions : 0,
        decisionsPerSecond: profile.wallMs > 0 ? (decisions / profile.wallMs) * 1000 : 0,
        profile,
      },
    };
  }
}

function admissibleOf(o: Exclude<SlotOutcome, null>, episode: string): string[] {
  const a = o.admissible;
  if (!a || !a.length) throw new Error(`episode ${episode}: the environment offered no admissible actions, so there is nothing to choose from`);
  return a;
}

/** This collection's share of a decider profile that accumulates over the decider's life. */
function diffProfile(after: DecideProfile, before: DecideProfile): DecideProfile {
  const sub = <T extends object>(a: T, b: T): T => {
    const out = { ...a } as Record<string, unknown>;
    for (const [k, v] of Object.entries(a)) {
      const w = (b as Record<string, unknown>)[k];
      if (typeof v === 'number' && typeof w === 'number') out[k] = v - w;
      else if (v && typeof v === 'object' && w && typeof w === 'object') out[k] = sub(v as object, w as object);
    }
    return out as T;
  };
  return sub(after, before);
}
