// Starting a Node worker thread on a TypeScript entry, for the env pool's fallback path and the
// LLM worker alike. On Node 20 `execArgv: ['--import', 'tsx']` does not reach a worker's entry,
// so every such thread starts in node-worker-boot.mjs, which registers tsx and then imports the
// entry. Works the same under vitest, under bin/stepwise and from any working directory.

import { Worker } from 'node:worker_threads';

const BOOT = new URL('./node-worker-boot.mjs', import.meta.url);

export function startTsWorker(entry: URL): Worker {
  return new Worker(BOOT, { workerData: { entry: entry.href } });
}
