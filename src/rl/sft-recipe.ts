// The recipe that trains the bundled stepwise-tiny model (npm run build:model) and the defaults of
// `stepwise sft`. Sized so the whole build finishes within 20 minutes on a 2-core machine running
// WebGPU on SwiftShader; the reasons are in public/models/stepwise-tiny/README.md.

import type { TransformerConfig } from '../nn/transformer';
import { SFT_PROMPT_OPTIONS, type SftOptions } from './sft';
import type { SftTokenizer } from './sft-data';

export interface SftRecipe {
  model: TransformerConfig;
  weightSeed: number;
  steps: number;
  batchTokens: number;
  trainEpisodes: number;
  heldOutEpisodes: number;
  lr: { peak: number; warmupSteps: number; floor: number };
  weightDecay: number;
  maxGradNorm: number;
  seed: number;
}

export const BUNDLED_SFT_RECIPE: SftRecipe = {
  model: {
    vocabSize: 4096,
    hiddenSize: 64,
    intermediateSize: 192,
    numLayers: 2,
    numHeads: 2,
    numKvHeads: 2,
    headDim: 32,
    rmsNormEps: 1e-5,
    ropeTheta: 10000,
    tieWordEmbeddings: true,
    attentionBias: false,
  },
  weightSeed: 1,
  steps: 180,
  batchTokens: 1536,
  trainEpisodes: 600,
  heldOutEpisodes: 8,
  lr: { peak: 3e-3, warmupSteps: 10, floor: 3e-4 },
  weightDecay: 0.01,
  maxGradNorm: 1,
  seed: 1,
};

/** runSft options of a recipe; `overrides` replace single fields (the CLI's flags). */
export function sftOptionsFromRecipe(recipe: SftRecipe, tokenizer: SftTokenizer, overrides: Partial<SftOptions> = {}): SftOptions {
  return {
    model: recipe.model,
    init: { seed: recipe.weightSeed },
    tokenizer,
    prompt: SFT_PROMPT_OPTIONS,
    trainEpisodes: recipe.trainEpisodes,
    heldOutEpisodes: recipe.heldOutEpisodes,
    steps: recipe.steps,
    batchTokens: recipe.batchTokens,
    lr: recipe.lr,
    weightDecay: recipe.weightDecay,
    maxGradNorm: recipe.maxGradNorm,
    seed: recipe.seed,
    // The register-blocked product is the fastest on SwiftShader and, fixed, keeps the bytes
    // independent of the autotuner's timings.
    matmulVariant: 'regblock',
    ...overrides,
  };
}
