// Browser side of the worker transport: a module Worker as a WorkerPort, and a worker's own
// global scope as a HostEndpoint. Nothing here imports node:*, so the page bundle stays clean.

import { Listeners, type HostEndpoint, type WorkerPort } from './port';

/**
 * A Worker as a WorkerPort. Callers construct the Worker themselves, literally as
 * `new Worker(new URL('./x.worker.ts', import.meta.url), { type: 'module' })`: Vite recognises
 * only that form as a worker to bundle (a URL passed through a helper would ship the raw .ts file).
 */
export function browserWorkerPort(worker: Worker): WorkerPort {
  const exit = new Listeners<string>();
  let gone = false;
  const errors = new Listeners<string>();
  worker.addEventListener('error', (e) => {
    // Handled here; without preventDefault the page's console reports it a second time.
    e.preventDefault();
    errors.emit(`uncaught error: ${e.message || 'the worker failed to load or crashed'}`);
  });
  worker.addEventListener('messageerror', () => errors.emit('a message from the worker could not be deserialised'));
  return {
    post: (message, transfer = []) => worker.postMessage(message, [...transfer]),
    onMessage: (listener) => worker.addEventListener('message', (e: MessageEvent<unknown>) => listener(e.data)),
    onError: (listener) => errors.add(listener),
    onExit: (listener) => exit.add(listener),
    // A Worker has no exit event: terminate() is the only way one ends, so it reports the exit itself.
    terminate: () => {
      worker.terminate();
      if (gone) return;
      gone = true;
      exit.emit('terminated');
    },
  };
}

/** Inside a Web Worker: its global scope. */
export function workerScopeEndpoint(): HostEndpoint {
  // The project's lib set is DOM, not WebWorker, so describe the two members used here.
  const scope = self as unknown as {
    postMessage(message: unknown, transfer: Transferable[]): void;
    addEventListener(type: 'message', listener: (e: MessageEvent<unknown>) => void): void;
  };
  return {
    post: (message, transfer) => scope.postMessage(message, [...transfer]),
    onMessage: (listener) => scope.addEventListener('message', (e) => listener(e.data)),
  };
}
