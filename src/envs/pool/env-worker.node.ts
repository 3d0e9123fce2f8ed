// worker_threads entry (started through tsx by startTsWorker, or bundled by spawn-node).

import { serveWorker } from '../../core/worker/host';
import { parentPortEndpoint } from '../../core/worker/node';
import type { EnvProtocol } from './protocol';
import { WorkerCore } from './worker-core';

const core = new WorkerCore();
serveWorker<EnvProtocol>(parentPortEndpoint(), { batch: (batch) => core.handle(batch) });
