// Browser side of the LLM worker: a module Worker that owns transformers.js. The trainer worker
// (or the playground) creates one BackboneClient and loads models through it.

import type { WorkerResponse } from './backbone-types';
import { BackboneClient, type Endpoint } from './backbone-client';

/** URL path of the bundled model folders (public/models), for LoadRequest.localModelPath. */
export function bundledModelPath(): string {
  return `${import.meta.env.BASE_URL}models/`;
}

export function spawnBrowserBackbone(): Endpoint {
  const worker = new Worker(new URL('./backbone.worker.ts', import.meta.url), { type: 'module', name: 'stepwise-llm' });
  return {
    post: (message) => worker.postMessage(message),
    onMessage: (handler) => worker.addEventListener('message', (e: MessageEvent<WorkerResponse>) => handler(e.data)),
    onCrash: (handler) => {
      worker.addEventListener('error', (e) => {
        e.preventDefault();
        handler(e.message || 'worker error');
      });
      worker.addEventListener('messageerror', () => handler('a message from the worker could not be deserialised'));
    },
    terminate: () => worker.terminate(),
  };
}

export function createBrowserBackboneClient(options: { cacheBytes?: number } = {}): BackboneClient {
  return new BackboneClient(spawnBrowserBackbone, options);
}
