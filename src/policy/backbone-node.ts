// Node side of the LLM worker: a worker thread running the same loop as the browser Worker, with
// transformers.js on onnxruntime-node. Used by the CLI, the benchmarks and the tests.

import { fileURLToPath } from 'node:url';
import { spawnNodeWorker } from '../core/worker/node';
import type { WorkerPort } from '../core/worker/port';
import { BackboneClient } from './backbone-client';

/** Folder holding the bundled model folders (public/models), for LoadRequest.localModelPath. */
export function bundledModelDir(): string {
  return fileURLToPath(new URL('../../public/models/', import.meta.url));
}

export function spawnNodeBackbone(): WorkerPort {
  return spawnNodeWorker(new URL('./backbone.node-worker.ts', import.meta.url));
}

export function createNodeBackboneClient(options: { cacheBytes?: number } = {}): BackboneClient {
  return new BackboneClient(spawnNodeBackbone, options);
}
