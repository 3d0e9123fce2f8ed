// Spawner for Node: one worker_thread per pool worker.
//
// Starting a worker through tsx costs 0.5-2 s (its loader thread, then compiling every module on
// the fly); a restart after a crash would pay that again. So the first spawn bundles the worker
// entry and everything it imports into one ES module with esbuild (a dependency of tsx), writes it
// to a temporary file, and every worker of this process starts from that file in ~50-100 ms. If
// esbuild cannot be loaded, workers start through tsx instead (the core's startTsWorker).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { nodeWorkerPort, startTsWorker } from '../../core/worker/node';
import type { Spawner, WorkerPort } from '../../core/worker/port';

const ENTRY = new URL('./env-worker.node.ts', import.meta.url);

let script: Promise<string | null> | null = null;

/** Path of the bundled worker, or null to fall back to tsx. Built once per process. */
function bundledWorker(): Promise<string | null> {
  script ??= (async () => {
    try {
      const { build } = await import('esbuild');
      const out = await build({
        entryPoints: [fileURLToPath(ENTRY)],
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        write: false,
        logLevel: 'silent',
      });
      const dir = mkdtempSync(join(tmpdir(), 'stepwise-env-worker-'));
      const file = join(dir, 'env-worker.mjs');
      writeFileSync(file, out.outputFiles[0].text);
      process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
      return file;
    } catch {
      return null;
    }
  })();
  return script;
}

function startWorker(file: string | null): Worker {
  if (file) return new Worker(file);
  return startTsWorker(ENTRY);
}

/** A spawner; `bundle: false` always starts workers through tsx (slower to start, no esbuild). */
export function createNodeSpawner(opts: { bundle?: boolean } = {}): Spawner {
  const useBundle = opts.bundle ?? true;
  return () => spawn(useBundle);
}

export const nodeSpawner: Spawner = createNodeSpawner();

function spawn(useBundle: boolean): WorkerPort {
  // The port is usable at once; messages wait for the worker to exist.
  return nodeWorkerPort((useBundle ? bundledWorker() : Promise.resolve(null)).then(startWorker));
}
