import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerClient, type HostEndpoint, type WorkerPort } from '../core/worker';
import { GpuUnavailableError } from '../gpu';
import { defaultRunConfig } from './config';
import { TrainerError, decodeTrainerError, type TrainerProtocol } from './protocol';
import { TrainerEventLog, serveTrainer, type TrainerHostOptions } from './trainer-host';

/** The trainer host and a client over one in-process channel (the same envelopes a Worker carries). */
function connect(options: TrainerHostOptions = {}) {
  const { port1, port2 } = new MessageChannel();
  const endpoint: HostEndpoint = {
    post: (m) => port2.postMessage(m),
    onMessage: (l) => port2.on('message', l),
  };
  const port: WorkerPort = {
    post: (m) => port1.postMessage(m),
    onMessage: (l) => port1.on('message', l),
    onError: () => {},
    onExit: () => {},
    terminate: () => { port1.close(); port2.close(); },
  };
  const log = serveTrainer(endpoint, options);
  const client = new WorkerClient<TrainerProtocol>(port, { name: 'trainer', decodeError: decodeTrainerError });
  return { client, log };
}

let open: ReturnType<typeof connect> | null = null;
afterEach(() => { open?.client.close(); open = null; });

describe('trainer host', () => {
  it('gpu-check reports the adapter and multiplies on its own device like float64', async () => {
    open = connect();
    const [M, N, K] = [5, 3, 7];
    const a = Array.from({ length: M * K }, (_, i) => Math.sin(i + 1));
    const b = Array.from({ length: K * N }, (_, i) => Math.cos(i + 2));
    const r = await open.client.request('gpu-check', { probe: { a, b, M, N, K } });
    expect(r.adapter.runtime).toBe('node');
    expect(r.rows).toBeUndefined();
    expect(r.product).toHaveLength(M * N);
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
      let want = 0;
      for (let k = 0; k < K; k++) want += Math.fround(a[i * K + k]) * Math.fround(b[k * N + j]);
      expect(Math.abs(r.product![i * N + j] - want)).toBeLessThan(1e-5);
    }
  });

  it('a failed device start answers no-webgpu with the cause and fix, and the next request tries again', async () => {
    let calls = 0;
    open = connect({ openGpu: () => { calls++; return Promise.reject(new GpuUnavailableError('no-adapter')); } });
    const e = await open.client.request('gpu-check', {}).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TrainerError);
    expect(e).toMatchObject({ code: 'no-webgpu', details: { cause: 'no-adapter' } });
    expect((e as TrainerError).details.fix).toMatch(/\S/);
    await open.client.request('gpu-check', {}).catch(() => {});
    expect(calls).toBe(2);
  });

  it('run commands answer not-available-yet as typed errors and the worker stays up', async () => {
    open = connect();
    for (const call of [
      () => open!.client.request('start', { config: defaultRunConfig() }),
      () => open!.client.request('pause', { runId: 'r' }),
      () => open!.client.request('branch', { runId: 'r', trajectoryId: 't', step: 1 }),
      () => open!.client.request('export', { runId: 'r', what: 'checkpoint' }),
    ]) {
      const e = await call().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(TrainerError);
      expect((e as TrainerError).code).toBe('not-available-yet');
    }
    expect(open.client.state).toBe('running');
    await expect(open.client.request('events', { since: 0 })).resolves.toEqual({ events: [], next: 0, oldest: 1 });
  });
});

describe('trainer event log', () => {
  it('numbers events from 1 and returns those after a seq, dropping the oldest past capacity', () => {
    const log = new TrainerEventLog(3);
    for (let i = 0; i < 5; i++) log.append({ type: 'progress', runId: 'r', stage: 'ppo', fraction: i / 4, etaS: null });
    const all = log.since(0);
    expect(all.events.map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(all).toMatchObject({ next: 5, oldest: 3 });
    expect(log.since(4).events.map((e) => e.seq)).toEqual([5]);
    expect(log.since(5).events).toEqual([]);
    expect(log.since(9).events).toEqual([]);
  });
});
