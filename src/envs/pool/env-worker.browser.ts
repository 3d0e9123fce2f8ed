// Web Worker entry: the pool's browser side spawns this with
// new Worker(new URL('./env-worker.browser.ts', import.meta.url), { type: 'module' }).

import type { Request } from './protocol';
import { WorkerCore } from './worker-core';

const core = new WorkerCore();
// The project's lib set is DOM, not WebWorker, so describe the two members used here.
const scope = self as unknown as {
  onmessage: ((e: MessageEvent<Request>) => void) | null;
  postMessage(msg: unknown): void;
};
scope.onmessage = (e: MessageEvent<Request>) => {
  scope.postMessage(core.handle(e.data));
};
