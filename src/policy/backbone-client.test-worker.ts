// A stand-in LLM worker for backbone-client.test.ts: speaks BackboneProtocol without a model, so
// the client's crash path can be tested in a second instead of loading transformers.js. The
// model id of a load chooses how it fails.

import { serveWorker } from '../core/worker/host';
import { parentPortEndpoint } from '../core/worker/node';
import type { BackboneProtocol } from './backbone-types';

const endpoint = parentPortEndpoint();
const never = new Promise<never>(() => {});

serveWorker<BackboneProtocol>(endpoint, {
  load: (request) => {
    // Stay alive like a browser Worker does after an error, so only a terminate() ends the thread.
    setInterval(() => {}, 1000);
    if (request.modelId === 'throws') {
      setTimeout(() => {
        throw new Error('RuntimeError: Aborted(OOM)');
      }, 0);
    } else {
      endpoint.post('not a reply', []);
    }
    return never;
  },
  score: () => never,
  scoreEpisodes: () => never,
  endEpisodes: () => null,
  generate: () => never,
  dispose: () => null,
});
