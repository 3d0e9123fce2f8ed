// The message loop shared by the browser Worker and the Node worker thread. Requests run one at a
// time, in arrival order: ORT-web cannot run two sessions at once ("Session already started"),
// and a load must finish before the first score uses the model.

import { Backbone } from './backbone';
import type { LoadRequest, ScoreResult, WorkerRequest, WorkerResponse } from './backbone-types';
import { ModelError, classifyModelError, serializeModelError } from './model-errors';

export type Post = (message: WorkerResponse, transfer: ArrayBuffer[]) => void;

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

export function createWorkerLoop(post: Post, defaults: Partial<LoadRequest> = {}): (message: WorkerRequest) => void {
  let backbone: Backbone | null = null;
  let modelId = '';
  let chain: Promise<void> = Promise.resolve();

  const handle = async (msg: WorkerRequest): Promise<void> => {
    try {
      switch (msg.type) {
        case 'load': {
          const request = { ...defaults, ...msg.request };
          modelId = request.modelId;
          if (backbone) await backbone.dispose();
          backbone = null;
          backbone = await Backbone.load(request, (progress) => post({ id: msg.id, type: 'progress', progress }, []));
          post({ id: msg.id, type: 'loaded', info: backbone.info }, []);
          return;
        }
        case 'score': {
          if (!backbone) throw new ModelError('bad-input', modelId, 'No model is loaded; load one before scoring.');
          const result = await backbone.score(msg.items, msg.options);
          post({ id: msg.id, type: 'scored', result }, scoreTransfers(result));
          return;
        }
        case 'generate': {
          if (!backbone) throw new ModelError('bad-input', modelId, 'No model is loaded; load one before generating.');
          post({ id: msg.id, type: 'generated', result: await backbone.generate(msg.request) }, []);
          return;
        }
        case 'dispose': {
          if (backbone) await backbone.dispose();
          backbone = null;
          post({ id: msg.id, type: 'disposed' }, []);
          return;
        }
      }
    } catch (e) {
      const error = e instanceof ModelError ? e : classifyModelError(e, modelId, msg.type === 'load' ? 'load' : 'run');
      post({ id: msg.id, type: 'error', error: serializeModelError(error) }, []);
    }
  };

  return (message) => {
    chain = chain.then(() => handle(message));
  };
}
