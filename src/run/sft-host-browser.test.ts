// The lab's SFT stage (sft-host-browser.ts) in Node: the export store over fake-indexeddb
// (atomic, checksummed, pruned), a model folder loaded from bytes through transformers.js (the
// LLM worker's path, LoadRequest.files), and the stage through the trainer protocol: a run with
// sft.enabled trains, stores its export and scores every later stage with it; a resumed run
// reuses the export without training; a damaged export is reported and trained again.

import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkerClient, type HostEndpoint, type WorkerPort } from '../core/worker';
import { testGpu } from '../gpu/testing';
import { Backbone } from '../policy/backbone';
import { bundledModelDir } from '../policy/backbone-node';
import { filesLoadRequest, loadTransfers, memoryModelId } from '../policy/memory-model';
import { BUNDLED_MODEL_ID, catalogueEntry, loadRequestFor } from '../policy/model-catalogue';
import { ModelError } from '../policy/model-errors';
import { HashedBackbone } from '../rl/test-backbone';
import { parseRunConfig } from './config';
import { RunControl } from './control';
import { IdbRunStore } from './persistence/idb-store';
import { IdbSftModelStore, verifyExport } from './persistence/sft-model-store';
import type { RunStore } from './persistence/store';
import { decodeTrainerError, type TrainerEvent, type TrainerProtocol } from './protocol';
import { SFT_BASE_FILES, sftRunKey, type SftBaseFiles } from './sft-host';
import { browserSftHook, fetchBaseFiles, lookupSftExport, sftModelId, startingBackbone, type BrowserSftRun, type TrainerSftOptions } from './sft-host-browser';
import { serveTrainer, type LoadedBackbone } from './trainer-host';

const MODEL_DIR = join(bundledModelDir(), BUNDLED_MODEL_ID);
const folder = (names: string[]) => Object.fromEntries(names.map((f) => [f, new Uint8Array(readFileSync(join(MODEL_DIR, f)))]));
const BUNDLED_FOLDER = folder(['config.json', 'generation_config.json', 'onnx/model.onnx', 'tokenizer.json', 'tokenizer_config.json']);
const base = (): SftBaseFiles => folder([...SFT_BASE_FILES]) as SftBaseFiles;

/** Shrinks the stage's data so 2 steps and the held-out pass take seconds on SwiftShader (as sft-host-node.test.ts does). */
const OVERRIDES = { envs: ['household'], trainEpisodes: 6, heldOutEpisodes: 1 };
const config = parseRunConfig({
  env: 'household', tasks: { count: 1 }, sft: { enabled: true, steps: 2 }, bc: { epochs: 1 }, explore: { k: 2 },
  estimator: { hidden: 8, epochs: 1 }, ppo: { iterations: 1, tasksPerIteration: 1, epochs: 1, minibatch: 16 }, eval: { tasks: 1 },
});

let dbs = 0;
const freshDb = () => `sft-browser-test-${++dbs}`;

describe('SFT export store (IndexedDB)', () => {
  it('stores an export whole with its manifest, drops the stage checkpoint with it, and detects damage', async () => {
    const s = await IdbSftModelStore.open(freshDb());
    const ckpt = s.checkpoints('run-a');
    expect(await ckpt.read()).toBeNull();
    await ckpt.write(Uint8Array.of(1, 2, 3));
    await ckpt.write(Uint8Array.of(4, 5));
    expect(await ckpt.read()).toEqual(Uint8Array.of(4, 5));

    // A view into a larger buffer is stored as its own bytes.
    const big = new Uint8Array(100).fill(7);
    await s.putExport('run-a', 'k1', { 'config.json': new TextEncoder().encode('{}'), 'onnx/model.onnx': big.subarray(10, 20) });
    expect(await ckpt.read()).toBeNull();
    const got = (await s.getExport('run-a'))!;
    expect(got.key).toBe('k1');
    expect(got.files['onnx/model.onnx']).toEqual(new Uint8Array(10).fill(7));
    expect(got.files['onnx/model.onnx'].buffer.byteLength).toBe(10);
    expect(verifyExport(got)).toBeNull();

    got.files['onnx/model.onnx'][3] ^= 1;
    expect(verifyExport(got)).toMatch(/onnx\/model\.onnx does not match its checksum/);
    got.files['onnx/model.onnx'] = got.files['onnx/model.onnx'].subarray(1);
    expect(verifyExport(got)).toMatch(/has 9 bytes, not the 10 written/);
    delete (got.files as Record<string, Uint8Array>)['config.json'];
    expect(verifyExport(got)).toMatch(/config\.json is missing/);

    // retain: runs the run store no longer lists lose their exports and checkpoints.
    await s.putExport('run-b', 'k2', { 'config.json': Uint8Array.of(1) });
    await s.checkpoints('run-c').write(Uint8Array.of(9));
    expect(await s.retain(new Set(['run-b']))).toBe(2);
    expect(await s.getExport('run-a')).toBeUndefined();
    expect(await s.checkpoints('run-c').read()).toBeNull();
    expect(await s.getExport('run-b')).toBeDefined();
    await s.close();
  });

  it('lookupSftExport: none, usable, other settings, damaged', async () => {
    const s = await IdbSftModelStore.open(freshDb());
    expect(await lookupSftExport(s, 'r', config)).toEqual({ state: 'none' });
    const metrics = { 'sft/loss': 1, 'sft/heldout_loss': 2, 'sft/tokens_per_s': 3, 'sft/steps': 2, 'sft/seconds': 4 };
    const cfg = new TextEncoder().encode(JSON.stringify({ stepwise: { sftRun: sftRunKey(config), metrics } }));
    await s.putExport('r', sftRunKey(config), { ...BUNDLED_FOLDER, 'config.json': cfg });
    expect(await lookupSftExport(s, 'r', config)).toMatchObject({ state: 'ok', metrics });
    const other = parseRunConfig({ ...config, sft: { ...config.sft, steps: 3 } });
    expect(await lookupSftExport(s, 'r', other)).toEqual({ state: 'unusable', reason: 'it was trained with other SFT settings' });
    // A record that lacks a file the load needs (its manifest agreeing) is unusable too.
    await s.putExport('r', sftRunKey(config), { 'config.json': cfg, 'tokenizer.json': Uint8Array.of(1) });
    expect(await lookupSftExport(s, 'r', config)).toEqual({ state: 'unusable', reason: 'it lacks onnx/model.onnx, tokenizer_config.json' });
    await s.close();
  });
});

describe('a model folder loaded from bytes (LoadRequest.files)', () => {
  it('scores exactly as the same folder loaded from its directory, under the in-memory model id', async () => {
    const entry = catalogueEntry(BUNDLED_MODEL_ID)!;
    const fromDir = await Backbone.load(loadRequestFor(entry, 'cpu', { localModelPath: bundledModelDir() }));
    const id = memoryModelId('stepwise-tiny-sft', 'household-spa-s1-abc');
    const request = filesLoadRequest(loadRequestFor(entry, 'cpu', { localModelPath: '/nowhere/' }), id, BUNDLED_FOLDER);
    expect(loadTransfers(request)).toHaveLength(Object.keys(BUNDLED_FOLDER).length);
    const fromBytes = await Backbone.load(request);
    try {
      expect(fromBytes.info.modelId).toBe(id);
      expect(fromBytes.info.featureDim).toBe(fromDir.info.featureDim);
      const items = [{ context: { messages: [{ role: 'user' as const, content: 'You are in the kitchen. Your task is to: put a clean mug in the cabinet.' }] }, candidates: ['go to countertop 1', 'look'] }];
      const [a, b] = await Promise.all([fromDir.score(items, { features: true }), fromBytes.score(items, { features: true })]);
      expect(b.items[0].candidates.map((c) => c.logprobSum)).toEqual(a.items[0].candidates.map((c) => c.logprobSum));
      expect(b.items[0].phi).toEqual(a.items[0].phi);
    } finally {
      await fromDir.dispose();
      await fromBytes.dispose();
    }
    // The caller's arrays are untouched (the request owns copies).
    expect(BUNDLED_FOLDER['onnx/model.onnx'].byteLength).toBeGreaterThan(1000);
  });

  it('rejects a folder without its graph with a clear error', async () => {
    const entry = catalogueEntry(BUNDLED_MODEL_ID)!;
    const request = loadRequestFor(entry, 'cpu', { localModelPath: '/nowhere/' });
    const { 'onnx/model.onnx': _graph, ...rest } = BUNDLED_FOLDER;
    expect(() => filesLoadRequest(request, 'x-sft', rest)).toThrow(/lacks onnx\/model\.onnx/);
    const raw = { ...request, modelId: 'x-sft', files: Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, v.slice().buffer as ArrayBuffer])) };
    const err = await Backbone.load(raw).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect((err as ModelError).message).toMatch(/lacks onnx\/model\.onnx/);
  });

  it('fetchBaseFiles names a file the server does not have', async () => {
    const fake = (async (url: string) => url.endsWith('tokenizer.json')
      ? new Response('<html></html>', { headers: { 'content-type': 'text/html' } })
      : new Response(new Uint8Array(4))) as unknown as typeof fetch;
    await expect(fetchBaseFiles('/models/stepwise-tiny/', fake)).rejects.toThrow(/bundled model's tokenizer\.json from \/models\/stepwise-tiny\/tokenizer\.json \(the server answered with an HTML page\)/);
  });
});

// ---- the stage through the trainer protocol ----------------------------------------------------

/** A hashed stand-in per model id, so the test sees which model every later stage scored with. */
function standIn(modelId: string, scoredWith: string[]): LoadedBackbone {
  const b = new HashedBackbone();
  const score = b.scoreEpisodes.bind(b);
  b.scoreEpisodes = (items) => { scoredWith.push(modelId); return score(items); };
  return { backbone: b, modelId, featureDim: b.dim, alive: () => true, dispose: async () => {} };
}

function trainerHost(runDb: string, sftDb: string) {
  const { port1, port2 } = new MessageChannel();
  const endpoint: HostEndpoint = { post: (m) => port2.postMessage(m), onMessage: (l) => port2.on('message', l) };
  const port: WorkerPort = {
    post: (m) => port1.postMessage(m), onMessage: (l) => port1.on('message', l), onError: () => {}, onExit: () => {},
    terminate: () => { port1.close(); port2.close(); },
  };
  const scoredWith: string[] = [];
  const trained = { baseReads: 0, fileLoads: [] as { id: string; bytes: number }[] };
  let runs: RunStore | null = null;
  const sft: TrainerSftOptions = {
    baseFiles: async () => { trained.baseReads++; return base(); },
    loadFiles: async (id, files) => {
      trained.fileLoads.push({ id, bytes: files['onnx/model.onnx'].byteLength });
      return standIn(id, scoredWith);
    },
    openStore: () => IdbSftModelStore.open(sftDb),
    overrides: OVERRIDES,
  };
  serveTrainer(endpoint, {
    openGpu: testGpu, openStore: async () => (runs ??= await IdbRunStore.open(runDb)),
    loadBackbone: async (id) => standIn(id, scoredWith), sft,
  });
  const client = new WorkerClient<TrainerProtocol>(port, { name: 'trainer', decodeError: decodeTrainerError });
  const events: TrainerEvent[] = [];
  let since = 0;
  const until = async (done: (e: TrainerEvent[]) => boolean, what: string, timeoutMs = 150_000) => {
    const t0 = Date.now();
    for (;;) {
      const r = await client.request('events', { since });
      since = r.next;
      events.push(...r.events);
      if (done(events)) return;
      if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const rows = (runId: string) => events.flatMap((e) => (e.type === 'metrics' && e.runId === runId ? e.rows : []));
  const has = (runId: string, s: string) => (e: TrainerEvent[]) => e.some((x) => x.type === 'status' && x.runId === runId && x.status === s);
  return { client, events, until, rows, has, scoredWith, trained };
}

const closers: (() => void)[] = [];
afterAll(() => closers.forEach((c) => c()));

describe('the SFT stage in the trainer host', () => {
  it('trains, stores the export, scores every later stage with it; a resumed run reuses it without training', async () => {
    const runDb = freshDb(), sftDb = freshDb();
    const h = trainerHost(runDb, sftDb);
    closers.push(() => h.client.close());
    const t0 = performance.now();
    const { runId } = await h.client.request('start', { config, options: { maxSteps: 2 } });
    await h.until(h.has(runId, 'finished'), 'the SFT run to finish');
    console.log(`SFT run through the trainer protocol: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const id = sftModelId(runId);
    expect(id).toBe(`stepwise-tiny-sft-${runId}`);
    const rows = h.rows(runId);
    expect(rows.map((r) => r.stage)).toEqual(['sft', 'bc', 'estimator', 'ppo', 'eval', 'eval']);
    for (const k of ['sft/loss', 'sft/heldout_loss']) expect(Number.isFinite(rows[0][k]) && (rows[0][k] as number) > 0, k).toBe(true);
    expect(rows[0]['sft/steps']).toBe(2);
    // SFT progress reached the page, ending at 1.
    const sftProgress = h.events.filter((e) => e.type === 'progress' && e.stage === 'sft').map((e) => (e as { fraction: number }).fraction);
    expect(sftProgress.length).toBeGreaterThan(0);
    expect(sftProgress.at(-1)).toBe(1);
    // Its last event names the model the later stages score with.
    expect(h.events.filter((e) => e.type === 'progress' && e.stage === 'sft').at(-1)).toMatchObject({ detail: `scoring with ${id}` });
    // Every decision after SFT scored with the run's SFT model, loaded once from the stored bytes.
    expect(new Set(h.scoredWith)).toEqual(new Set([id]));
    expect(h.trained.baseReads).toBe(1);
    expect(h.trained.fileLoads.map((l) => l.id)).toEqual([id]);
    const store = await IdbSftModelStore.open(sftDb);
    const stored = (await store.getExport(runId))!;
    expect(verifyExport(stored)).toBeNull();
    expect(JSON.parse(new TextDecoder().decode(stored.files['config.json'])).stepwise.weights).toMatch(/2 steps/);
    expect(await store.checkpoints(runId).read()).toBeNull();
    // evaluate scores with the SFT model too (the heads were trained on its features).
    h.scoredWith.length = 0;
    await h.client.request('evaluate', { runId, splits: ['seen-test'], tasks: 1 });
    expect(new Set(h.scoredWith)).toEqual(new Set([id]));

    // A second worker (a reload) resumes a run stopped after SFT: it starts on the stored export and does not train.
    const second = await h.client.request('start', { config: { ...config, seed: 2 }, options: { maxSteps: 2 } });
    await h.until((e) => e.some((x) => x.type === 'metrics' && x.runId === second.runId && x.rows.some((r) => r.stage === 'sft')), 'the second run\'s SFT row');
    await h.client.request('stop', { runId: second.runId });
    await h.until(h.has(second.runId, 'cancelled'), 'the second run to stop');
    h.client.close();
    const r = trainerHost(runDb, sftDb);
    closers.push(() => r.client.close());
    const t1 = performance.now();
    await r.client.request('start', { config, resume: second.runId });
    await r.until(r.has(second.runId, 'finished'), 'the resumed run to finish');
    console.log(`resumed SFT run (export reused): ${((performance.now() - t1) / 1000).toFixed(1)} s`);
    expect(r.trained.baseReads).toBe(0);
    expect(r.trained.fileLoads.map((l) => l.id)).toEqual([sftModelId(second.runId)]);
    expect(new Set(r.scoredWith)).toEqual(new Set([sftModelId(second.runId)]));
    await store.close();
  }, 400_000);

  it('a damaged stored export is reported, deleted and trained again; the run carries on', async () => {
    const sftDb = freshDb();
    const store = await IdbSftModelStore.open(sftDb);
    const runs = await IdbRunStore.open(freshDb());
    const gpu = await testGpu();
    const scoredWith: string[] = [];
    const notices: string[] = [];
    let baseReads = 0;
    const r: BrowserSftRun = {
      runId: 'damaged-run', gpu, store, runs,
      sft: { baseFiles: async () => { baseReads++; return base(); }, loadFiles: async (id) => standIn(id, scoredWith), overrides: OVERRIDES },
      backbone: (_key, load) => load(),
      notice: (m) => notices.push(m),
    };
    const first = await startingBackbone(r, config, async () => standIn(BUNDLED_MODEL_ID, scoredWith), () => {});
    expect(first.modelId).toBe(BUNDLED_MODEL_ID);
    const m1 = await browserSftHook(r, first)(config, new RunControl(), () => {});
    expect(first.modelId).toBe(sftModelId('damaged-run'));
    expect(baseReads).toBe(1);

    // Flip one byte of the stored graph behind the store's back.
    const rec = (await store.getExport('damaged-run'))!;
    rec.files['onnx/model.onnx'][100] ^= 0xff;
    const db = await new Promise<IDBDatabase>((res, rej) => { const q = indexedDB.open(sftDb); q.onsuccess = () => res(q.result); q.onerror = () => rej(q.error); });
    await new Promise<void>((res, rej) => { const tx = db.transaction('models', 'readwrite'); tx.objectStore('models').put(rec); tx.oncomplete = () => res(); tx.onerror = () => rej(tx.error); });
    db.close();
    expect(await lookupSftExport(store, 'damaged-run', config)).toEqual({ state: 'unusable', reason: 'it is damaged: onnx/model.onnx does not match its checksum' });

    // A reload: the damaged export is not loaded at start; the hook reports it and trains again.
    const again = await startingBackbone(r, config, async () => standIn(BUNDLED_MODEL_ID, scoredWith), () => {});
    expect(again.modelId).toBe(BUNDLED_MODEL_ID);
    const m2 = await browserSftHook(r, again)(config, new RunControl(), () => {});
    expect(notices).toEqual(['the stored SFT model of run damaged-run was not used: it is damaged: onnx/model.onnx does not match its checksum; training it again']);
    expect(baseReads).toBe(2);
    expect(again.modelId).toBe(sftModelId('damaged-run'));
    expect(Number.isFinite(m2['sft/loss'])).toBe(true);
    expect(m2['sft/steps']).toBe(m1['sft/steps']);
    expect((await lookupSftExport(store, 'damaged-run', config)).state).toBe('ok');
    await store.close();
    await runs.close();
  }, 200_000);
});
