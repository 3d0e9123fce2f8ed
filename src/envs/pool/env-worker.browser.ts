// Web Worker entry: the pool's browser side spawns this with
// new Worker(new URL('./env-worker.browser.ts', import.meta.url), { type: 'module' }).

import { workerScopeEndpoint } from '../../core/worker/browser';
import { serveWorker } from '../../core/worker/host';
import type { EnvProtocol } from './protocol';
import { WorkerCore } from './worker-core';

const core = new WorkerCore();
serveWorker<EnvProtocol>(workerScopeEndpoint(), { batch: (batch) => core.handle(batch) });
