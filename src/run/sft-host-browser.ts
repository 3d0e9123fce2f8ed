// The SFT stage in the trainer worker (the lab), the browser's counterpart of sft-host-node.ts:
// it trains on the worker's own WebGPU device from the bundled model's files (fetched from the
// app's /models/stepwise-tiny/), keeps the stage's checkpoint and then the exported model folder
// in IndexedDB under the run (sft-model-store.ts), and points the run's backbone at that export,
// which the LLM worker loads from bytes (LoadRequest.files). A reload or a resume reuses a stored
// export made with the same settings (sftRunKey) instead of training again.
//
// Bad input loses nothing: a stored export that fails its checksums, lacks a file or names other
// settings is reported, deleted and trained again; the run carries on.
//
// Nothing here is browser-only (the entry hands in how to fetch the base files and load a model
// from bytes), so the storage and reuse logic is tested in Node over fake-indexeddb.

import type { Gpu } from '../gpu';
import type { ModelInfo } from '../policy/backbone-types';
import { memoryModelId, missingModelFiles } from '../policy/memory-model';
import { BUNDLED_MODEL_ID } from '../policy/model-catalogue';
import type { EpisodeBackbone } from '../rl/rollout-decider';
import type { SftOptions } from '../rl/sft';
import type { RunConfig } from './config';
import type { RunControl } from './control';
import type { SftModelStore } from './persistence/sft-model-store';
import { verifyExport } from './persistence/sft-model-store';
import type { RunStore } from './persistence/store';
import type { PipelineDeps } from './pipeline';
import { reusableSftMetrics, runSftStage, sftRunKey, SFT_BASE_FILES, type SftBaseFiles, type SftStageMetrics } from './sft-host';
type Progress = (fraction: number, detail?: string) => void;

/** A loaded frozen backbone, as the trainer worker's entry provides it (trainer-host.ts re-exports it). */
export interface LoadedBackbone {
  backbone: EpisodeBackbone;
  modelId: string;
  featureDim: number;
  /** False once the backbone cannot score any more (its worker crashed); the host then loads it again. */
  alive(): boolean;
  dispose(): Promise<void>;
}

/** How the trainer worker's entry gives the SFT stage what only the browser has. */
export interface TrainerSftOptions {
  /** The bundled model's files the stage reads (SFT_BASE_FILES). */
  baseFiles(): Promise<SftBaseFiles>;
  /** Loads a model folder given as bytes as the run's backbone (in the browser: the LLM worker). */
  loadFiles(modelId: string, files: Record<string, Uint8Array>, onProgress: Progress): Promise<LoadedBackbone>;
  /** Opens the store of exports and SFT checkpoints (default: IndexedDB "stepwise-sft"). */
  openStore?(): Promise<SftModelStore>;
  /** runSft fields to replace (tests shrink the stage's data with them). */
  overrides?: Partial<SftOptions>;
}

/** The model id a run's SFT export loads under, so ModelInfo names the run: stepwise-tiny-sft-<runId>. */
export function sftModelId(runId: string): string {
  return memoryModelId(`${BUNDLED_MODEL_ID}-sft`, runId);
}

export type SftExportLookup =
  | { state: 'none' }
  | { state: 'unusable'; reason: string }
  | { state: 'ok'; files: Record<string, Uint8Array>; metrics: SftStageMetrics };

/** The run's stored export, checked whole (manifest), complete (the files a load needs) and made with this config's SFT settings. */
export async function lookupSftExport(store: SftModelStore, runId: string, config: RunConfig): Promise<SftExportLookup> {
  let stored;
  try {
    stored = await store.getExport(runId);
  } catch (e) {
    return { state: 'unusable', reason: `it could not be read (${e instanceof Error ? e.message : String(e)})` };
  }
  if (!stored) return { state: 'none' };
  const damage = verifyExport(stored);
  if (damage) return { state: 'unusable', reason: `it is damaged: ${damage}` };
  const missing = missingModelFiles(stored.files);
  if (missing.length) return { state: 'unusable', reason: `it lacks ${missing.join(', ')}` };
  if (stored.key !== sftRunKey(config)) return { state: 'unusable', reason: 'it was trained with other SFT settings' };
  const metrics = reusableSftMetrics(stored.files['config.json'], config);
  if (!metrics) return { state: 'unusable', reason: 'its config.json does not name this run\'s SFT settings' };
  return { state: 'ok', files: stored.files, metrics };
}

/** The backbone the pipeline holds for an SFT run; the SFT stage switches it to the export before any decision. */
export class SwitchingBackbone implements EpisodeBackbone {
  constructor(private current: LoadedBackbone) {}

  get loaded(): LoadedBackbone {
    return this.current;
  }

  /** The model id of the backbone now scoring (the run's SFT model id once switched). */
  get modelId(): string {
    return this.current.modelId;
  }

  /** ModelInfo of the backbone now scoring, where the loader exposes it (the LLM worker's client does). */
  get info(): ModelInfo | null {
    return (this.current.backbone as { info?: ModelInfo | null }).info ?? null;
  }

  scoreEpisodes(...args: Parameters<EpisodeBackbone['scoreEpisodes']>): ReturnType<EpisodeBackbone['scoreEpisodes']> {
    return this.current.backbone.scoreEpisodes(...args);
  }

  endEpisodes(episodes: Iterable<string>): void {
    this.current.backbone.endEpisodes(episodes);
  }

  /** Scores with `next` from now on; its features must have the width the heads were built for. */
  switchTo(next: LoadedBackbone): void {
    if (next.featureDim !== this.current.featureDim) {
      throw new Error(`the SFT model's features have ${next.featureDim} dimensions, the run's heads ${this.current.featureDim}`);
    }
    this.current = next;
  }
}

export interface BrowserSftRun {
  runId: string;
  gpu: Gpu;
  store: SftModelStore;
  /** The run store: runs it no longer lists lose their SFT models before a new one is stored. */
  runs: RunStore;
  sft: TrainerSftOptions;
  /** Loads (or reuses) a backbone under a key, as the host caches them; `fresh` drops a cached one first. */
  backbone(key: string, load: () => Promise<LoadedBackbone>, fresh?: boolean): Promise<LoadedBackbone>;
  /** A message for the page that does not stop the run (an unusable stored export). */
  notice(message: string): void;
}

/**
 * The backbone a run with sft.enabled starts on: its stored export when there is a usable one
 * (a resumed run), else `bundled`, which the SFT stage switches away from.
 */
export async function startingBackbone(r: BrowserSftRun, config: RunConfig, bundled: () => Promise<LoadedBackbone>, onProgress: Progress): Promise<SwitchingBackbone> {
  const found = await lookupSftExport(r.store, r.runId, config);
  if (found.state === 'ok') {
    const id = sftModelId(r.runId);
    return new SwitchingBackbone(await r.backbone(id, () => r.sft.loadFiles(id, found.files, onProgress)));
  }
  return new SwitchingBackbone(await bundled());
}

/**
 * The pipeline's `sft` hook: reuses the run's stored export when it is usable (reporting and
 * deleting one that is not), else trains (resuming the stage's checkpoint), stores the export
 * and switches `backbone` to it. Calling it again once switched returns the stored metrics.
 */
export function browserSftHook(r: BrowserSftRun, backbone: SwitchingBackbone): NonNullable<PipelineDeps['sft']> {
  return async (config: RunConfig, control: RunControl, progress: (fraction: number) => void) => {
    const id = sftModelId(r.runId);
    const found = await lookupSftExport(r.store, r.runId, config);
    let files: Record<string, Uint8Array>;
    let metrics: SftStageMetrics;
    if (found.state === 'ok') {
      ({ files, metrics } = found);
    } else {
      if (found.state === 'unusable') {
        r.notice(`the stored SFT model of run ${r.runId} was not used: ${found.reason}; training it again`);
        await r.store.deleteExport(r.runId);
      }
      const live = new Set((await r.runs.listRuns()).map((x) => x.id));
      live.add(r.runId);
      await r.store.retain(live);
      const stage = await runSftStage(r.gpu, config, await r.sft.baseFiles(), control, progress, { checkpoints: r.store.checkpoints(r.runId), overrides: r.sft.overrides });
      await r.store.putExport(r.runId, sftRunKey(config), stage.files);
      ({ files, metrics } = stage);
    }
    // A freshly trained export replaces whatever a cache holds under its id.
    if (backbone.modelId !== id || found.state !== 'ok') backbone.switchTo(await r.backbone(id, () => r.sft.loadFiles(id, files, () => {}), found.state !== 'ok'));
    progress(1);
    return metrics;
  };
}

/**
 * The bundled model's base files over fetch, from the app's model folder URL (`folder` ends in
 * "/"). A missing file or a server's HTML fallback page is an error naming the file.
 */
export async function fetchBaseFiles(folder: string, fetchFn: typeof fetch = fetch): Promise<SftBaseFiles> {
  const entries = await Promise.all(SFT_BASE_FILES.map(async (name) => {
    const url = `${folder}${name}`;
    const res = await fetchFn(url);
    if (!res.ok || /text\/html/i.test(res.headers.get('content-type') ?? '')) {
      throw new Error(`the SFT stage could not read the bundled model's ${name} from ${url} (${res.ok ? 'the server answered with an HTML page' : `HTTP ${res.status}`})`);
    }
    return [name, new Uint8Array(await res.arrayBuffer())] as const;
  }));
  return Object.fromEntries(entries) as SftBaseFiles;
}
