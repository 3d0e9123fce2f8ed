// What the trainable heads read about a decision: φ(s) for the state, ψ(a) for every candidate
// and the frozen prior ℓ(a|s) (DESIGN.md §2). A FeatureSource turns decisions (an episode's
// prompt state and its candidates) into these; the backbone is the real one, and anything that
// produces deterministic features of a fixed width can stand in (tests use a hashed one).

import type { BackboneClient } from '../policy/backbone-client';
import { buildMessages, DEFAULT_PROMPT_OPTIONS, type PromptOptions, type PromptState } from '../policy/prompts';

/** One decision to featurise: the prompt state the agent is in and the actions it may take. */
export interface Decision {
  prompt: PromptState;
  candidates: string[];
}

export interface DecisionFeatures {
  /** φ(s), `dim` floats. */
  phi: Float32Array;
  /** ψ(a) per candidate, `candidates × dim` floats, candidate-major. */
  psi: Float32Array;
  /** ℓ(a|s) per candidate: the length-normalised log-likelihood. */
  prior: Float32Array;
}

export interface FeatureSource {
  /** Width of φ and ψ. */
  readonly dim: number;
  features(decisions: readonly Decision[]): Promise<DecisionFeatures[]>;
}

/** The backbone as a feature source: one batched score call per request, through its feature cache. */
export class BackboneFeatures implements FeatureSource {
  constructor(
    private readonly client: BackboneClient,
    readonly dim: number,
    private readonly prompt: PromptOptions = DEFAULT_PROMPT_OPTIONS,
    /** Decisions per score call (bounds the worker's memory for one call). */
    private readonly chunk = 16,
  ) {}

  async features(decisions: readonly Decision[]): Promise<DecisionFeatures[]> {
    const out: DecisionFeatures[] = [];
    for (let at = 0; at < decisions.length; at += this.chunk) {
      const part = decisions.slice(at, at + this.chunk);
      const res = await this.client.score(part.map((d) => ({ context: { messages: buildMessages(d.prompt, this.prompt) }, candidates: d.candidates })), { features: true });
      res.items.forEach((item, i) => {
        if (!item.phi) throw new Error('the backbone returned no φ(s); score with features: true');
        const n = part[i].candidates.length;
        const psi = new Float32Array(n * this.dim);
        const prior = new Float32Array(n);
        item.candidates.forEach((c, j) => {
          if (!c.psi) throw new Error(`the backbone returned no ψ(a) for candidate ${j}`);
          psi.set(c.psi, j * this.dim);
          prior[j] = c.logprobMean;
        });
        out.push({ phi: item.phi, psi, prior });
      });
    }
    return out;
  }
}

/** The prompt state before the agent's t-th decision of a recorded episode (t = 0 … steps−1). */
export function promptAt(env: string, goal: string, steps: readonly { observation: string; admissible: string[]; action: number }[], t: number): PromptState {
  return {
    env,
    goal,
    initialObservation: steps[0].observation,
    // Step k's observation is what the agent read before acting at k, so the answer to action k is step k+1's.
    history: steps.slice(0, t).map((s, k) => ({ action: s.admissible[s.action], observation: steps[k + 1].observation })),
    admissible: steps[t].admissible,
  };
}
