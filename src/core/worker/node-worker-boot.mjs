// Node worker_threads do not pick up `--import tsx` from execArgv on Node 20, so the worker
// starts here, registers tsx's loader, then imports the TypeScript entry named in workerData.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
