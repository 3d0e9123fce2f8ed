// Browser side of the LLM worker: a module Worker that owns transformers.js. The trainer worker
// (or the playground) creates one BackboneClient and loads models through it.

import { browserWorkerPort } from '../core/worker/browser';
import type { WorkerPort } from '../core/worker/port';
import type { LoadRequest } from './backbone-types';
import { BackboneClient } from './backbone-client';
import { type DeviceDecision, type GpuProbe, chooseDevice, probeWebGpu } from './device-choice';
import { type CatalogueEntry, type DeviceChoice, loadRequestFor } from './model-catalogue';

/** URL path of the bundled model folders (public/models), for LoadRequest.localModelPath. */
export function bundledModelPath(): string {
  return `${import.meta.env.BASE_URL}models/`;
}

export function spawnBrowserBackbone(): WorkerPort {
  return browserWorkerPort(new Worker(new URL('./backbone.worker.ts', import.meta.url), { type: 'module', name: 'stepwise-llm' }));
}

export function createBrowserBackboneClient(options: { cacheBytes?: number } = {}): BackboneClient {
  return new BackboneClient(spawnBrowserBackbone, options);
}

/**
 * Everything needed to load a catalogue model here: probes WebGPU, applies the device rule (or the
 * user's override) and returns the request plus the reason, for the UI to show.
 */
export async function planBrowserLoad(entry: CatalogueEntry, choice: DeviceChoice = 'auto'): Promise<{ request: LoadRequest; decision: DeviceDecision; probe: GpuProbe }> {
  const probe = await probeWebGpu();
  const decision = chooseDevice(choice, entry.parameters, probe, 'browser');
  const request = loadRequestFor(entry, decision.device, { shaderF16: probe.shaderF16, localModelPath: bundledModelPath() });
  return { request, decision, probe };
}
