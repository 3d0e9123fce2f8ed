import { afterEach, describe, expect, it } from 'vitest';
import { WorkerClient } from './client';
import { spawnNodeWorker } from './node';
import type { WorkerPort } from './port';
import { RemoteError, WorkerClosedError, WorkerCrashedError } from './protocol';
import type { TestProtocol } from './test-worker';

const ENTRY = new URL('./test-worker.ts', import.meta.url);

interface Watched {
  client: WorkerClient<TestProtocol>;
  /** Resolves with the port's exit reason once the thread is gone. */
  exited: Promise<string>;
  crashes: WorkerCrashedError[];
  /** What happened, in order: 'exit' from the port, 'crash' from the client. */
  events: string[];
}

function start(): Watched {
  const port: WorkerPort = spawnNodeWorker(ENTRY);
  const events: string[] = [];
  const exited = new Promise<string>((resolve) =>
    port.onExit((reason) => {
      events.push('exit');
      resolve(reason);
    }),
  );
  const client = new WorkerClient<TestProtocol>(port, { name: 'test worker' });
  const crashes: WorkerCrashedError[] = [];
  client.onCrash((e) => {
    events.push('crash');
    crashes.push(e);
  });
  return { client, exited, crashes, events };
}

let live: Watched | null = null;
afterEach(() => {
  live?.client.close();
  live = null;
});

describe('worker transport (Node worker threads)', () => {
  it('answers typed requests by id, in any number, with progress and transferred buffers', async () => {
    live = start();
    const { client } = live;
    const [a, b] = await Promise.all([client.request('echo', 'one'), client.request('echo', 'two')]);
    expect([a, b]).toEqual(['one', 'two']);
    const input = new Float32Array([1, 2.5, -3]);
    const doubled = await client.request('double', input, { transfer: [input.buffer] });
    // Transferred both ways: the caller's buffer is detached, the answer arrived intact.
    expect(input.byteLength).toBe(0);
    expect(Array.from(doubled)).toEqual([2, 5, -6]);
    const seen: number[] = [];
    await expect(client.request('count', 3, { onProgress: (p) => seen.push(p) })).resolves.toBe('done');
    expect(seen).toEqual([1, 2, 3]);
    expect(client.inFlight).toBe(0);
  });

  it('onResponse sees the answer synchronously on arrival, before the promise settles', async () => {
    live = start();
    const order: string[] = [];
    const answered = live.client.request('echo', 'x', { onResponse: (v) => order.push(`onResponse ${v}`) });
    order.push('sent');
    await answered.then((v) => order.push(`then ${v}`));
    expect(order).toEqual(['sent', 'onResponse x', 'then x']);
  });

  it('a handler that throws answers with an error and the worker carries on', async () => {
    live = start();
    const { client } = live;
    const err = await client.request('fail', 'bad input').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteError);
    expect(err).toMatchObject({ message: 'bad input', remoteName: 'RangeError' });
    await expect(client.request('echo', 'still here')).resolves.toBe('still here');
    expect(client.state).toBe('running');
    expect(live.crashes).toHaveLength(0);
  });

  it('a worker that throws mid-request: terminated, reported, every pending request rejected with WorkerCrashedError', async () => {
    live = start();
    const { client } = live;
    await client.request('echo', 'warm');
    const thrown = client.request('throwLater', null);
    // Queued behind the one that never returns: still pending when the crash lands.
    const queued = client.request('echo', 'queued');
    const [e1, e2] = await Promise.all([thrown.catch((e: unknown) => e), queued.catch((e: unknown) => e)]);
    for (const e of [e1, e2]) {
      expect(e).toBeInstanceOf(WorkerCrashedError);
      expect((e as WorkerCrashedError).reason).toMatch(/boom outside a handler/);
    }
    expect(live.crashes).toHaveLength(1);
    expect(live.crashes[0]).toBe(e1);
    expect(client.state).toBe('crashed');
    await live.exited;
    // Later requests fail at once with the same error instead of hanging.
    await expect(client.request('echo', 'after')).rejects.toBe(e1);
  });

  it('an unreadable message: the worker (which would live on) is terminated, reported, requests rejected', async () => {
    live = start();
    const { client } = live;
    const garbage = client.request('garbage', null).catch((e: unknown) => e);
    const queued = client.request('echo', 'queued').catch((e: unknown) => e);
    const e = await garbage;
    expect(e).toBeInstanceOf(WorkerCrashedError);
    expect((e as WorkerCrashedError).reason).toMatch(/not a reply.*not an envelope/);
    expect(await queued).toBe(e);
    // The thread holds itself open with an interval, so only the client's terminate() ends it.
    await expect(live.exited).resolves.toBe('terminated');
    expect(live.events).toEqual(['crash', 'exit']);
  });

  it('a worker that exits on its own counts as a crash', async () => {
    live = start();
    const e = await live.client.request('exit', 3).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WorkerCrashedError);
    expect((e as WorkerCrashedError).reason).toMatch(/exited with code 3/);
    expect(live.crashes).toHaveLength(1);
  });

  it('close() terminates the worker and rejects waiting requests with WorkerClosedError, not a crash', async () => {
    live = start();
    const { client } = live;
    await client.request('echo', 'warm');
    const waiting = client.request('throwLater', null).catch((e: unknown) => e);
    client.close();
    expect(await waiting).toBeInstanceOf(WorkerClosedError);
    await expect(live.exited).resolves.toBe('terminated');
    expect(live.crashes).toHaveLength(0);
    expect(client.state).toBe('closed');
    await expect(client.request('echo', 'x')).rejects.toBeInstanceOf(WorkerClosedError);
  });
});
