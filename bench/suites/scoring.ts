// Candidate-scoring throughput of the bundled model in the browser LLM worker (the path the
// trainer uses): one household prompt with B admissible actions, ℓ(a|s) plus φ/ψ features,
// on ORT-web wasm and WebGPU, with the KV-prefix path (context once, candidates on its cache)
// against the full path (every context+candidate row computed).
//
// Sized for bench/run.mjs's rule (at most half of the suite's time limit on a machine twice as
// slow as the one that wrote BENCHMARKS.md): on a software WebGPU adapter (SwiftShader, a CPU
// emulation) one batch size is timed once after a warm-up; a hardware adapter gets them all.

import { bundledModelPath, createBrowserBackboneClient } from '../../src/policy/backbone-browser';
import type { ScoreItem, ScoreStrategy } from '../../src/policy/backbone-types';
import { probeWebGpu } from '../../src/policy/device-choice';
import { BUNDLED_MODEL_ID } from '../../src/policy/model-catalogue';
import { buildMessages } from '../../src/policy/prompts';
import { timeIt, type BenchSuite } from '../suite-types';

const BATCHES = [1, 8, 32];
/** The one batch size timed on a software WebGPU adapter. */
const SOFTWARE_WEBGPU_BATCH = 8;
/** Calls per figure: a warm-up, then at least minReps and minMs of timed calls. */
const TIMING = { minReps: 2, minMs: 400, maxReps: 20 };
const SOFTWARE_TIMING = { minReps: 1, minMs: 0, maxReps: 1 };

const RECEPTACLES = ['cabinet', 'countertop', 'drawer', 'shelf', 'sinkbasin', 'fridge', 'microwave', 'stoveburner'];

function candidates(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) {
    const r = `${RECEPTACLES[i % RECEPTACLES.length]} ${1 + Math.floor(i / RECEPTACLES.length)}`;
    out.push(i % 3 === 0 ? `go to ${r}` : i % 3 === 1 ? `open ${r}` : `put mug 2 in/on ${r}`);
  }
  return out;
}

function batch(n: number): ScoreItem[] {
  const actions = candidates(n);
  const messages = buildMessages({
    env: 'household',
    goal: 'put a clean mug in coffeemachine.',
    initialObservation: 'You are in the middle of a room. Looking quickly around you, you see a cabinet 1, a cabinet 2, a coffeemachine 1, a countertop 1, a countertop 2, a drawer 1, a fridge 1, a microwave 1, a shelf 1, a sinkbasin 1, and a stoveburner 1.',
    history: [
      { action: 'go to countertop 1', observation: 'You arrive at countertop 1. On the countertop 1, you see a mug 2, a peppershaker 1, and a spatula 3.' },
      { action: 'take mug 2 from countertop 1', observation: 'You pick up the mug 2 from the countertop 1.' },
    ],
  });
  return [{ context: { messages }, candidates: actions }];
}

export const suite: BenchSuite = {
  name: 'scoring',
  where: 'browser',
  async run(ctx) {
    const about =
      'One household prompt (ChatML: instruction, task, 2 past steps, current observation; CONTEXT_TOKENS tokens) with B ' +
      'candidate actions of 5-10 tokens, scored in the browser LLM worker: ℓ(a|s) summed and length-normalised plus ' +
      'φ(s)/ψ(a) hidden-state features. "prefix KV" runs the context once and all candidates on its KV cache (two ONNX ' +
      'runs; what `strategy: auto` picks for B > 1); "full rows" runs every context+candidate row in one batch (what ' +
      'auto picks for B = 1). Times are per call, round trip through the worker included, feature cache disabled. ' +
      'On a software WebGPU adapter (SwiftShader, a CPU emulation) the figure shows the path works, not how fast a GPU ' +
      `is; only the prefix path at batch ${SOFTWARE_WEBGPU_BATCH} is timed there, one call after a warm-up, to keep the suite short.`;
    const contextTokens = { value: 0 };
    const describe = (): void => {
      const text = about.replace('CONTEXT_TOKENS', String(contextTokens.value || 'about 200'));
      ctx.describe('scoring', { title: 'Candidate scoring, bundled model: candidates/s', baseline: 'wasm full rows', about: text });
      ctx.describe('scoring-tokens', {
        title: 'Candidate scoring, bundled model: tokens/s (positions the model processed, padding included)',
        baseline: 'wasm full rows',
      });
    };
    const batches = ctx.quick ? [8] : BATCHES;
    const softwareGpu = (await probeWebGpu()).adapter?.isSoftware ?? true;
    for (const device of ['wasm', 'webgpu'] as const) {
      const slow = device === 'webgpu' && softwareGpu;
      // A 1-byte cache stores nothing, so every call runs the model.
      const client = createBrowserBackboneClient({ cacheBytes: 1 });
      try {
        const info = await client.load({ modelId: BUNDLED_MODEL_ID, source: 'local', device, dtype: 'fp32', localModelPath: bundledModelPath() });
        ctx.log(`scoring: ${device} loaded in ${info.loadMs.toFixed(0)} ms (warm-up ${info.warmupMs.toFixed(0)} ms)`);
        for (const B of slow ? batches.filter((b) => b === SOFTWARE_WEBGPU_BATCH) : batches) {
          const items = batch(B);
          const strategies: Array<[ScoreStrategy, string]> = device === 'wasm' ? [['prefix', 'prefix KV'], ['full', 'full rows']] : [['prefix', 'prefix KV']];
          for (const [strategy, label] of strategies) {
            let tokens = 0;
            const ms = await timeIt(async () => {
              const r = await client.score(items, { features: true, strategy });
              tokens = r.tokensProcessed;
              contextTokens.value = r.items[0].contextTokens;
            }, slow ? SOFTWARE_TIMING : TIMING);
            const impl = `${device} ${label}`;
            const shape = `batch ${B}`;
            ctx.record({ bench: 'scoring', impl, shape, per_s: (B / ms) * 1000, unit: 'candidates', ms });
            ctx.record({ bench: 'scoring-tokens', impl, shape, per_s: (tokens / ms) * 1000, unit: 'tokens', ms });
          }
        }
      } finally {
        await client.close();
      }
    }
    describe();
  },
};
