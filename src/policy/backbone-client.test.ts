import { describe, expect, it } from 'vitest';
import { spawnNodeWorker } from '../core/worker/node';
import type { WorkerPort } from '../core/worker/port';
import { BackboneClient } from './backbone-client';
import type { LoadRequest } from './backbone-types';
import { ModelError } from './model-errors';

// The client's crash path, against a stand-in worker (no model): a worker that throws, or sends
// something unreadable, is terminated and the call fails with a typed, actionable ModelError.
function clientWithWatchedWorkers(): { client: BackboneClient; exits: Promise<string>[] } {
  const exits: Promise<string>[] = [];
  const client = new BackboneClient((): WorkerPort => {
    const port = spawnNodeWorker(new URL('./backbone-client.test-worker.ts', import.meta.url));
    exits.push(new Promise((resolve) => port.onExit(resolve)));
    return port;
  });
  return { client, exits };
}

const request = (modelId: string): LoadRequest => ({ modelId, source: 'local', device: 'cpu', dtype: 'fp32' });

describe('BackboneClient crash rule', () => {
  it.each([
    ['throws outside a handler', 'throws', /Aborted\(OOM\)/, / \(it ran out of memory\)/],
    ['sends an unreadable message', 'garbage', /not a reply/, /stopped unexpectedly\./],
  ])('a worker that %s during load is terminated and the load fails with ModelError worker-crashed', async (_what, modelId, detail, message) => {
    const { client, exits } = clientWithWatchedWorkers();
    try {
      const e = await client.load(request(modelId)).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ModelError);
      expect(e).toMatchObject({ kind: 'worker-crashed', modelId });
      expect((e as ModelError).detail).toMatch(detail);
      expect((e as ModelError).message).toMatch(message);
      // The thread keeps itself alive with an interval: it ends only because the client terminated it.
      await expect(exits[0]).resolves.toBe('terminated');
      expect(client.info).toBeNull();
      await expect(client.score([{ context: { text: 'x' }, candidates: ['a'] }])).rejects.toThrow(/No model is loaded/);
    } finally {
      await client.close();
    }
  });
});
