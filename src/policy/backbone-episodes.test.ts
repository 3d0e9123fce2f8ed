// Episode scoring through the LLM worker (BackboneProtocol scoreEpisodes/endEpisodes): the trainer
// worker scores rollouts through a BackboneClient, so what the client returns must be what the
// in-process Backbone returns on the same episodes, round after round, with each episode's KV
// cache reused inside the worker. Both run the bundled model on onnxruntime-node.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getEnvSpec } from '../envs/registry';
import { Backbone } from './backbone';
import type { BackboneClient } from './backbone-client';
import { bundledModelDir, createNodeBackboneClient } from './backbone-node';
import type { LoadRequest } from './backbone-types';
import type { EpisodeItem, EpisodeScoreResult } from './episode-scoring';
import { BUNDLED_MODEL_ID } from './model-catalogue';
import { anchoredMessages, type PromptState } from './prompts';

const request: LoadRequest = { modelId: BUNDLED_MODEL_ID, source: 'local', device: 'cpu', dtype: 'fp32', localModelPath: bundledModelDir() };

/** Two household episodes played for `rounds` steps by always taking the first admissible action: the items of each round. */
function rounds(n: number): EpisodeItem[][] {
  const spec = getEnvSpec('household');
  const eps = [0, 1].map((i) => {
    const env = spec.create();
    const task = spec.task('train', i);
    const obs = env.reset(task.id, 1);
    const state: PromptState = { env: 'household', goal: obs.goal, initialObservation: obs.text, history: [] };
    return { id: `e${i}`, env, state };
  });
  const out: EpisodeItem[][] = [];
  for (let r = 0; r < n; r++) {
    out.push(eps.map((e) => ({ episode: e.id, context: { messages: anchoredMessages(e.state, 0) }, candidates: e.env.admissibleActions().slice(0, 6) })));
    for (const e of eps) {
      const action = e.env.admissibleActions()[0];
      const res = e.env.step(action);
      e.state.history.push({ action, observation: res.observation.text });
    }
  }
  return out;
}

let client: BackboneClient;
let local: Backbone;
beforeAll(async () => {
  client = createNodeBackboneClient();
  [local] = await Promise.all([Backbone.load(request), client.load(request)]);
});
afterAll(async () => {
  await client?.close();
  await local?.dispose();
});

describe('BackboneClient.scoreEpisodes', () => {
  it('returns the in-process scores and features round after round, reusing each episode\'s cache in the worker', async () => {
    const all = rounds(4);
    const viaWorker: EpisodeScoreResult[] = [];
    const inProcess: EpisodeScoreResult[] = [];
    let workerMs = 0, localMs = 0;
    for (const items of all) {
      let t = performance.now();
      viaWorker.push(await client.scoreEpisodes(items, { features: true }));
      workerMs += performance.now() - t;
      t = performance.now();
      inProcess.push(await local.scoreEpisodes(items, { features: true }));
      localMs += performance.now() - t;
    }
    for (let r = 0; r < all.length; r++) {
      const a = viaWorker[r], b = inProcess[r];
      expect(a.items.length).toBe(2);
      for (let i = 0; i < 2; i++) {
        expect(a.items[i].phi).toBeInstanceOf(Float32Array);
        expect(Array.from(a.items[i].phi!)).toEqual(Array.from(b.items[i].phi!));
        a.items[i].candidates.forEach((c, j) => {
          expect(c.logprobMean).toBe(b.items[i].candidates[j].logprobMean);
          expect(Array.from(c.psi!)).toEqual(Array.from(b.items[i].candidates[j].psi!));
        });
      }
      // From the second round on only the appended step runs: the cache lives in the worker.
      if (r > 0) expect(a.reusedTokens).toBeGreaterThan(0);
      expect(a.reusedTokens).toBe(b.reusedTokens);
    }
    // The worker round trip costs little next to the model (printed for the report).
    console.log(`scoreEpisodes over ${all.length} rounds: worker ${workerMs.toFixed(1)} ms, in-process ${localMs.toFixed(1)} ms`);

    // Ending the episodes releases their caches, the shared-instruction anchor included once no
    // episode is live: the next call starts them from scratch.
    client.endEpisodes(['e0', 'e1']);
    const again = await client.scoreEpisodes(all[3], { features: true });
    expect(again.restarts).toBe(2);
    expect(again.contextTokensRun).toBeGreaterThan(0);
    expect(again.reusedTokens + again.contextTokensRun).toBe(again.items[0].contextTokens + again.items[1].contextTokens);
  });
});
