// worker_threads entry (started by startTsWorker, which registers tsx first, or bundled by spawn-node).

import { parentPort } from 'node:worker_threads';
import type { Request } from './protocol';
import { WorkerCore } from './worker-core';

if (!parentPort) throw new Error('env-worker.node.ts must run in a worker thread');
const port = parentPort;
const core = new WorkerCore();
port.on('message', (req: Request) => {
  port.postMessage(core.handle(req));
});
