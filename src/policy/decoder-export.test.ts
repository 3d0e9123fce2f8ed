// The export round trip: a tiny decoder trained a few SFT-style steps by the WGSL step, written
// as a model folder, loaded by transformers.js on onnxruntime-node (as the backbone loads the
// bundled model) gives the logits the WGSL forward gives on the same tokens; its
// model.safetensors loads back into a GPU model bit for bit.

import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { testGpu } from '../gpu/testing';
import { Transformer } from '../nn/transformer';
import { decodeTransformerWeights } from '../nn/transformer-params';
import type { TransformerBatch } from '../nn/transformer.ref';
import { Backbone } from './backbone';
import { bundledModelDir } from './backbone-node';
import type { DecoderArch } from './decoder-arch';
import { decoderArchOf, exportDecoderFiles } from './decoder-export';
import { initDecoderWeights } from './decoder-init';
import { BUNDLED_MODEL_ID } from './model-catalogue';

// The bundled tokenizer's vocabulary, so the folder is a complete model transformers.js loads.
const arch: DecoderArch = decoderArchOf({
  vocabSize: 4096, hiddenSize: 32, intermediateSize: 48, numLayers: 2, numHeads: 4, numKvHeads: 2, headDim: 8,
  rmsNormEps: 1e-5, ropeTheta: 10000, tieWordEmbeddings: true, attentionBias: true,
}, 256);

/** Sequences of token ids whose second half carries the loss (as SFT masks the action). */
function sftBatch(seqs: number[][]): TransformerBatch {
  return {
    tokens: seqs.flat(),
    lengths: seqs.map((s) => s.length),
    lossMask: seqs.flatMap((s) => s.map((_, t) => (t >= s.length / 2 ? 1 : 0))),
  };
}

const train = [
  [5, 300, 301, 302, 17, 40, 2],
  [9, 300, 77, 1000, 1001, 2],
  [12, 13, 14, 15, 16, 17, 18, 19, 20, 2],
];
const probe = [5, 300, 301, 302, 17, 40, 2, 9, 4000, 12];

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('export of trained weights to transformers.js', () => {
  const root = mkdtempSync(join(tmpdir(), 'stepwise-export-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('transformers.js logits match the WGSL forward within 1e-4 after SFT steps; safetensors reload exactly', async () => {
    const gpu = await testGpu();
    const model = await Transformer.create(gpu, arch, { weights: initDecoderWeights(arch, { seed: 3, std: 0.1, normJitter: 0.1 }) }, { adam: { lr: 2e-2 } });
    try {
      const plan = await model.plan({ maxTokens: 32, backward: true });
      const evalPlan = await model.plan({ maxTokens: 32, backward: false });
      const before = await evalPlan.logits({ tokens: probe, lengths: [probe.length] });
      const losses: number[] = [];
      for (let s = 0; s < 6; s++) losses.push((await plan.step(sftBatch(train))).loss);
      expect(losses[5]).toBeLessThan(losses[0]);
      const wgsl = await evalPlan.logits({ tokens: probe, lengths: [probe.length] });
      expect(maxAbsDiff(wgsl, before), 'training moved the logits').toBeGreaterThan(1e-2);

      const weights = await model.exportWeights();
      const bundled = join(bundledModelDir(), BUNDLED_MODEL_ID);
      const bundledConfig = JSON.parse(readFileSync(join(bundled, 'config.json'), 'utf8'));
      const files = exportDecoderFiles(arch, weights, {
        tokens: { bos: bundledConfig.bos_token_id, eos: bundledConfig.eos_token_id, pad: bundledConfig.pad_token_id },
        passThrough: Object.fromEntries(['tokenizer.json', 'tokenizer_config.json', 'generation_config.json'].map((f) => [f, readFileSync(join(bundled, f))])),
        configExtra: { stepwise: { weights: 'export round-trip test' } },
      });
      expect(Object.keys(files).sort()).toEqual(['config.json', 'generation_config.json', 'model.safetensors', 'onnx/model.onnx', 'tokenizer.json', 'tokenizer_config.json']);
      const dir = join(root, 'trained-tiny');
      for (const [path, bytes] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), bytes);
      }

      const bb = await Backbone.load({ modelId: 'trained-tiny', source: 'local', device: 'cpu', dtype: 'fp32', localModelPath: root });
      try {
        expect(bb.info).toMatchObject({ modelType: 'llama', hiddenSize: 32, numLayers: 2 });
        const { logits, dims } = await bb.forwardLogits(probe);
        expect(dims).toEqual([1, probe.length, arch.vocabSize]);
        const diff = maxAbsDiff(logits, wgsl);
        expect(diff, `max |transformers.js − WGSL| = ${diff}`).toBeLessThan(1e-4);
      } finally {
        await bb.dispose();
      }

      const { weights: reread } = decodeTransformerWeights(arch, files['model.safetensors']);
      for (const [name, t] of Object.entries(weights)) expect(Array.from(reread[name].data), name).toEqual(Array.from(t.data));
      const fresh = await Transformer.create(gpu, arch, { seed: 9 });
      try {
        fresh.loadWeightsFile(files['model.safetensors']);
        const again = await (await fresh.plan({ maxTokens: 32, backward: false })).logits({ tokens: probe, lengths: [probe.length] });
        expect(Array.from(again)).toEqual(Array.from(wgsl));
      } finally {
        fresh.destroy();
      }
    } finally {
      model.destroy();
    }
  });
});
