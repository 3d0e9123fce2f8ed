// Node side of the LLM worker: a worker thread running the same loop as the browser Worker, with
// transformers.js on onnxruntime-node. Used by the CLI, the benchmarks and the tests.

import { fileURLToPath } from 'node:url';
import { startTsWorker } from '../envs/node-ts-worker';
import type { WorkerResponse } from './backbone-types';
import { BackboneClient, type Endpoint } from './backbone-client';

/** Folder holding the bundled model folders (public/models), for LoadRequest.localModelPath. */
export function bundledModelDir(): string {
  return fileURLToPath(new URL('../../public/models/', import.meta.url));
}

export function spawnNodeBackbone(): Endpoint {
  const worker = startTsWorker(new URL('./backbone.node-worker.ts', import.meta.url));
  let terminated = false;
  return {
    post: (message) => worker.postMessage(message),
    onMessage: (handler) => worker.on('message', (m: WorkerResponse) => handler(m)),
    onCrash: (handler) => {
      worker.on('error', (e) => handler(String(e?.stack ?? e)));
      worker.on('exit', (code) => {
        if (!terminated) handler(`worker thread exited with code ${code}`);
      });
    },
    terminate: () => {
      terminated = true;
      void worker.terminate();
    },
  };
}

export function createNodeBackboneClient(options: { cacheBytes?: number } = {}): BackboneClient {
  return new BackboneClient(spawnNodeBackbone, options);
}
