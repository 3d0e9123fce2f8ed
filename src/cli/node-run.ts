// What the headless commands (train, eval) share: the Node host of the pipeline (Dawn WebGPU for
// the heads, the backbone in this thread on onnxruntime-node, environment slots in this thread)
// and the small flag readers.

import { Gpu } from '../gpu';
import { Backbone } from '../policy/backbone';
import { bundledModelDir } from '../policy/backbone-node';
import { catalogueEntry, loadRequestFor } from '../policy/model-catalogue';
import { InlineEnvs } from '../rl/rollout-envs';
import type { RunConfig } from '../run/config';
import type { PipelineDeps } from '../run/pipeline';
import { finishedSftModel, loadBackboneFolder, nodeSftHook, SwappableBackbone } from '../run/sft-host-node';
import type { SftOptions } from '../rl/sft';
import { UsageError } from './io';

/** Episodes stepped together (one backbone call per decision round over all of them). */
export const NODE_SLOTS = 32;

/** Loads a catalogue model on the CPU (onnxruntime-node) in this thread. */
export async function loadBackbone(modelId: string): Promise<Backbone> {
  const entry = catalogueEntry(modelId);
  if (!entry) throw new UsageError(`unknown model "${modelId}"; the CLI runs catalogue models (see src/policy/model-catalogue.ts)`);
  return Backbone.load(loadRequestFor(entry, 'cpu', { localModelPath: bundledModelDir() }));
}

/** A run with config.sft.enabled: its --out directory, where the SFT stage writes model/. */
export interface NodeSftRun {
  out: string;
  config: RunConfig;
  /** runSft fields to replace (tests shrink the stage with them). */
  overrides?: Partial<SftOptions>;
}

export async function nodeDeps(modelId: string, slots = NODE_SLOTS, sft?: NodeSftRun): Promise<PipelineDeps & { dispose(): Promise<void> }> {
  if (!sft?.config.sft.enabled) {
    const [gpu, backbone] = await Promise.all([Gpu.create(), loadBackbone(modelId)]);
    return {
      gpu, backbone, featureDim: backbone.info.featureDim, envs: new InlineEnvs(slots),
      dispose: async () => {
        await backbone.dispose();
        gpu.device.destroy();
      },
    };
  }
  // SFT runs: the backbone starts on the run's own export when a resumed run has one, else on the
  // bundled model, which the SFT stage swaps for the export before the first decision.
  const done = finishedSftModel(sft.out, sft.config);
  const [gpu, first] = await Promise.all([Gpu.create(), done ? loadBackboneFolder(done) : loadBackbone(modelId)]);
  const backbone = new SwappableBackbone(first, done ?? modelId);
  return {
    gpu, backbone, featureDim: first.info.featureDim, envs: new InlineEnvs(slots),
    sft: nodeSftHook(sft.out, gpu, backbone, sft.overrides),
    dispose: async () => {
      await backbone.dispose();
      gpu.device.destroy();
    },
  };
}

export function positiveInt(text: string, flag: string, min = 1): number {
  if (!/^\d+$/.test(text) || Number(text) < min) throw new UsageError(`--${flag} must be an integer ≥ ${min}, got "${text}"`);
  return Number(text);
}

/** "12 s", "3 min 4 s". */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}
