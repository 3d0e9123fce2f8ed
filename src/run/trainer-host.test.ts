import 'fake-indexeddb/auto';
import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerClient, type HostEndpoint, type WorkerPort } from '../core/worker';
import { Gpu, GpuUnavailableError } from '../gpu';
import { testGpu } from '../gpu/testing';
import { HashedBackbone } from '../rl/test-backbone';
import { defaultRunConfig, parseRunConfig, type RunConfig } from './config';
import { IdbRunStore } from './persistence/idb-store';
import type { MetricRow, RunStore } from './persistence/store';
import { TrainerError, decodeTrainerError, type TrainerEvent, type TrainerProtocol } from './protocol';
import { TrainerEventLog, serveTrainer, type LoadedBackbone, type TrainerHostOptions } from './trainer-host';

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

// ---- a tiny run through the protocol -------------------------------------------------------------

const TINY = { maxSteps: 6, headHidden: [16] };
function tinyConfig(seed = 1): RunConfig {
  return parseRunConfig({
    env: 'household', seed, reward: 'spa', tasks: { count: 2 }, bc: { epochs: 2 }, explore: { k: 2 },
    estimator: { hidden: 8, epochs: 3, heldOut: 0.25, refitEvery: 1 },
    ppo: { iterations: 2, tasksPerIteration: 2, epochs: 1, minibatch: 8 }, eval: { tasks: 1 },
  });
}

let dbs = 0;
/** The hashed stand-in, slowed down so that a command sent on an event lands while the run is still where the event said. */
class SlowBackbone extends HashedBackbone {
  constructor(private readonly delayMs: number) { super(); }
  override async scoreEpisodes(items: Parameters<HashedBackbone['scoreEpisodes']>[0]) {
    await new Promise((r) => setTimeout(r, this.delayMs));
    return super.scoreEpisodes(items);
  }
}

/**
 * A host with a fresh IndexedDB (fake-indexeddb), the hashed stand-in backbone (slowed by
 * `delayMs` per call) and, unless given, the shared test device.
 */
function host(extra: TrainerHostOptions = {}, delayMs = 0) {
  const name = `trainer-test-${++dbs}`;
  let stores: RunStore | null = null;
  const loads: string[] = [];
  const loadBackbone = async (modelId: string, onProgress: (f: number) => void): Promise<LoadedBackbone> => {
    loads.push(modelId);
    onProgress(0.5);
    const b = delayMs ? new SlowBackbone(delayMs) : new HashedBackbone();
    return { backbone: b, modelId, featureDim: b.dim, alive: () => true, dispose: async () => {} };
  };
  const conn = connect({ openGpu: testGpu, openStore: async () => (stores ??= await IdbRunStore.open(name)), loadBackbone, ...extra });
  open = conn;
  const events: TrainerEvent[] = [];
  let since = 0;
  const poll = async () => {
    const r = await conn.client.request('events', { since });
    since = r.next;
    events.push(...r.events);
  };
  /** Polls the event log until `done` holds of the events seen so far. */
  const until = async (done: (e: TrainerEvent[]) => boolean, what: string, timeoutMs = 60_000) => {
    const t0 = Date.now();
    for (;;) {
      await poll();
      if (done(events)) return;
      if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}; last events: ${JSON.stringify(events.slice(-3).map((e) => [e.type, e.type === 'status' ? e.status : '']))}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const status = (runId: string) => events.filter((e): e is Extract<TrainerEvent, { type: 'status' }> => e.type === 'status' && e.runId === runId).map((e) => e.status);
  const rows = (runId: string) => events.flatMap((e) => (e.type === 'metrics' && e.runId === runId ? e.rows : []));
  const ended = (runId: string, s: string) => (e: TrainerEvent[]) => e.some((x) => x.type === 'status' && x.runId === runId && x.status === s);
  return { ...conn, events, until, status, rows, ended, loads, store: () => IdbRunStore.open(name) };
}

/** Rows without wall-clock values. */
const timeless = (rows: MetricRow[]) => rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith('timing/') && !k.startsWith('perf/'))));

/** The metrics of an uninterrupted tiny run (seed 7), for the interrupted ones to match. */
let reference: MetricRow[] | null = null;

describe('trainer host: runs through the protocol', () => {
  it('start → progress, metrics and trajectories events → finished, stored in IndexedDB', async () => {
    const h = host();
    const t0 = performance.now();
    const state = await h.client.request('start', { config: tinyConfig(7), options: TINY, label: 'tiny' });
    expect(state).toMatchObject({ status: 'running', iteration: -1 });
    const id = state.runId;
    await h.until(h.ended(id, 'finished'), 'the run to finish');
    console.log(`tiny run through the protocol: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    expect(h.status(id)).toEqual(['running', 'finished']);
    expect(h.loads).toEqual([tinyConfig().model]);

    // Progress: every stage reaches 1, fractions stay in [0, 1] and never go back within a stage.
    const progress = h.events.filter((e): e is Extract<TrainerEvent, { type: 'progress' }> => e.type === 'progress');
    for (const stage of ['download', 'bc', 'explore', 'estimator', 'ppo', 'eval'] as const) {
      const fs = progress.filter((p) => p.stage === stage).map((p) => p.fraction);
      expect(fs.length, stage).toBeGreaterThan(0);
      expect(fs[fs.length - 1], stage).toBe(1);
      fs.forEach((f, i) => { expect(f >= 0 && f <= 1).toBe(true); if (i) expect(f, `${stage} never goes back`).toBeGreaterThanOrEqual(fs[i - 1]); });
    }
    expect(progress.some((p) => p.stage === 'ppo' && p.etaS !== null && p.etaS >= 0)).toBe(true);
    expect(progress.find((p) => p.stage === 'ppo')?.detail).toMatch(/iteration 1 of 2/);

    // Metrics: the events carry the rows the store holds, in order.
    const rows = h.rows(id);
    expect(rows.map((r) => `${r.stage}:${r.iteration}`)).toEqual(['bc:0', 'estimator:0', 'ppo:1', 'ppo:2', 'eval:2', 'eval:2']);
    const store = await h.store();
    expect(await store.metrics(id)).toEqual(rows);
    reference = rows;

    // Trajectories: exploration and each iteration, 2 tasks × K = 2 each, as stored.
    const trajEvents = h.events.filter((e): e is Extract<TrainerEvent, { type: 'trajectories' }> => e.type === 'trajectories');
    expect(trajEvents.map((e) => e.iteration)).toEqual([0, 1, 2]);
    // The log keeps the payload of the newest two only (the store has all).
    expect(trajEvents.map((e) => e.trajectories.length)).toEqual([4, 4, 4]);
    expect((await h.client.request('events', { since: 0 })).events.filter((e) => e.type === 'trajectories').map((e) => (e as { trajectories: unknown[] }).trajectories.length)).toEqual([0, 4, 4]);
    expect((await store.trajectories(id)).map((t) => t.id)).toEqual(trajEvents.flatMap((e) => e.trajectories.map((t) => t.id)));

    const rec = await store.getRun(id);
    expect(rec).toMatchObject({ status: 'finished', label: 'tiny', iteration: 2, extra: { options: TINY } });
    expect(await h.client.request('unfinished', {})).toEqual([]);

    // A finished run is playable: greedy evaluation and a branch, on its last checkpoint.
    const ev = await h.client.request('evaluate', { runId: id, splits: ['unseen-test'], tasks: 1 });
    const stored = rows.find((r) => r.split === 'unseen-test')!;
    expect(ev).toEqual([expect.objectContaining({ split: 'unseen-test', tasks: 1, success_rate: stored.success_rate, grounding: stored.grounding_acc })]);
    const traj = (await store.trajectories(id, { iteration: 2 })).find((t) => t.steps.length >= 2)!;
    const fractions: number[] = [];
    const br = await h.client.request('branch', { runId: id, trajectoryId: traj.id, step: 1 }, { onProgress: (p) => fractions.push(p.fraction) });
    expect(br.trajectory.steps[0].observation).toBe(traj.steps[0].observation);
    expect(br.annotated).toBe(true);
    expect(br.original.steps.every((s) => typeof s.progress === 'number')).toBe(true);
    expect(fractions[fractions.length - 1]).toBe(1);
  });

  it('pauses (status paused, no progress while paused) and resumes to the end', async () => {
    const h = host({}, 30);
    const { runId } = await h.client.request('start', { config: tinyConfig(8), options: TINY });
    await h.until((e) => e.some((x) => x.type === 'progress' && x.stage === 'ppo'), 'PPO to start');
    expect((await h.client.request('pause', { runId })).status).toBe('paused');
    await h.until(h.ended(runId, 'paused'), 'the paused status');
    const seen = h.events.length;
    await new Promise((r) => setTimeout(r, 800));
    await h.until(() => true, 'a poll');
    expect(h.events.slice(seen).filter((e) => e.type === 'progress' || e.type === 'metrics').length, 'nothing moves while paused').toBeLessThanOrEqual(1);
    expect((await (await h.store()).getRun(runId))?.status).toBe('paused');
    expect((await h.client.request('unfinished', {}))[0]).toMatchObject({ runId, status: 'paused', live: true });
    expect((await h.client.request('resume', { runId })).status).toBe('running');
    await h.until(h.ended(runId, 'finished'), 'the run to finish');
    expect(h.status(runId)).toEqual(['running', 'paused', 'running', 'finished']);
  });

  it('stops a run; it is listed as unfinished and resume continues it from its checkpoint to the uninterrupted run\'s metrics', async () => {
    expect(reference, 'the first test ran').not.toBeNull();
    const h = host({}, 30);
    const { runId } = await h.client.request('start', { config: tinyConfig(7), options: TINY });
    // A second run while one is live is refused.
    const e = await h.client.request('start', { config: tinyConfig(9), options: TINY }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'bad-request' });
    await h.until((ev) => ev.some((x) => x.type === 'progress' && x.stage === 'ppo' && x.fraction > 0.5), 'the middle of PPO', 90_000);
    await h.client.request('stop', { runId });
    await h.until(h.ended(runId, 'cancelled'), 'the cancelled status');
    const before = (await (await h.store()).metrics(runId)).length;
    expect(before).toBeLessThan(reference!.length);
    const listed = await h.client.request('unfinished', {});
    expect(listed).toEqual([expect.objectContaining({ runId, status: 'cancelled', live: false })]);

    const resumedFrom = h.events.length;
    expect((await h.client.request('resume', { runId })).status).toBe('running');
    await h.until((ev) => h.status(runId).filter((s) => s === 'finished').length === 1 && ev.length > 0, 'the resumed run to finish');
    // The stages an earlier session finished are reported done at once, so a reopened page shows them.
    const firstOfResume = h.events.slice(resumedFrom).filter((x) => x.type === 'progress').slice(0, 3);
    expect(firstOfResume.map((x) => x.type === 'progress' && [x.stage, x.fraction])).toEqual([['bc', 1], ['explore', 1], ['estimator', 1]]);
    const rows = await (await h.store()).metrics(runId);
    expect(timeless(rows)).toEqual(timeless(reference!));
    // Only what was missing came as events after the resume: nothing was written twice.
    expect(h.rows(runId).length).toBe(reference!.length);
  });

  it('a lost GPU device fails the run with the reason; a new device resumes it to the uninterrupted run\'s metrics', async () => {
    const devices: Gpu[] = [];
    const h = host({ openGpu: async () => { const g = await Gpu.create(); devices.push(g); return g; } }, 30);
    const { runId } = await h.client.request('start', { config: tinyConfig(7), options: TINY });
    await h.until((ev) => ev.some((x) => x.type === 'progress' && x.stage === 'ppo'), 'PPO to start');
    devices[0].device.destroy(); // as a driver reset would: not the handle's quiet shutdown
    await h.until(h.ended(runId, 'failed'), 'the failed status');
    const err = h.events.find((x) => x.type === 'error' && x.runId === runId);
    expect(err).toMatchObject({ fatal: true, message: expect.stringMatching(/GPU device was lost.*resumed/) });
    const [left] = await h.client.request('unfinished', {});
    expect(left).toMatchObject({ runId, status: 'failed', live: false, error: expect.stringMatching(/GPU device was lost/) });

    await h.client.request('start', { config: tinyConfig(7), resume: runId });
    await h.until(h.ended(runId, 'finished'), 'the resumed run to finish');
    expect(devices.length).toBe(2);
    expect(timeless(await (await h.store()).metrics(runId))).toEqual(timeless(reference!));
    devices[1].device.destroy();
  });
});

describe('trainer host: a crashed model worker', () => {
  it('fails the run with the reason; resume loads the model again and ends with the uninterrupted run\'s metrics', async () => {
    expect(reference, 'the first test ran').not.toBeNull();
    // The first backbone dies on its 30th call, as a model worker killed by an OOM would; the second is healthy.
    let loaded = 0;
    const loadBackbone = async (modelId: string): Promise<LoadedBackbone> => {
      const n = ++loaded;
      let dead = false;
      const b = new HashedBackbone();
      const scoreEpisodes = b.scoreEpisodes.bind(b);
      b.scoreEpisodes = async (items) => {
        if (n === 1 && b.calls >= 30) {
          dead = true;
          throw new Error('The model worker stopped unexpectedly (it ran out of memory).');
        }
        return scoreEpisodes(items);
      };
      return { backbone: b, modelId, featureDim: b.dim, alive: () => !dead, dispose: async () => {} };
    };
    const h = host({ loadBackbone });
    const { runId } = await h.client.request('start', { config: tinyConfig(7), options: TINY });
    await h.until(h.ended(runId, 'failed'), 'the failed status');
    expect(h.events.find((x) => x.type === 'error' && x.runId === runId)).toMatchObject({ fatal: true, message: expect.stringMatching(/model worker stopped.*can be resumed/) });
    expect(await h.client.request('unfinished', {})).toEqual([expect.objectContaining({ runId, status: 'failed', live: false, error: expect.stringMatching(/model worker stopped/) })]);

    await h.client.request('resume', { runId });
    await h.until(h.ended(runId, 'finished'), 'the resumed run to finish');
    expect(loaded).toBe(2);
    expect(timeless(await (await h.store()).metrics(runId))).toEqual(timeless(reference!));
  });
});

describe('trainer host: requests', () => {
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

  it('answers bad requests with typed errors and stays up', async () => {
    const h = host();
    const bad = { ...defaultRunConfig(), explore: { ...defaultRunConfig().explore, k: 0 } };
    const cases: Array<[() => Promise<unknown>, string, RegExp]> = [
      [() => h.client.request('start', { config: bad }), 'bad-request', /explore\.k/],
      [() => h.client.request('start', { config: tinyConfig(), options: { maxSteps: 0 } }), 'bad-request', /maxSteps/],
      [() => h.client.request('pause', { runId: 'nope' }), 'no-such-run', /nope/],
      [() => h.client.request('resume', { runId: 'nope' }), 'no-such-run', /nope/],
      [() => h.client.request('branch', { runId: 'nope', trajectoryId: 't', step: 1 }), 'no-such-run', /nope/],
      [() => h.client.request('import', { runId: 'r', format: 'spa', text: '[]' }), 'not-available-yet', /Import/],
    ];
    for (const [call, code, message] of cases) {
      const e = await call().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(TrainerError);
      expect(e).toMatchObject({ code, message: expect.stringMatching(message) });
    }
    expect(h.client.state).toBe('running');
    // Without a backbone loader the run commands say so.
    h.client.close();
    const bare = connect();
    open = bare;
    await expect(bare.client.request('start', { config: tinyConfig() })).rejects.toMatchObject({ code: 'not-available-yet' });
    await expect(bare.client.request('events', { since: 0 })).resolves.toEqual({ events: [], next: 0, oldest: 1 });
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
