// How the rollout engine turns the live episodes of one step into log π over their candidates
// and V(s): the batched decider (one backbone call and one head call for every live episode,
// each episode's KV cache reused as its prompt grows) and, in naive-rollout.ts, the baseline
// that scores each episode on its own from its full prompt.

import type { EpisodeItem, EpisodeScoreOptions, EpisodeScoreProfile, EpisodeScoreResult } from '../policy/episode-scoring';
import { type AppendOnlyWindow, DEFAULT_APPEND_ONLY_WINDOW, type PromptState, anchoredMessages, nextAnchor } from '../policy/prompts';
import type { HeadBatch, HeadScorer } from './rollout-heads';

/** A live episode at a decision point. */
export interface DecisionState {
  episode: string;
  prompt: PromptState;
  /** The candidates: the env's admissible actions in its order, with any invalid distractors mixed in (candidates.ts). */
  candidates: string[];
}

/** The backbone's inputs to the heads for one step, kept so PPO can re-evaluate π_θ without the backbone. */
export interface StepFeatures {
  /** φ(s). */
  phi: Float32Array;
  /** ψ(a) of every candidate, candidates × dim. */
  psi: Float32Array;
  /** ℓ(a|s) of every candidate. */
  prior: Float32Array;
}

export interface Decision {
  /** log π(a|s) over the state's candidates. */
  logp: Float32Array;
  value: number;
  features: StepFeatures;
}

/** Where a decider's time went (ms), accumulated over its life. */
export interface DecideProfile {
  /** Building prompts (message lists). */
  promptMs: number;
  /** Backbone calls, wall time. */
  backboneMs: number;
  /** Packing features and running the heads (upload, kernels, readback). */
  headsMs: number;
  backboneCalls: number;
  headCalls: number;
  /** The episode scorer's own breakdown (batched decider only). */
  scorer?: EpisodeScoreProfile;
  /** Context tokens read from cached KV, and run (batched decider only). */
  reusedTokens?: number;
  contextTokensRun?: number;
}

export interface Decider {
  decide(states: DecisionState[]): Promise<Decision[]>;
  /** The episodes finished: release whatever is held for them. */
  end(episodes: string[]): void;
  readonly profile: DecideProfile;
}

/** What the batched decider needs from the backbone (Backbone in-process implements it). */
export interface EpisodeBackbone {
  scoreEpisodes(items: EpisodeItem[], options?: EpisodeScoreOptions): Promise<EpisodeScoreResult>;
  endEpisodes(episodes: Iterable<string>): void;
}

const now = (): number => performance.now();

/** Packs per-state features into one head batch. */
export function packHeadBatch(features: StepFeatures[], stateDim: number, actionDim: number): HeadBatch {
  const S = features.length;
  const offsets = new Uint32Array(S + 1);
  features.forEach((f, i) => (offsets[i + 1] = offsets[i] + f.prior.length));
  const N = offsets[S];
  const phi = new Float32Array(S * stateDim);
  const psi = new Float32Array(N * actionDim);
  const prior = new Float32Array(N);
  features.forEach((f, i) => {
    if (f.phi.length !== stateDim) throw new RangeError(`φ(s) has ${f.phi.length} values; the heads take ${stateDim}`);
    if (f.psi.length !== f.prior.length * actionDim) throw new RangeError(`ψ has ${f.psi.length} values for ${f.prior.length} candidates × ${actionDim}`);
    phi.set(f.phi, i * stateDim);
    psi.set(f.psi, offsets[i] * actionDim);
    prior.set(f.prior, offsets[i]);
  });
  return { phi, psi, prior, offsets };
}

/** Features of one scored item, in the heads' layout. */
export function itemFeatures(item: { phi?: Float32Array; candidates: Array<{ logprobMean: number; psi?: Float32Array }> }, dim: number): StepFeatures {
  if (!item.phi) throw new Error('the backbone returned no φ(s); score with features: true');
  const n = item.candidates.length;
  const psi = new Float32Array(n * dim);
  const prior = new Float32Array(n);
  item.candidates.forEach((c, j) => {
    if (!c.psi) throw new Error('the backbone returned no ψ(a); score with features: true');
    psi.set(c.psi, j * dim);
    prior[j] = c.logprobMean;
  });
  return { phi: item.phi, psi, prior };
}

export interface BatchedDeciderOptions {
  window?: AppendOnlyWindow;
  /** Replaces the environment's instruction in the prompt. */
  instruction?: string;
  /** Bytes the backbone's CPU-side arrays may take per pass. */
  memoryBudgetBytes?: number;
  /** How candidates are scored (see EpisodeScoreOptions.scoring); default 'exact'. */
  scoring?: 'exact' | 'shared-prefix';
}

/**
 * Every live episode in one backbone call (shared contexts computed once, each episode's cache
 * extended by its new step only) and one head call.
 */
export class BatchedDecider implements Decider {
  readonly profile: DecideProfile = {
    promptMs: 0, backboneMs: 0, headsMs: 0, backboneCalls: 0, headCalls: 0,
    scorer: { renderMs: 0, tokenizeMs: 0, extendMs: 0, candidateMs: 0, kvCopyMs: 0, readoutMs: 0 },
    reusedTokens: 0, contextTokensRun: 0,
  };
  private readonly anchors = new Map<string, number>();
  private readonly window: AppendOnlyWindow;

  constructor(
    private readonly backbone: EpisodeBackbone,
    private readonly heads: HeadScorer,
    private readonly options: BatchedDeciderOptions = {},
  ) {
    this.window = options.window ?? DEFAULT_APPEND_ONLY_WINDOW;
  }

  async decide(states: DecisionState[]): Promise<Decision[]> {
    let t = now();
    const items: EpisodeItem[] = states.map((s) => {
      const anchor = nextAnchor(s.prompt.history.length, this.anchors.get(s.episode) ?? 0, this.window);
      this.anchors.set(s.episode, anchor);
      return { episode: s.episode, context: { messages: anchoredMessages(s.prompt, anchor, { instruction: this.options.instruction }) }, candidates: s.candidates };
    });
    this.profile.promptMs += now() - t;

    t = now();
    const scored = await this.backbone.scoreEpisodes(items, { features: true, memoryBudgetBytes: this.options.memoryBudgetBytes, scoring: this.options.scoring });
    this.profile.backboneMs += now() - t;
    this.profile.backboneCalls++;
    const sp = this.profile.scorer!;
    for (const k of Object.keys(sp) as Array<keyof EpisodeScoreProfile>) sp[k] += scored.profile[k];
    this.profile.reusedTokens! += scored.reusedTokens;
    this.profile.contextTokensRun! += scored.contextTokensRun;

    t = now();
    const features = scored.items.map((it) => itemFeatures(it, this.heads.actionDim));
    const batch = packHeadBatch(features, this.heads.stateDim, this.heads.actionDim);
    const out = await this.heads.score(batch);
    this.profile.headsMs += now() - t;
    this.profile.headCalls++;
    return features.map((f, i) => ({
      logp: out.logp.slice(batch.offsets[i], batch.offsets[i + 1]),
      value: out.values[i],
      features: f,
    }));
  }

  end(episodes: string[]): void {
    for (const e of episodes) this.anchors.delete(e);
    this.backbone.endEpisodes(episodes);
  }
}
