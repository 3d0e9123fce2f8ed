// Spawner for Node: one worker_thread per pool worker.

import { Worker } from 'node:worker_threads';
import type { Request, Response, Spawner, WorkerPort } from './protocol';

export const nodeSpawner: Spawner = (): WorkerPort => {
  const worker = new Worker(new URL('./node-worker-boot.mjs', import.meta.url), {
    workerData: { entry: new URL('./env-worker.node.ts', import.meta.url).href },
  });
  let deathCb: ((reason: string) => void) | null = null;
  let dead = false;
  const die = (reason: string): void => {
    if (dead) return;
    dead = true;
    deathCb?.(reason);
  };
  worker.on('error', (e) => die(`worker error: ${e instanceof Error ? e.message : String(e)}`));
  worker.on('exit', (code) => die(`worker exited with code ${code}`));
  return {
    post: (msg: Request) => worker.postMessage(msg),
    onMessage: (cb: (msg: Response) => void) => {
      worker.on('message', cb);
    },
    onDeath: (cb) => {
      deathCb = cb;
    },
    terminate: () => {
      void worker.terminate();
    },
  };
};
