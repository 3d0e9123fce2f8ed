// Node side of the LLM worker: a worker thread running the same loop as the browser Worker, with
// transformers.js on onnxruntime-node. Used by the CLI, the benchmarks and the tests.

import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { WorkerResponse } from './backbone-types';
import { BackboneClient, type Endpoint } from './backbone-client';

/** Folder holding the bundled model folders (public/models), for LoadRequest.localModelPath. */
export function bundledModelDir(): string {
  return fileURLToPath(new URL('../../public/models/', import.meta.url));
}

/**
 * A worker thread cannot start from a .ts file, and on Node 20 `execArgv: ['--import', 'tsx']`
 * does not reach the worker's entry module. So the thread starts from a tiny inline bootstrap that
 * registers tsx's ESM hooks and then imports the TypeScript entry; this works the same under
 * vitest, under bin/stepwise and from any working directory.
 */
function bootstrapSource(): string {
  const require = createRequire(import.meta.url);
  const tsxApi = pathToFileURL(join(dirname(require.resolve('tsx/package.json')), 'dist', 'esm', 'api', 'index.mjs')).href;
  const entry = new URL('./backbone.node-worker.ts', import.meta.url).href;
  return `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`;
}

export function spawnNodeBackbone(): Endpoint {
  const worker = new Worker(bootstrapSource(), { eval: true });
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
