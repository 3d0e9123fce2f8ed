// The pipeline's SFT stage (stage 1) as hosts run it: fine-tunes the bundled model from its own
// committed weights (not a seeded init; the run's SFT continues the bundled model's training) with
// the run config's steps and learning rate and the bundled recipe for everything else, then
// exports the result as a transformers.js model folder (bytes per relative path). Where the
// folder goes and how the backbone loads it is the host's business (sft-host-node.ts for Node).

import type { Gpu } from '../gpu';
import { decodeTransformerWeights } from '../nn/transformer-params';
import { createBpeEncoder } from '../policy/bpe-trainer';
import { decoderArchOf, exportDecoderFiles } from '../policy/decoder-export';
import { bpeModelFromTokenizerJson } from '../policy/tokenizer-files';
import { runSft, SftAbortedError, type SftCheckpointStore, type SftOptions } from '../rl/sft';
import { BUNDLED_SFT_RECIPE, sftOptionsFromRecipe } from '../rl/sft-recipe';
import type { RunConfig } from './config';
import { RunCancelledError, type RunControl } from './control';

/** Files of the bundled model folder the stage reads (weights, tokenizer) or copies into the export. */
export const SFT_PASS_THROUGH = ['tokenizer.json', 'tokenizer_config.json', 'generation_config.json'] as const;
export const SFT_BASE_FILES = ['model.safetensors', ...SFT_PASS_THROUGH] as const;
export type SftBaseFiles = Record<(typeof SFT_BASE_FILES)[number], Uint8Array>;

/** The metric names the stage reports (the pipeline writes them as one row with stage 'sft'). */
export interface SftStageMetrics extends Record<string, number> {
  'sft/loss': number;
  'sft/heldout_loss': number;
  'sft/tokens_per_s': number;
  'sft/steps': number;
  'sft/seconds': number;
}

export interface SftStageResult {
  metrics: SftStageMetrics;
  /** The model folder: relative path → bytes (config.json carries `stepwise.sftRun` and the metrics). */
  files: Record<string, Uint8Array>;
}

/** What decides the exported model; a stored export with another key is not reused. */
export function sftRunKey(config: RunConfig): string {
  return JSON.stringify({ model: config.model, steps: config.sft.steps, lr: config.sft.lr, recipe: BUNDLED_SFT_RECIPE });
}

/**
 * runSft options for a run config: steps and peak lr from config.sft (the warmup shrunk to fit
 * short runs), initial weights from the bundled model, the rest from BUNDLED_SFT_RECIPE.
 * `overrides` (tests, benches) replace single fields.
 */
export function sftStageOptions(config: RunConfig, base: SftBaseFiles, overrides: Partial<SftOptions> = {}): SftOptions {
  const recipe = BUNDLED_SFT_RECIPE;
  const bpe = bpeModelFromTokenizerJson(JSON.parse(new TextDecoder().decode(base['tokenizer.json'])));
  const { weights } = decodeTransformerWeights(recipe.model, base['model.safetensors']);
  const steps = config.sft.steps;
  return sftOptionsFromRecipe(recipe, { encode: createBpeEncoder(bpe) }, {
    init: { weights },
    steps,
    lr: { ...recipe.lr, peak: config.sft.lr, warmupSteps: Math.min(recipe.lr.warmupSteps, Math.max(0, steps - 1)), floor: Math.min(recipe.lr.floor, config.sft.lr) },
    ...overrides,
  });
}

/** Runs the stage; a cancelled run control stops SFT after the current step (checkpointed) with RunCancelledError. */
export async function runSftStage(
  gpu: Gpu, config: RunConfig, base: SftBaseFiles, control: RunControl, progress: (fraction: number) => void,
  extra: { checkpoints?: SftCheckpointStore; overrides?: Partial<SftOptions> } = {},
): Promise<SftStageResult> {
  if (config.model !== 'stepwise-tiny') throw new Error(`SFT runs on the bundled model only (its recipe and weights); the config names "${config.model}"`);
  await control.checkpoint();
  const options = sftStageOptions(config, base, { ...(extra.checkpoints ? { checkpoints: extra.checkpoints, checkpointEvery: 25 } : {}), ...extra.overrides });
  const abort = new AbortController();
  const off = control.onChange((s) => { if (s === 'cancelled') abort.abort(); });
  let tokensPerSecond = NaN;
  let result;
  try {
    result = await runSft(options, {
      gpu, signal: abort.signal,
      onProgress: (e) => {
        if (e.kind === 'step') {
          tokensPerSecond = e.tokensPerSecond;
          progress(Math.min(0.95, e.step / e.steps));
        }
      },
    });
  } catch (e) {
    if (e instanceof SftAbortedError) throw new RunCancelledError();
    throw e;
  } finally {
    off();
  }
  const metrics: SftStageMetrics = {
    'sft/loss': result.trainLoss, 'sft/heldout_loss': result.heldOutLoss, 'sft/tokens_per_s': tokensPerSecond,
    'sft/steps': result.steps, 'sft/seconds': result.seconds,
  };
  const bpe = bpeModelFromTokenizerJson(JSON.parse(new TextDecoder().decode(base['tokenizer.json'])));
  const files = exportDecoderFiles(decoderArchOf(options.model, options.batchTokens), result.weights, {
    tokens: { bos: null, eos: bpe.vocab.get('<|im_end|>')!, pad: bpe.vocab.get('<|endoftext|>')! },
    passThrough: Object.fromEntries(SFT_PASS_THROUGH.map((f) => [f, base[f]])),
    configExtra: { stepwise: { weights: `bundled model + run SFT, ${result.steps} steps`, prompt: options.prompt, heldOutLoss: result.heldOutLoss, sftRun: sftRunKey(config), metrics } },
  });
  progress(1);
  return { metrics, files };
}

/** The stored export's metrics when its config.json was written by a stage with this run's key, else null. */
export function reusableSftMetrics(configJson: Uint8Array | string, config: RunConfig): SftStageMetrics | null {
  try {
    const parsed = JSON.parse(typeof configJson === 'string' ? configJson : new TextDecoder().decode(configJson)) as { stepwise?: { sftRun?: string; metrics?: SftStageMetrics } };
    return parsed.stepwise?.sftRun === sftRunKey(config) && parsed.stepwise.metrics ? parsed.stepwise.metrics : null;
  } catch {
    return null;
  }
}
