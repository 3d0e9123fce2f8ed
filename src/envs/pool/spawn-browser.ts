// Spawner for the browser: one module Web Worker per pool worker. An uncaught error in a Web
// Worker does not end it, but its environments may be in any state, so the pool treats it as
// a death: terminate, start a fresh worker and replay.

import type { Request, Response, Spawner, WorkerPort } from './protocol';

export const browserSpawner: Spawner = (): WorkerPort => {
  const worker = new Worker(new URL('./env-worker.browser.ts', import.meta.url), { type: 'module' });
  let deathCb: ((reason: string) => void) | null = null;
  let dead = false;
  const die = (reason: string): void => {
    if (dead) return;
    dead = true;
    worker.terminate();
    deathCb?.(reason);
  };
  worker.addEventListener('error', (e) => {
    e.preventDefault();
    die(`worker error: ${e.message || 'failed to load or crashed'}`);
  });
  worker.addEventListener('messageerror', () => die('worker sent a message that could not be read'));
  return {
    post: (msg: Request) => worker.postMessage(msg),
    onMessage: (cb: (msg: Response) => void) => {
      worker.addEventListener('message', (e: MessageEvent<Response>) => cb(e.data));
    },
    onDeath: (cb) => {
      deathCb = cb;
    },
    terminate: () => die('terminated'),
  };
};
