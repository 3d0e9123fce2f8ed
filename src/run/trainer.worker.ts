// The trainer worker's entry (DESIGN.md §3): the browser Web Worker that owns the training GPU
// device and, once wired in, the orchestrator. The page spawns it (src/ui/trainer-client.ts) and
// talks to it only through the protocol in protocol.ts; trainer-host.ts holds the handlers.

import { workerScopeEndpoint } from '../core/worker/browser';
import { serveTrainer } from './trainer-host';

serveTrainer(workerScopeEndpoint());
