// Test page for e2e/model.spec.ts: exposes the real browser backbone client (module Worker,
// transformers.js, ORT-web from our own build) on window so the spec can drive it.

import { bundledModelPath, createBrowserBackboneClient, planBrowserLoad } from '../../src/policy/backbone-browser';
import type { GenerateRequest, LoadProgress, LoadRequest, ScoreItem, ScoreOptions } from '../../src/policy/backbone-types';
import { BUNDLED_MODEL_ID, catalogueEntry } from '../../src/policy/model-catalogue';
import { ModelError } from '../../src/policy/model-errors';

const client = createBrowserBackboneClient();
const log = document.getElementById('log')!;

/** Typed arrays become plain arrays so results survive page.evaluate's JSON transfer. */
function plain(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) return Array.from(value as Float32Array);
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

async function guard<T>(fn: () => Promise<T>): Promise<unknown> {
  try {
    return { ok: true, value: plain(await fn()) };
  } catch (e) {
    const m = e instanceof ModelError ? { kind: e.kind, message: e.message, file: e.file, detail: e.detail } : { kind: 'other', message: String(e) };
    return { ok: false, error: m };
  }
}

const api = {
  bundledModelPath,
  crossOriginIsolated: () => globalThis.crossOriginIsolated,
  /** The automatic device plan for a catalogue model, from this browser's own adapter probe. */
  async probe(modelId: string = BUNDLED_MODEL_ID) {
    const entry = catalogueEntry(modelId);
    if (!entry) throw new Error(`no catalogue entry "${modelId}"`);
    const { probe, decision, request } = await planBrowserLoad(entry, 'auto');
    return { probe, auto: decision, request };
  },
  load(request: LoadRequest) {
    const events: LoadProgress[] = [];
    return guard(async () => {
      const info = await client.load(request, (p) => {
        events.push(p);
        if (p.status !== 'progress') log.textContent += `${p.status} ${p.file ?? ''}\n`;
      });
      return { info, events };
    });
  },
  score: (items: ScoreItem[], options: ScoreOptions) => guard(() => client.score(items, options)),
  generate: (request: GenerateRequest) => guard(() => client.generate(request)),
  close: () => guard(() => client.close()),
};

(window as unknown as { stepwiseBackbone: typeof api }).stepwiseBackbone = api;
document.body.dataset.ready = '1';
