// The baseline the rollout bench measures the engine against: what a first version does. Every
// live episode is scored on its own, one backbone call per environment per step, from its full
// prompt (the default window of past steps and the admissible list, rendered and tokenised from
// scratch every step), and the heads run once per episode. Same engine loop, same heads, same
// sampling; only the decider differs.

import type { ScoreItem, ScoreOptions, ScoreResult } from '../policy/backbone-types';
import { DEFAULT_PROMPT_OPTIONS, type PromptOptions, buildMessages } from '../policy/prompts';
import { type DecideProfile, type Decider, type Decision, type DecisionState, itemFeatures, packHeadBatch } from './rollout-decider';
import type { HeadScorer } from './rollout-heads';

/** What the naive decider needs from the backbone (Backbone and BackboneClient implement it). */
export interface ItemBackbone {
  score(items: ScoreItem[], options?: ScoreOptions): Promise<ScoreResult>;
}

const now = (): number => performance.now();

export class NaiveDecider implements Decider {
  readonly profile: DecideProfile = { promptMs: 0, backboneMs: 0, headsMs: 0, backboneCalls: 0, headCalls: 0 };

  constructor(
    private readonly backbone: ItemBackbone,
    private readonly heads: HeadScorer,
    private readonly prompt: PromptOptions = DEFAULT_PROMPT_OPTIONS,
  ) {}

  async decide(states: DecisionState[]): Promise<Decision[]> {
    const out: Decision[] = [];
    for (const s of states) {
      let t = now();
      const messages = buildMessages({ ...s.prompt, admissible: s.candidates }, this.prompt);
      this.profile.promptMs += now() - t;
      t = now();
      const scored = await this.backbone.score([{ context: { messages }, candidates: s.candidates }], { features: true });
      this.profile.backboneMs += now() - t;
      this.profile.backboneCalls++;
      t = now();
      const features = itemFeatures(scored.items[0], this.heads.actionDim);
      const r = await this.heads.score(packHeadBatch([features], this.heads.stateDim, this.heads.actionDim));
      this.profile.headsMs += now() - t;
      this.profile.headCalls++;
      out.push({ logp: r.logp, value: r.values[0], features });
    }
    return out;
  }

  end(): void {}
}
