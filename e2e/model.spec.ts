// The LLM backbone in real Chromium, inside a module Worker, from the production build:
// - the bundled model on wasm and on WebGPU (SwiftShader), offline (no request leaves 127.0.0.1),
//   scoring equal across the two devices, across both scoring paths, and to Node's onnxruntime;
// - a hub-layout copy of the model served by a local "hub" on another port, so transformers.js'
//   real remote path runs: progress events with byte counts, then the browser cache on reload.

import { expect, test, type Page } from '@playwright/test';
import { createServer, type Server } from 'node:http';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadRequest, ScoreItem, ScoreResult } from '../src/policy/backbone-types';
import { type DeviceDecision, type GpuProbe, chooseDevice } from '../src/policy/device-choice';

/** The committed model's width: the features must have it, whatever size the SFT recipe picked. */
const BUNDLED_HIDDEN = (JSON.parse(readFileSync('public/models/stepwise-tiny/config.json', 'utf8')) as { hidden_size: number }).hidden_size;
import { BUNDLED_MODEL_ID, MODEL_CATALOGUE, dtypeFor } from '../src/policy/model-catalogue';

const PAGE = '/e2e/pages/model.html';
const MODEL_DIR = join(process.cwd(), 'public', 'models', 'stepwise-tiny');
const HUB_REPO = 'stepwise-test/tiny-hub';

interface Outcome<T> {
  ok: boolean;
  value?: T;
  error?: { kind: string; message: string; file: string | null };
}
interface LoadValue {
  info: { device: string; featureSource: string; hiddenSize: number; loadMs: number; warmupMs: number; modelId: string; source: string };
  events: Array<{ status: string; file?: string; loaded?: number; total?: number }>;
}
type Api = {
  bundledModelPath(): string;
  crossOriginIsolated(): boolean;
  probe(modelId?: string): Promise<{ probe: GpuProbe; auto: DeviceDecision; request: LoadRequest }>;
  load(r: LoadRequest): Promise<Outcome<LoadValue>>;
  score(items: ScoreItem[], o: object): Promise<Outcome<ScoreResult & { cacheHits: number }>>;
  generate(r: object): Promise<Outcome<{ text: string; tokens: number }>>;
  close(): Promise<Outcome<void>>;
};
declare global {
  interface Window {
    stepwiseBackbone: Api;
  }
}

const items: ScoreItem[] = [
  {
    context: {
      messages: [
        { role: 'system', content: 'You are an agent in a house made of text. Reply with exactly one action.' },
        { role: 'user', content: 'Task: put a clean mug in coffeemachine.\n\nObservation: You arrive at countertop 1. On the countertop 1, you see a mug 2.' },
      ],
    },
    candidates: ['take mug 2 from countertop 1', 'go to sinkbasin 1', 'look', 'inventory', 'go to cabinet 1'],
  },
  { context: { text: 'WebShop [SEP] Instruction: [SEP] i need a blue towel [SEP] Search\nAction:', candidatePrefix: ' ', candidateSuffix: '\n' }, candidates: ['search[blue towel]', 'click[Buy Now]'] },
];

async function open(page: Page): Promise<void> {
  await page.goto(PAGE);
  await page.waitForFunction(() => document.body.dataset.ready === '1');
}

function maxDiff(a: ScoreResult, b: ScoreResult): number {
  let worst = 0;
  a.items.forEach((item, i) =>
    item.candidates.forEach((c, j) => {
      const d = b.items[i].candidates[j];
      worst = Math.max(worst, Math.abs(c.logprobSum - d.logprobSum), Math.abs(c.logprobMean - d.logprobMean));
      (c.psi ?? []).forEach((v, k) => (worst = Math.max(worst, Math.abs(v - (d.psi as unknown as number[])[k]))));
    }),
  );
  return worst;
}

/** Reference scores from Node (onnxruntime-node through transformers.js), computed in this process. */
async function nodeReference(): Promise<ScoreResult> {
  const { Backbone } = await import('../src/policy/backbone');
  const bb = await Backbone.load({ modelId: 'stepwise-tiny', source: 'local', device: 'cpu', dtype: 'fp32', localModelPath: join(process.cwd(), 'public', 'models') });
  try {
    const r = await bb.score(items, { features: true, strategy: 'full' });
    return JSON.parse(JSON.stringify(r, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v)));
  } finally {
    await bb.dispose();
  }
}

test.describe('LLM backbone in a Chromium worker', () => {
  // WebGPU on SwiftShader compiles every shader on the CPU: a load plus a few scoring calls take
  // 15-40 s on a busy 2-core machine.
  test.describe.configure({ timeout: 180_000 });
  let reference: ScoreResult;
  test.beforeAll(async () => {
    reference = await nodeReference();
  });

  for (const device of ['wasm', 'webgpu'] as const) {
    test(`bundled model on ${device}: offline load, batched scoring with features, generation`, async ({ page }) => {
      const external: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith('http://127.0.0.1:4173/') && !r.url().startsWith('blob:') && !r.url().startsWith('data:')) external.push(r.url());
      });
      await open(page);
      expect(await page.evaluate(() => window.stepwiseBackbone.crossOriginIsolated())).toBe(true);
      if (device === 'webgpu') {
        // Whatever adapter this browser has (SwiftShader here, a real GPU elsewhere), the automatic
        // plan for every catalogue model follows the device rule, and the request matches it. The
        // test then forces WebGPU for the bundled model to check that it works either way.
        for (const entry of MODEL_CATALOGUE) {
          const { probe, auto, request } = await page.evaluate((id) => window.stepwiseBackbone.probe(id), entry.id);
          expect(probe.available, 'this browser must have a WebGPU adapter (SwiftShader where there is no GPU)').toBe(true);
          expect(auto, `${entry.id} on ${probe.adapter?.description || probe.adapter?.architecture}`).toEqual(chooseDevice('auto', entry.parameters, probe, 'browser'));
          expect(request).toMatchObject({ modelId: entry.id, source: entry.source, device: auto.device, dtype: dtypeFor(entry, auto.device, probe.shaderF16) });
          if (entry.id === BUNDLED_MODEL_ID) {
            expect(request.localModelPath).toBe('/models/');
            console.log(`[webgpu] adapter ${JSON.stringify({ ...probe.adapter, limits: undefined, features: undefined })}: auto ${auto.device} (${auto.reason})`);
          }
        }
      }

      const loaded = await page.evaluate(
        (device) =>
          window.stepwiseBackbone.load({ modelId: 'stepwise-tiny', source: 'local', device, dtype: 'fp32', localModelPath: window.stepwiseBackbone.bundledModelPath() }),
        device,
      );
      expect(loaded.error).toBeUndefined();
      expect(loaded.value!.info).toMatchObject({ device, featureSource: 'hidden-state', hiddenSize: BUNDLED_HIDDEN });
      console.log(`[${device}] load ${loaded.value!.info.loadMs.toFixed(0)} ms (warm-up ${loaded.value!.info.warmupMs.toFixed(0)} ms)`);

      // tokenLogprobs bypasses the feature cache, so both paths really run.
      const full = await page.evaluate((items) => window.stepwiseBackbone.score(items, { features: true, strategy: 'full', tokenLogprobs: true }), items);
      const prefix = await page.evaluate((items) => window.stepwiseBackbone.score(items, { features: true, strategy: 'prefix', tokenLogprobs: true }), items);
      expect(full.error).toBeUndefined();
      expect(prefix.error).toBeUndefined();
      expect(full.value!.strategy).toBe('full');
      expect(prefix.value!.strategy).toBe('prefix');
      expect(maxDiff(full.value!, prefix.value!)).toBeLessThan(1e-4);
      // The prefix path in chunks (a quarter of the memory one pass held) scores the same.
      const budget = Math.floor(prefix.value!.memory!.peakBytes / 4);
      const chunked = await page.evaluate(([items, budget]) => window.stepwiseBackbone.score(items, { features: true, strategy: 'prefix', tokenLogprobs: true, memoryBudgetBytes: budget }), [items, budget] as const);
      expect(chunked.error).toBeUndefined();
      expect(chunked.value!.memory!.candidatePasses).toBeGreaterThan(1);
      expect(chunked.value!.memory!.peakBytes).toBeLessThanOrEqual(budget);
      expect(maxDiff(prefix.value!, chunked.value!)).toBeLessThan(1e-4);
      console.log(`[${device}] prefix in chunks: ${JSON.stringify(chunked.value!.memory)}, max diff ${maxDiff(prefix.value!, chunked.value!)}`);
      expect(maxDiff(full.value!, reference)).toBeLessThan(2e-3);
      const first = full.value!.items[0];
      expect(first.phi).toHaveLength(BUNDLED_HIDDEN);
      expect(first.candidates[0].psi).toHaveLength(BUNDLED_HIDDEN);
      expect(first.candidates.every((c) => Number.isFinite(c.logprobMean) && c.logprobMean < 0)).toBe(true);

      // The second identical call is answered by the feature cache.
      const once = await page.evaluate((items) => window.stepwiseBackbone.score(items, { features: true }), items);
      const again = await page.evaluate((items) => window.stepwiseBackbone.score(items, { features: true }), items);
      expect(once.value!.cacheHits).toBe(0);
      expect(again.value!.cacheHits).toBe(7);
      expect(maxDiff(once.value!, again.value!)).toBe(0);

      const gen = await page.evaluate(() =>
        window.stepwiseBackbone.generate({ context: { text: 'You arrive at countertop 1.\nAction:' }, maxNewTokens: 5, temperature: 0.8, topK: 20, topP: 0.9, seed: 1, stop: [] }),
      );
      expect(gen.error).toBeUndefined();
      // The trained model may end its turn (end-of-sequence) before the limit.
      expect(gen.value!.tokens).toBeGreaterThan(0);
      expect(gen.value!.tokens).toBeLessThanOrEqual(5);
      if (device === 'wasm') {
        // preview's SPA fallback answers a missing model with index.html; it must still read as a missing file.
        const missing = await page.evaluate(() =>
          window.stepwiseBackbone.load({ modelId: 'no-such-model', source: 'local', device: 'wasm', dtype: 'fp32', localModelPath: window.stepwiseBackbone.bundledModelPath() }),
        );
        expect(missing.error).toMatchObject({ kind: 'missing-file', file: 'config.json' });
      }
      await page.evaluate(() => window.stepwiseBackbone.close());
      expect(external).toEqual([]);
    });
  }

  test('hub-layout model through the real remote path: progress events, then the browser cache', async ({ page }) => {
    const requests: string[] = [];
    const hub: Server = createServer((req, res) => {
      requests.push(req.url ?? '');
      const cors = { 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin' };
      const m = (req.url ?? '').match(new RegExp(`^/${HUB_REPO}/resolve/main/(.+)$`));
      const file = m ? join(MODEL_DIR, decodeURIComponent(m[1])) : null;
      let size = -1;
      try {
        if (file) size = statSync(file).size;
      } catch {
        size = -1;
      }
      if (!file || size < 0) {
        res.writeHead(404, cors).end('Entry not found');
        return;
      }
      res.writeHead(200, { ...cors, 'Content-Type': 'application/octet-stream', 'Content-Length': String(size) });
      res.end(req.method === 'HEAD' ? undefined : readFileSync(file));
    });
    await new Promise<void>((r) => hub.listen(0, '127.0.0.1', r));
    const port = (hub.address() as { port: number }).port;
    try {
      await open(page);
      const request: LoadRequest = { modelId: HUB_REPO, source: 'hub', device: 'wasm', dtype: 'fp32', remoteHost: `http://127.0.0.1:${port}/` };
      const first = await page.evaluate((r) => window.stepwiseBackbone.load(r), request);
      expect(first.error).toBeUndefined();
      expect(first.value!.info).toMatchObject({ modelId: HUB_REPO, source: 'hub' });
      const onnxEvents = first.value!.events.filter((e) => e.file === 'onnx/model.onnx');
      const size = statSync(join(MODEL_DIR, 'onnx', 'model.onnx')).size;
      expect(onnxEvents.map((e) => e.status)).toEqual(expect.arrayContaining(['initiate', 'download', 'progress', 'done']));
      const last = onnxEvents.filter((e) => e.status === 'progress').at(-1)!;
      expect(last).toMatchObject({ loaded: size, total: size });
      expect(requests).toContain(`/${HUB_REPO}/resolve/main/onnx/model.onnx`);

      // The hub copy scores exactly like the bundled model.
      const scored = await page.evaluate((items) => window.stepwiseBackbone.score(items, { features: true, strategy: 'full' }), items);
      expect(maxDiff(scored.value!, reference)).toBeLessThan(2e-3);

      // A fresh worker loads the same model from the Cache API: no more downloads of the weights.
      const onnxRequests = requests.filter((u) => u.endsWith('model.onnx')).length;
      const second = await page.evaluate((r) => window.stepwiseBackbone.load(r), request);
      expect(second.error).toBeUndefined();
      expect(requests.filter((u) => u.endsWith('model.onnx')).length).toBe(onnxRequests);

      // A repository that does not exist fails with a typed, actionable error.
      const missing = await page.evaluate((r) => window.stepwiseBackbone.load({ ...r, modelId: 'stepwise-test/nope' }), request);
      expect(missing.ok).toBe(false);
      expect(missing.error!.kind).toBe('missing-file');
      expect(missing.error!.message).toMatch(/stepwise-test\/nope/);
    } finally {
      await page.evaluate(() => window.stepwiseBackbone.close()).catch(() => {});
      await new Promise((r) => hub.close(r));
    }
  });
});
