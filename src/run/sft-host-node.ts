// The SFT stage in the Node host: reads the bundled model folder, keeps the SFT checkpoint in
// <out>/sft/ (an interrupted stage resumes from it), writes the fine-tuned model to <out>/model/
// (config.json last, so a folder with a config.json is complete), and points the run's backbone
// at it. A resumed run whose export is there (same SFT settings) loads it instead of training again.

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Gpu } from '../gpu';
import { Backbone } from '../policy/backbone';
import { bundledModelDir } from '../policy/backbone-node';
import type { ModelInfo } from '../policy/backbone-types';
import { BUNDLED_MODEL_ID, catalogueEntry, loadRequestFor } from '../policy/model-catalogue';
import type { EpisodeBackbone } from '../rl/rollout-decider';
import type { SftOptions } from '../rl/sft';
import { fileCheckpointStore } from '../rl/sft-checkpoint-file';
import type { RunConfig } from './config';
import type { RunControl } from './control';
import type { PipelineDeps } from './pipeline';
import { reusableSftMetrics, runSftStage, SFT_BASE_FILES, type SftBaseFiles } from './sft-host';

/** The run's fine-tuned model folder under its --out directory. */
export const SFT_MODEL_DIR = 'model';

/** Loads a model folder (config.json, onnx/model.onnx, tokenizer) on onnxruntime-node as the bundled model's kind. */
export function loadBackboneFolder(dir: string): Promise<Backbone> {
  const entry = catalogueEntry(BUNDLED_MODEL_ID)!;
  // transformers.js resolves a local model as <localModelPath>/<modelId>/.
  return Backbone.load({ ...loadRequestFor(entry, 'cpu', { localModelPath: `${dirname(dir)}/` }), modelId: basename(dir) });
}

/** The backbone the pipeline holds; the SFT stage swaps in the fine-tuned model before any decision. */
export class SwappableBackbone implements EpisodeBackbone {
  constructor(private inner: Backbone, private folder: string) {}
  get info(): ModelInfo {
    return this.inner.info;
  }
  /** The model folder the current backbone was loaded from. */
  get modelFolder(): string {
    return this.folder;
  }
  scoreEpisodes(...args: Parameters<Backbone['scoreEpisodes']>) {
    return this.inner.scoreEpisodes(...args);
  }
  endEpisodes(episodes: Iterable<string>): void {
    this.inner.endEpisodes(episodes);
  }
  async swap(next: Backbone, folder: string): Promise<void> {
    const old = this.inner;
    this.inner = next;
    this.folder = folder;
    await old.dispose();
  }
  dispose(): Promise<void> {
    return this.inner.dispose();
  }
}

function readBase(): SftBaseFiles {
  const dir = join(bundledModelDir(), BUNDLED_MODEL_ID);
  return Object.fromEntries(SFT_BASE_FILES.map((f) => [f, new Uint8Array(readFileSync(join(dir, f)))])) as SftBaseFiles;
}

/** Writes the folder; config.json goes last (via a rename) so its presence means the folder is whole. */
function writeModelFolder(dir: string, files: Record<string, Uint8Array>): void {
  for (const [name, bytes] of Object.entries(files)) {
    if (name === 'config.json') continue;
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), bytes);
  }
  const tmp = join(dir, `config.json.${process.pid}.tmp`);
  writeFileSync(tmp, files['config.json']);
  renameSync(tmp, join(dir, 'config.json'));
}

/** The finished export of this run in `out`, if there is one for these SFT settings. */
export function finishedSftModel(out: string, config: RunConfig): string | null {
  const dir = join(out, SFT_MODEL_DIR);
  const cfg = join(dir, 'config.json');
  return existsSync(cfg) && reusableSftMetrics(readFileSync(cfg), config) ? dir : null;
}

/**
 * The pipeline's `sft` hook for a run in `out`: trains (or resumes the checkpoint in <out>/sft/),
 * exports to <out>/model/ and swaps the backbone to it; an export already there is reused.
 */
export function nodeSftHook(out: string, gpu: Gpu, backbone: SwappableBackbone, overrides: Partial<SftOptions> = {}): NonNullable<PipelineDeps['sft']> {
  return async (config: RunConfig, control: RunControl, progress: (fraction: number) => void) => {
    const dir = join(out, SFT_MODEL_DIR);
    const cfg = join(dir, 'config.json');
    let metrics = existsSync(cfg) ? reusableSftMetrics(readFileSync(cfg), config) : null;
    if (!metrics) {
      const stage = await runSftStage(gpu, config, readBase(), control, progress, { checkpoints: fileCheckpointStore(join(out, 'sft')), overrides });
      writeModelFolder(dir, stage.files);
      metrics = stage.metrics;
    }
    if (backbone.modelFolder !== dir) await backbone.swap(await loadBackboneFolder(dir), dir);
    progress(1);
    return metrics;
  };
}
