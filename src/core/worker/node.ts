// Node side of the worker transport: worker threads as WorkerPorts, and a thread's parentPort as
// a HostEndpoint. Kept apart from browser.ts so that the page bundle never sees node:worker_threads.
//
// On Node 20 `execArgv: ['--import', 'tsx']` does not reach a worker's entry, so a thread on a
// TypeScript entry starts in node-worker-boot.mjs, which registers tsx and then imports the entry.
// That works the same under vitest, under bin/stepwise and from any working directory.

import { parentPort, Worker, type TransferListItem } from 'node:worker_threads';
import { Listeners, type HostEndpoint, type WorkerPort } from './port';

const BOOT = new URL('./node-worker-boot.mjs', import.meta.url);

/** A worker thread running the TypeScript module `entry` through tsx. */
export function startTsWorker(entry: URL): Worker {
  return new Worker(BOOT, { workerData: { entry: entry.href } });
}

/** A worker thread on a TypeScript entry, as a WorkerPort. */
export function spawnNodeWorker(entry: URL): WorkerPort {
  return nodeWorkerPort(startTsWorker(entry));
}

/**
 * A worker thread as a WorkerPort. The thread may still be on its way (a Promise, e.g. while a
 * bundle is built): the port is usable at once and messages wait for it.
 */
export function nodeWorkerPort(start: Worker | Promise<Worker>): WorkerPort {
  const messages = new Listeners<unknown>();
  const errors = new Listeners<string>();
  const exit = new Listeners<string>();
  let exited = false;
  let terminated = false;
  const onExit = (reason: string): void => {
    if (exited) return;
    exited = true;
    exit.emit(reason);
  };
  const worker = Promise.resolve(start).then(
    (w) => {
      w.on('message', (m: unknown) => messages.emit(m));
      w.on('messageerror', () => errors.emit('a message from the worker could not be deserialised'));
      w.on('error', (e: unknown) => errors.emit(`uncaught error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
      w.on('exit', (code: number) => onExit(terminated ? 'terminated' : `exited with code ${code}`));
      if (terminated) void w.terminate();
      return w;
    },
    (e: unknown) => {
      errors.emit(`could not start: ${e instanceof Error ? e.message : String(e)}`);
      onExit('never started');
      return null;
    },
  );
  return {
    post: (message, transfer = []) => {
      // Node's transfer list takes ArrayBuffers and MessagePorts, as the DOM's does for what we send.
      void worker.then((w) => w?.postMessage(message, transfer as readonly TransferListItem[]));
    },
    onMessage: (listener) => messages.add(listener),
    onError: (listener) => errors.add(listener),
    onExit: (listener) => exit.add(listener),
    terminate: () => {
      terminated = true;
      void worker.then((w) => w?.terminate());
    },
  };
}

/** Inside a worker thread: its parentPort. */
export function parentPortEndpoint(): HostEndpoint {
  const port = parentPort;
  if (!port) throw new Error('this module must run in a worker thread');
  return {
    post: (message, transfer) => port.postMessage(message, transfer as readonly TransferListItem[]),
    onMessage: (listener) => port.on('message', listener),
  };
}
