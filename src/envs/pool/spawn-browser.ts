// Spawner for the browser: one module Web Worker per pool worker. An uncaught error in a Web
// Worker does not end it, but its environments may be in any state, so the transport's crash
// rule terminates it and the pool starts a fresh worker and replays.

import { browserWorkerPort } from '../../core/worker/browser';
import type { Spawner } from '../../core/worker/port';

export const browserSpawner: Spawner = () =>
  browserWorkerPort(new Worker(new URL('./env-worker.browser.ts', import.meta.url), { type: 'module', name: 'stepwise-env' }));
