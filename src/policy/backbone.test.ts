// The bundled model through transformers.js on onnxruntime-node: offline loading, ℓ(a|s) against
// a float64 computation from the model's own logits, the KV-cache path against the full forward,
// features, generation, the worker-thread client, and the errors promised for broken folders.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env } from '@huggingface/transformers';
import { Backbone } from './backbone';
import type { ScoreItem, ScoreResult } from './backbone-types';
import { bundledModelDir, createNodeBackboneClient } from './backbone-node';
import { logSoftmax64 } from './decoder.ref';
import { BUNDLED_MODEL_ID } from './model-catalogue';
import { ModelError } from './model-errors';
import { fromHfConfig } from './decoder-arch';
import { initDecoderWeights } from './decoder-init';
import { writeDecoderOnnx } from './onnx-decoder-writer';
import { DataType, GraphBuilder } from './onnx-graph-builder';
import { buildMessages } from './prompts';
import { DEFAULT_MEMORY_BUDGET_BYTES } from './scoring-strategies';

const local = { modelId: BUNDLED_MODEL_ID, source: 'local' as const, device: 'cpu' as const, dtype: 'fp32', localModelPath: bundledModelDir() };

const household = buildMessages({
  env: 'household',
  goal: 'put a clean mug in coffeemachine.',
  initialObservation: 'You are in the middle of a room. Looking quickly around you, you see a cabinet 1, a countertop 1, and a sinkbasin 1.',
  history: [
    { action: 'go to countertop 1', observation: 'You arrive at countertop 1. On the countertop 1, you see a mug 2.' },
    { action: 'take mug 2 from countertop 1', observation: 'You pick up the mug 2 from the countertop 1.' },
  ],
  admissible: ['go to sinkbasin 1', 'go to cabinet 1', 'clean mug 2 with sinkbasin 1', 'inventory', 'look'],
});

const items: ScoreItem[] = [
  { context: { messages: household }, candidates: ['go to sinkbasin 1', 'clean mug 2 with sinkbasin 1', 'look', 'put mug 2 in/on coffeemachine 1'] },
  { context: { text: 'WebShop [SEP] Instruction: [SEP] i need a blue towel under 20 dollars [SEP] Search\nAction:', candidatePrefix: ' ', candidateSuffix: '\n' }, candidates: ['search[blue towel]', 'click[Buy Now]'] },
  // A second item with the same context as the first: the prefix strategy must share its row.
  { context: { messages: household }, candidates: ['inventory'] },
];

describe('Backbone (bundled model, onnxruntime-node)', () => {
  let bb: Backbone;
  const realFetch = env.fetch;

  beforeAll(async () => {
    // Offline means offline: any network access fails the load.
    env.fetch = (async (url: string) => {
      throw new Error(`network access attempted: ${url}`);
    }) as typeof env.fetch;
    const events: string[] = [];
    bb = await Backbone.load(local, (p) => events.push(p.status));
    expect(events).toContain('ready');
  });
  afterAll(async () => {
    env.fetch = realFetch;
    await bb?.dispose();
  });

  it('loads the committed model offline with hidden-state features and its chat template', () => {
    const config = JSON.parse(readFileSync(join(bundledModelDir(), BUNDLED_MODEL_ID, 'config.json'), 'utf8')) as { hidden_size: number; num_hidden_layers: number };
    expect(bb.info).toMatchObject({
      modelType: 'llama',
      hiddenSize: config.hidden_size,
      numLayers: config.num_hidden_layers,
      featureSource: 'hidden-state',
      featureDim: config.hidden_size,
      hasChatTemplate: true,
      endOfTurn: '<|im_end|>',
      supportsLogitsToKeep: true,
    });
    expect(env.allowRemoteModels).toBe(false);
  });

  async function reference(ctxIds: number[], candIds: number[]): Promise<number[]> {
    const ids = [...ctxIds, ...candIds];
    const { logits, dims } = await bb.forwardLogits(ids);
    const V = dims[2];
    return candIds.map((tok, t) => {
      const row = ctxIds.length - 1 + t;
      return logSoftmax64(logits.subarray(row * V, (row + 1) * V))[tok];
    });
  }

  let results: Record<'full' | 'prefix', ScoreResult>;
  beforeAll(async () => {
    results = {
      full: await bb.score(items, { strategy: 'full', features: true, tokenLogprobs: true }),
      prefix: await bb.score(items, { strategy: 'prefix', features: true, tokenLogprobs: true }),
    };
  });

  it('ℓ(a|s) equals a float64 log-softmax of the model\u2019s own logits (summed and length-normalised), on both paths', async () => {
    let worst = 0;
    for (const [i, item] of items.entries()) {
      const frame = bb.frameFor(item.context);
      const ctxIds = bb.encode(frame.context, !('messages' in item.context));
      for (const [j, a] of item.candidates.entries()) {
        const candIds = bb.encode(frame.candidatePrefix + a + frame.candidateSuffix, false);
        const ref = await reference(ctxIds, candIds);
        const sum = ref.reduce((x, y) => x + y, 0);
        for (const strategy of ['full', 'prefix'] as const) {
          const got = results[strategy].items[i].candidates[j];
          expect(got.tokens).toBe(candIds.length);
          worst = Math.max(worst, Math.abs(got.logprobSum - sum), Math.abs(got.logprobMean - sum / candIds.length));
          ref.forEach((r, t) => (worst = Math.max(worst, Math.abs(got.tokenLogprobs![t] - r))));
        }
      }
    }
    expect(worst).toBeLessThan(1e-4);
    // The chat frame closes each reply with <|im_end|>, so "look" is two scored tokens.
    expect(results.full.items[0].candidates[2].tokens).toBe(2);
  });

  it('the KV-cache (prefix) path reproduces the full forward: log-probs and features', () => {
    const { full, prefix } = results;
    expect(full.strategy).toBe('full');
    expect(prefix.strategy).toBe('prefix');
    // Two distinct contexts: the shared one is computed once.
    expect(prefix.tokensProcessed).toBeLessThan(full.tokensProcessed);
    let worst = 0;
    full.items.forEach((item, i) => {
      const p = prefix.items[i];
      const dim = bb.info.featureDim;
      expect(item.phi).toHaveLength(dim);
      for (let k = 0; k < dim; k++) worst = Math.max(worst, Math.abs(item.phi![k] - p.phi![k]));
      item.candidates.forEach((c, j) => {
        const q = p.candidates[j];
        for (let t = 0; t < c.tokens; t++) worst = Math.max(worst, Math.abs(c.tokenLogprobs![t] - q.tokenLogprobs![t]));
        for (let k = 0; k < dim; k++) worst = Math.max(worst, Math.abs(c.psi![k] - q.psi![k]));
      });
    });
    expect(worst).toBeLessThan(1e-4);
    // Different candidates get different features; the same context gets the same φ.
    expect(full.items[0].candidates[0].psi).not.toEqual(full.items[0].candidates[1].psi);
    const samePhi = full.items[2].phi!.reduce((m, v, k) => Math.max(m, Math.abs(v - full.items[0].phi![k])), 0);
    expect(samePhi).toBeLessThan(1e-5);
  });

  it('the prefix path split into chunks by a small memory budget scores exactly like one pass', async () => {
    const whole = results.prefix.memory!;
    // The default budget holds this batch: one pass over the two distinct contexts, one over all candidates.
    expect(whole).toMatchObject({ budgetBytes: DEFAULT_MEMORY_BUDGET_BYTES, contextPasses: 1, candidatePasses: 1 });
    expect(whole.peakBytes).toBeLessThanOrEqual(DEFAULT_MEMORY_BUDGET_BYTES);
    // Budgets below what the single pass held force both kinds of split: contexts into groups
    // (item 2 shares item 0's context, so it must follow it into its group) and candidates into chunks.
    for (const fraction of [0.5, 0.25]) {
      const budget = Math.floor(whole.peakBytes * fraction);
      const chunked = await bb.score(items, { strategy: 'prefix', features: true, tokenLogprobs: true, memoryBudgetBytes: budget });
      const m = chunked.memory!;
      expect(m.budgetBytes).toBe(budget);
      expect(m.peakBytes).toBeLessThanOrEqual(budget);
      expect(m.candidatePasses).toBeGreaterThan(1);
      if (fraction === 0.25) expect(m.contextPasses).toBe(2);
      // Another context grouping pads to another length, which moves float32 sums by a few ulps of
      // log-probabilities around 5–10: 1e-6 held for the seeded model, the trained one reads 1.3e-6.
      expect(maxScoreDiff(results.prefix, chunked)).toBeLessThan(5e-6);
    }
  });

  it('greedy generate() (transformers.js\u2019 incremental KV loop) picks the argmax of full-forward logits at every step', async () => {
    const context = { text: 'You arrive at countertop 1. On the countertop 1, you see a mug 2.\nAction:' };
    const out = await bb.generate({ context, maxNewTokens: 6, temperature: 0, stop: [] });
    // The trained model may end its turn early: generation stops after the end-of-sequence token.
    const ids = bb.encode(context.text, true);
    for (let step = 0; step < 6; step++) {
      const { logits, dims } = await bb.forwardLogits(ids);
      const V = dims[2];
      const last = logits.subarray((ids.length - 1) * V, ids.length * V);
      let best = 0;
      for (let v = 1; v < V; v++) if (last[v] > last[best]) best = v;
      ids.push(best);
      if (bb.info.eosTokenIds.includes(best)) break;
    }
    expect(out.tokens).toBe(ids.length - bb.encode(context.text, true).length);
    expect(out.text).toBe(decodeTail(ids, bb, context.text));
  });

  it('samples reproducibly with a seed and honours stop strings', async () => {
    const context = { messages: household };
    const a = await bb.generate({ context, maxNewTokens: 12, temperature: 1, topK: 50, topP: 0.95, seed: 7 });
    const b = await bb.generate({ context, maxNewTokens: 12, temperature: 1, topK: 50, topP: 0.95, seed: 7 });
    expect(a).toMatchObject({ text: b.text, tokens: b.tokens });
    expect(a.text.includes('\n')).toBe(false);
    expect(['stop', 'eos', 'length']).toContain(a.finishReason);
  });

  it('rejects empty input with clear messages', async () => {
    await expect(bb.score([{ context: { messages: household }, candidates: [] }])).rejects.toThrow(/no candidate actions/);
    await expect(bb.score([{ context: { messages: household }, candidates: [''] }])).resolves.toBeTruthy(); // '' + <|im_end|> is one token
    await expect(bb.score([{ context: { text: 'x' }, candidates: [''] }])).rejects.toThrow(/Candidate 0 of item 0 is empty/);
    await expect(bb.score([])).rejects.toThrow(/batch is empty/);
  });
});

/** The text greedy decoding should return for `ids` (stop at nothing, strip like generate does). */
function decodeTail(ids: number[], bb: Backbone, contextText: string): string {
  const prompt = bb.encode(contextText, true).length;
  return bb.decode(ids.slice(prompt)).trim();
}

/** Largest difference in log-probs (summed, mean, per token), φ and ψ between two results of one batch. */
function maxScoreDiff(a: ScoreResult, b: ScoreResult): number {
  let worst = 0;
  const diff = (x: ArrayLike<number> | undefined, y: ArrayLike<number> | undefined): void => {
    expect(y?.length).toBe(x?.length);
    for (let k = 0; k < (x?.length ?? 0); k++) worst = Math.max(worst, Math.abs(x![k] - y![k]));
  };
  a.items.forEach((item, i) => {
    diff(item.phi, b.items[i].phi);
    item.candidates.forEach((c, j) => {
      const d = b.items[i].candidates[j];
      worst = Math.max(worst, Math.abs(c.logprobSum - d.logprobSum), Math.abs(c.logprobMean - d.logprobMean));
      diff(c.tokenLogprobs, d.tokenLogprobs);
      diff(c.psi, d.psi);
    });
  });
  return worst;
}

describe('broken model folders give typed, actionable errors', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'stepwise-broken-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  function copy(name: string): string {
    const dir = join(root, name);
    cpSync(join(bundledModelDir(), BUNDLED_MODEL_ID), dir, { recursive: true });
    return dir;
  }

  async function loadError(name: string): Promise<ModelError> {
    try {
      const bb = await Backbone.load({ ...local, modelId: name, localModelPath: root });
      await bb.dispose();
    } catch (e) {
      expect(e).toBeInstanceOf(ModelError);
      return e as ModelError;
    }
    throw new Error(`loading ${name} unexpectedly succeeded`);
  }

  it('missing onnx/model.onnx', async () => {
    unlinkSync(join(copy('no-weights'), 'onnx', 'model.onnx'));
    const e = await loadError('no-weights');
    expect(e.kind).toBe('missing-file');
    expect(e.file).toBe('onnx/model.onnx');
    expect(e.message).toMatch(/Model "no-weights" is missing the file "onnx\/model\.onnx"/);
  });

  it('missing tokenizer.json', async () => {
    unlinkSync(join(copy('no-tokenizer'), 'tokenizer.json'));
    const e = await loadError('no-tokenizer');
    expect(e.kind).toBe('missing-file');
    expect(e.message).toMatch(/tokenizer\.json/);
  });

  it('corrupt ONNX (truncated file)', async () => {
    const path = join(copy('truncated'), 'onnx', 'model.onnx');
    writeFileSync(path, readFileSync(path).subarray(0, 100_000));
    const e = await loadError('truncated');
    expect(e.kind).toBe('corrupt-model');
    expect(e.message).toMatch(/"onnx\/model\.onnx" of model "truncated" is damaged/);
  });

  it('corrupt config.json', async () => {
    writeFileSync(join(copy('bad-config'), 'config.json'), '{"model_type": "llama", ');
    const e = await loadError('bad-config');
    expect(e.kind).toBe('corrupt-model');
    expect(e.message).toMatch(/config\.json/);
  });

  it('unsupported architecture (an encoder, and a decoder exported without a KV cache)', async () => {
    const dir = copy('encoder');
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, model_type: 'bert', architectures: ['BertModel'] }));
    const e = await loadError('encoder');
    expect(e.kind).toBe('unsupported-architecture');
    expect(e.message).toMatch(/"bert" model/);

    const noKv = copy('no-kv');
    writeFileSync(join(noKv, 'onnx', 'model.onnx'), tinyGraph('identity'));
    const e2 = await loadError('no-kv');
    expect(e2.kind).toBe('unsupported-architecture');
    expect(e2.message).toMatch(/without a KV cache/);
  });

  it('out of memory at warm-up', async () => {
    const dir = copy('oom');
    writeFileSync(join(dir, 'onnx', 'model.onnx'), tinyGraph('huge'));
    const e = await loadError('oom');
    expect(e.kind).toBe('out-of-memory');
    expect(e.message).toMatch(/Out of memory while running "oom"/);
  });
});

/**
 * Minimal graphs for the error tests. 'identity': logits without any cache inputs.
 * 'huge': a cache-shaped graph whose logits need ~4 TB, so the first run fails to allocate.
 */
function tinyGraph(kind: 'identity' | 'huge'): Uint8Array {
  const g = new GraphBuilder();
  const ids = g.input('input_ids', DataType.INT64, ['batch_size', 'sequence_length']);
  g.input('attention_mask', DataType.INT64, ['batch_size', 'total_sequence_length']);
  if (kind === 'huge') g.input('past_key_values.0.key', DataType.FLOAT, ['batch_size', 4, 'past_sequence_length', 32]);
  const asFloat = g.op('Cast', [ids], { to: { kind: 'int', value: DataType.FLOAT } });
  const column = g.op('Unsqueeze', [asFloat, g.int64([2])]); // [B, S, 1]
  const logits = kind === 'huge' ? g.op('Expand', [column, g.int64([1, 1, 2 ** 40])]) : column;
  g.node('Identity', [logits], { outputs: ['logits'] });
  g.output('logits', DataType.FLOAT, ['batch_size', 'sequence_length', 'vocab']);
  return g.serialize({ graphName: kind, producer: 'test', opset: 17, irVersion: 8 });
}

describe('hub-style graphs (no last_hidden_state output, no num_logits_to_keep input)', () => {
  it('score exactly like the full contract and fall back to deterministic logit-sketch features', async () => {
    const root = mkdtempSync(join(tmpdir(), 'stepwise-hubstyle-'));
    try {
      const arch = fromHfConfig(JSON.parse(readFileSync(join(bundledModelDir(), BUNDLED_MODEL_ID, 'config.json'), 'utf8')));
      const weights = initDecoderWeights(arch, { seed: 99, std: 0.1 });
      for (const [name, options] of [['standard', {}], ['hubstyle', { hiddenStateOutput: false, logitsToKeepInput: false }]] as const) {
        const dir = join(root, name);
        cpSync(join(bundledModelDir(), BUNDLED_MODEL_ID), dir, { recursive: true });
        writeFileSync(join(dir, 'onnx', 'model.onnx'), writeDecoderOnnx(arch, weights, options));
      }
      const load = (modelId: string) => Backbone.load({ ...local, modelId, localModelPath: root });
      const standard = await load('standard');
      const hub = await load('hubstyle');
      try {
        expect(hub.info).toMatchObject({ featureSource: 'logit-sketch', featureDim: 256, supportsLogitsToKeep: false });
        const want = await standard.score(items, { strategy: 'full' });
        const full = await hub.score(items, { strategy: 'full', features: true });
        const prefix = await hub.score(items, { strategy: 'prefix', features: true });
        let worst = 0;
        want.items.forEach((item, i) =>
          item.candidates.forEach((c, j) => {
            worst = Math.max(worst, Math.abs(c.logprobSum - full.items[i].candidates[j].logprobSum), Math.abs(c.logprobSum - prefix.items[i].candidates[j].logprobSum));
            const a = full.items[i].candidates[j].psi!;
            const b = prefix.items[i].candidates[j].psi!;
            expect(a).toHaveLength(256);
            a.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - b[k]))));
          }),
        );
        full.items[0].phi!.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - prefix.items[0].phi![k]))));
        expect(worst).toBeLessThan(1e-4);
        expect(full.items[0].candidates[0].psi).not.toEqual(full.items[0].candidates[1].psi);
        const again = await hub.score(items, { strategy: 'full', features: true });
        expect(again.items[0].candidates[0].psi).toEqual(full.items[0].candidates[0].psi);
      } finally {
        await standard.dispose();
        await hub.dispose();
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('worker-thread client (the same loop the browser Worker runs)', () => {
  it('scores like the in-process backbone, serialises concurrent calls, caches features and frees the worker on switch', async () => {
    const client = createNodeBackboneClient({ cacheBytes: 1 << 20 });
    try {
      const info = await client.load(local);
      expect(info.featureSource).toBe('hidden-state');
      const direct = await Backbone.load(local);
      const expected = await direct.score(items, { features: true });
      await direct.dispose();
      // Three calls issued at once resolve in order with the right answers.
      const [a, b, c] = await Promise.all([
        client.score(items, { features: true }),
        client.score([items[1]], { features: true }),
        client.generate({ context: { messages: household }, maxNewTokens: 4, temperature: 0 }),
      ]);
      expect(a.cacheHits).toBe(0);
      a.items.forEach((item, i) => item.candidates.forEach((cand, j) => expect(cand.logprobSum).toBeCloseTo(expected.items[i].candidates[j].logprobSum, 5)));
      expect(b.cacheHits).toBe(2);
      expect(b.items[0].phi).toEqual(a.items[1].phi);
      expect(c.tokens).toBeGreaterThan(0);
      expect(client.cache.bytes).toBeGreaterThan(0);
      expect(client.cache.bytes).toBeLessThanOrEqual(1 << 20);

      // Switching models terminates the worker; a failed load leaves no model behind.
      await expect(client.load({ ...local, modelId: 'does-not-exist' })).rejects.toMatchObject({ kind: 'missing-file' });
      expect(client.info).toBeNull();
      await expect(client.score(items)).rejects.toThrow(/No model is loaded/);
      const again = await client.load(local);
      expect(again.modelId).toBe(BUNDLED_MODEL_ID);
      expect(client.cache.size).toBe(0);
    } finally {
      await client.close();
    }
  });
});
