// The trainer worker's entry (DESIGN.md §3): the browser Web Worker that owns the training GPU
// device, the orchestrator and the run store writes. The page spawns it (src/ui/trainer-client.ts)
// and talks to it only through the protocol in protocol.ts; trainer-host.ts holds the handlers.
//
// What it runs on, from here:
// - the frozen backbone in the LLM worker (a nested Web Worker owning transformers.js and, when
//   the device rule picks WebGPU, its own GPU device: ORT and our kernels never share one), reached
//   through BackboneClient, whose scoreEpisodes keeps each episode's KV cache in that worker;
// - the environments in the env worker pool;
// - the run store in IndexedDB (the trainer-host default);
// - the SFT stage (sft-host-browser.ts) on this worker's own device: it reads the bundled model's
//   files from the app's /models/stepwise-tiny/, keeps its export in IndexedDB ("stepwise-sft"),
//   and the LLM worker loads that export from bytes (LoadRequest.files).

import { workerScopeEndpoint } from '../core/worker/browser';
import { EnvPool } from '../envs/pool/index';
import { browserSpawner } from '../envs/pool/spawn-browser';
import { bundledModelPath, createBrowserBackboneClient, planBrowserLoad } from '../policy/backbone-browser';
import type { LoadProgress, LoadRequest } from '../policy/backbone-types';
import { filesLoadRequest } from '../policy/memory-model';
import { BUNDLED_MODEL_ID, MODEL_CATALOGUE, catalogueEntry } from '../policy/model-catalogue';
import { TrainerError } from './protocol';
import { fetchBaseFiles } from './sft-host-browser';
import { DEFAULT_SLOTS, serveTrainer, type LoadedBackbone } from './trainer-host';

/** Env workers: one, since the page, this worker and the LLM worker already share few cores. */
const ENV_WORKERS = 1;

/** Bytes loaded over bytes known, across the model's files, from transformers.js' progress events. */
function downloadTracker(onProgress: (fraction: number, detail?: string) => void): (p: LoadProgress) => void {
  const files = new Map<string, { loaded: number; total: number }>();
  return (p) => {
    if (p.status === 'ready') { onProgress(1); return; }
    if (!p.file) return;
    const f = files.get(p.file) ?? { loaded: 0, total: 0 };
    if (p.status === 'progress' || p.status === 'download') {
      if (typeof p.total === 'number' && p.total > 0) f.total = p.total;
      if (typeof p.loaded === 'number') f.loaded = p.loaded;
    } else if (p.status === 'done') f.loaded = f.total;
    files.set(p.file, f);
    let loaded = 0, total = 0;
    for (const x of files.values()) { loaded += x.loaded; total += x.total; }
    if (total > 0) onProgress(Math.min(0.99, loaded / total), p.file);
  };
}

async function loadBackbone(modelId: string, onProgress: (fraction: number, detail?: string) => void): Promise<LoadedBackbone> {
  const entry = catalogueEntry(modelId);
  if (!entry) {
    throw new TrainerError('bad-request', `the model "${modelId}" is not in the lab's catalogue; choose one of ${MODEL_CATALOGUE.map((m) => m.id).join(', ')}`);
  }
  const { request } = await planBrowserLoad(entry);
  return loadRequest(request, modelId, onProgress);
}

/** A run's SFT export (a model folder as bytes), loaded in the LLM worker on the device the bundled model would get. */
async function loadBackboneFiles(modelId: string, files: Record<string, Uint8Array>, onProgress: (fraction: number, detail?: string) => void): Promise<LoadedBackbone> {
  const { request } = await planBrowserLoad(catalogueEntry(BUNDLED_MODEL_ID)!);
  return loadRequest(filesLoadRequest(request, modelId, files), modelId, onProgress);
}

async function loadRequest(request: LoadRequest, modelId: string, onProgress: (fraction: number, detail?: string) => void): Promise<LoadedBackbone> {
  const client = createBrowserBackboneClient();
  try {
    const info = await client.load(request, downloadTracker(onProgress));
    return { backbone: client, modelId, featureDim: info.featureDim, alive: () => client.info !== null, dispose: () => client.close() };
  } catch (e) {
    await client.close();
    throw e;
  }
}

serveTrainer(workerScopeEndpoint(), {
  loadBackbone,
  envs: () => new EnvPool({ slots: DEFAULT_SLOTS, workers: ENV_WORKERS, spawn: browserSpawner }),
  sft: {
    // Relative to the worker's own URL, as the LLM worker resolves the same path.
    baseFiles: () => fetchBaseFiles(new URL(`${bundledModelPath()}${BUNDLED_MODEL_ID}/`, self.location.href).href),
    loadFiles: loadBackboneFiles,
  },
});
