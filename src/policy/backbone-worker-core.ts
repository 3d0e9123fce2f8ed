// The LLM worker's handlers, shared by the browser Worker and the Node worker thread, served over
// the core worker transport. The transport runs requests one at a time, in arrival order, which
// is what this worker needs: ORT-web cannot run two sessions at once ("Session already started"),
// and a load must finish before the first score uses the model.

import { serveWorker } from '../core/worker/host';
import type { HostEndpoint } from '../core/worker/port';
import { Backbone } from './backbone';
import type { BackboneProtocol, LoadRequest, ScoreResult } from './backbone-types';
import { ModelError, classifyModelError, serializeModelError } from './model-errors';

function scoreTransfers(result: ScoreResult): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const item of result.items) {
    if (item.phi) out.add(item.phi.buffer as ArrayBuffer);
    for (const c of item.candidates) {
      if (c.psi) out.add(c.psi.buffer as ArrayBuffer);
      if (c.tokenLogprobs) out.add(c.tokenLogprobs.buffer as ArrayBuffer);
    }
  }
  return [...out];
}

/** Serves the backbone on `endpoint`; `defaults` fill every load request (the browser's wasm paths). */
export function serveBackbone(endpoint: HostEndpoint, defaults: Partial<LoadRequest> = {}): void {
  let backbone: Backbone | null = null;
  let modelId = '';
  const loaded = (what: string): Backbone => {
    if (!backbone) throw new ModelError('bad-input', modelId, `No model is loaded; load one before ${what}.`);
    return backbone;
  };

  serveWorker<BackboneProtocol>(
    endpoint,
    {
      load: async (req, ctx) => {
        const request = { ...defaults, ...req };
        modelId = request.modelId;
        if (backbone) await backbone.dispose();
        backbone = null;
        backbone = await Backbone.load(request, (progress) => ctx.progress(progress));
        return backbone.info;
      },
      score: async ({ items, options }, ctx) => {
        const result = await loaded('scoring').score(items, options);
        ctx.transfer(...scoreTransfers(result));
        return result;
      },
      generate: (request) => loaded('generating').generate(request),
      // No transfer list: φ of a shared context and ψ of a cached action are held by the
      // scorer's caches, and transferring them would empty those caches. The copies are small.
      scoreEpisodes: ({ items, options }) => loaded('scoring episodes').scoreEpisodes(items, options),
      endEpisodes: ({ episodes }) => {
        backbone?.endEpisodes(episodes);
        return null;
      },
      dispose: async () => {
        if (backbone) await backbone.dispose();
        backbone = null;
        return null;
      },
    },
    {
      encodeError: (e, method) => serializeModelError(e instanceof ModelError ? e : classifyModelError(e, modelId, method === 'load' ? 'load' : 'run')),
    },
  );
}
