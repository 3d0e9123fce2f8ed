// The writer's graph against the float64 reference, run directly on onnxruntime-node (the
// runtime transformers.js uses in Node), including padding, KV-cache continuation, grouped KV
// heads, q/k/v biases, untied heads and num_logits_to_keep.

import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import type { DecoderArch, DecoderWeights } from './decoder-arch';
import { initDecoderWeights } from './decoder-init';
import { referenceForward } from './decoder.ref';
import { writeDecoderOnnx } from './onnx-decoder-writer';

const base: DecoderArch = {
  vocabSize: 61,
  hiddenSize: 32,
  intermediateSize: 48,
  numLayers: 2,
  numHeads: 4,
  numKvHeads: 4,
  headDim: 8,
  rmsNormEps: 1e-5,
  ropeTheta: 10000,
  maxPositions: 128,
  tieWordEmbeddings: true,
  attentionBias: false,
};

type Feeds = Record<string, ort.Tensor>;

function i64(rows: number[][]): ort.Tensor {
  return new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0].length]);
}

function emptyPast(arch: DecoderArch, batch: number): Feeds {
  const feeds: Feeds = {};
  for (let i = 0; i < arch.numLayers; i++) {
    for (const kind of ['key', 'value']) {
      feeds[`past_key_values.${i}.${kind}`] = new ort.Tensor('float32', new Float32Array(0), [batch, arch.numKvHeads, 0, arch.headDim]);
    }
  }
  return feeds;
}

/** Right-padded batch of sequences, positions = cumsum(mask) - 1 as transformers.js builds them. */
function batchFeeds(arch: DecoderArch, seqs: number[][], keep = 0): Feeds {
  const L = Math.max(...seqs.map((s) => s.length));
  const ids = seqs.map((s) => [...s, ...Array(L - s.length).fill(0)]);
  const mask = seqs.map((s) => Array.from({ length: L }, (_, t) => (t < s.length ? 1 : 0)));
  const pos = seqs.map((s) => Array.from({ length: L }, (_, t) => (t < s.length ? t : 1)));
  return {
    input_ids: i64(ids),
    attention_mask: i64(mask),
    position_ids: i64(pos),
    num_logits_to_keep: new ort.Tensor('int64', BigInt64Array.from([BigInt(keep)]), []),
    ...emptyPast(arch, seqs.length),
  };
}

async function session(arch: DecoderArch, weights: DecoderWeights): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(writeDecoderOnnx(arch, weights));
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const seqs = [
  [3, 17, 42, 5, 9, 60, 11],
  [8, 2, 33],
  [1, 1, 59, 20, 7],
];

describe('writeDecoderOnnx', () => {
  const variants: Array<[string, Partial<DecoderArch>]> = [
    ['tied, MHA', {}],
    ['untied, grouped KV (4 heads / 2 kv), q/k/v bias', { tieWordEmbeddings: false, numKvHeads: 2, attentionBias: true }],
  ];
  for (const [label, overrides] of variants) {
    it(`matches the float64 reference on a padded batch (${label})`, async () => {
      const arch = { ...base, ...overrides };
      const weights = initDecoderWeights(arch, { seed: 11, std: 0.3, normJitter: 0.2 });
      const sess = await session(arch, weights);
      const out = await sess.run(batchFeeds(arch, seqs));
      const logits = out.logits;
      const L = logits.dims[1];
      expect(logits.dims).toEqual([seqs.length, 7, arch.vocabSize]);
      expect(out.last_hidden_state.dims).toEqual([seqs.length, 7, arch.hiddenSize]);
      expect(out['present.1.value'].dims).toEqual([seqs.length, arch.numKvHeads, 7, arch.headDim]);
      const data = logits.data as Float32Array;
      let worst = 0;
      let spread = 0;
      seqs.forEach((s, b) => {
        const ref = referenceForward(arch, weights, s);
        s.forEach((_, t) => {
          const row = data.subarray((b * L + t) * arch.vocabSize, (b * L + t + 1) * arch.vocabSize);
          worst = Math.max(worst, maxAbsDiff(row, ref.logits[t]));
          spread = Math.max(spread, Math.max(...ref.logits[t]) - Math.min(...ref.logits[t]));
        });
      });
      expect(spread).toBeGreaterThan(1); // the fixture is not degenerate
      expect(worst).toBeLessThan(2e-4);
    });
  }

  it('continues from a KV cache exactly like the full forward, and honours num_logits_to_keep', async () => {
    const arch = { ...base, numKvHeads: 2 };
    const weights = initDecoderWeights(arch, { seed: 5, std: 0.3 });
    const sess = await session(arch, weights);
    const seq = seqs[0];
    const full = await sess.run(batchFeeds(arch, [seq]));
    const split = 4;
    const first = await sess.run(batchFeeds(arch, [seq.slice(0, split)], 1));
    expect(first.logits.dims).toEqual([1, 1, arch.vocabSize]);
    const past: Feeds = {};
    for (let i = 0; i < arch.numLayers; i++) {
      past[`past_key_values.${i}.key`] = first[`present.${i}.key`];
      past[`past_key_values.${i}.value`] = first[`present.${i}.value`];
    }
    const rest = seq.slice(split);
    const second = await sess.run({
      input_ids: i64([rest]),
      attention_mask: i64([seq.map(() => 1)]),
      position_ids: i64([rest.map((_, j) => split + j)]),
      num_logits_to_keep: new ort.Tensor('int64', BigInt64Array.from([0n]), []),
      ...past,
    });
    const V = arch.vocabSize;
    const fullData = full.logits.data as Float32Array;
    const incremental = second.logits.data as Float32Array;
    expect(maxAbsDiff(incremental, fullData.subarray(split * V, seq.length * V))).toBeLessThan(1e-5);
    expect(maxAbsDiff(first.logits.data as Float32Array, fullData.subarray((split - 1) * V, split * V))).toBeLessThan(1e-5);
  });

  it('gives the same bytes for the same weights and rejects mismatched weights with a clear message', () => {
    const weights = initDecoderWeights(base, { seed: 3 });
    const a = writeDecoderOnnx(base, weights);
    const b = writeDecoderOnnx(base, initDecoderWeights(base, { seed: 3 }));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const broken = { ...weights };
    delete broken['model.layers.1.mlp.up_proj.weight'];
    broken['model.layers.0.self_attn.q_proj.weight'] = { shape: [8, 32], data: new Float32Array(256) };
    expect(() => writeDecoderOnnx(base, broken)).toThrow(/missing model\.layers\.1\.mlp\.up_proj\.weight.*|q_proj\.weight has shape \[8, 32\]/);
    expect(() => writeDecoderOnnx({ ...base, numKvHeads: 3 }, weights)).toThrow(/multiple of numKvHeads/);
  });
});
