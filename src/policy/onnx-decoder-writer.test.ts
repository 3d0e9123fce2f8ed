// The writer's graph against the float64 reference, run directly on onnxruntime-node (the
// runtime transformers.js uses in Node), including padding, KV-cache continuation, grouped KV
// heads, q/k/v biases, untied heads, num_logits_to_keep, token_logprobs, tree_logprobs,
// new_key_values and range attention (a context's candidates as a trie in one row after its
// cache); a trie row also on ORT-web's wasm backend, the browser's CPU path.

import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import type { DecoderArch, DecoderWeights } from './decoder-arch';
import { initDecoderWeights } from './decoder-init';
import { logSoftmax64, referenceForward } from './decoder.ref';
import { layoutTrie } from './candidate-trie';
import { readDecoderOnnxWeights } from './onnx-decoder-reader';
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
    // new_key_values is the call's own part of present: its last sequence_length positions.
    const { numKvHeads: KV, headDim: hd } = arch;
    for (let i = 0; i < arch.numLayers; i++) {
      for (const kind of ['key', 'value']) {
        const present = second[`present.${i}.${kind}`];
        const own = second[`new_key_values.${i}.${kind}`];
        expect(own.dims).toEqual([1, KV, rest.length, hd]);
        const p = present.data as Float32Array;
        const o = own.data as Float32Array;
        for (let h = 0; h < KV; h++) {
          expect(maxAbsDiff(o.subarray(h * rest.length * hd, (h + 1) * rest.length * hd), p.subarray((h * seq.length + split) * hd, (h + 1) * seq.length * hd))).toBe(0);
        }
      }
    }
  });

  it('token_logprobs is the log-softmax of the kept logits at the next input token', async () => {
    const arch = base;
    const weights = initDecoderWeights(arch, { seed: 7, std: 0.3 });
    const sess = await session(arch, weights);
    const V = arch.vocabSize;
    for (const keep of [0, 3]) {
      const out = await sess.run(batchFeeds(arch, seqs, keep));
      const K = out.logits.dims[1];
      expect(out.token_logprobs.dims).toEqual([seqs.length, K]);
      const logits = out.logits.data as Float32Array;
      const lp = out.token_logprobs.data as Float32Array;
      const L = 7;
      seqs.forEach((s, b) => {
        for (let k = 0; k < K; k++) {
          const pos = L - K + k;
          if (pos + 1 >= s.length) continue; // padding or the last token: no next input to score
          const ref = logSoftmax64(logits.subarray((b * K + k) * V, (b * K + k + 1) * V));
          expect(Math.abs(lp[b * K + k] - ref[s[pos + 1]])).toBeLessThan(1e-5);
        }
      });
    }
  });

  it('tree_logprobs is 0 under a 0/1 mask (no position has a ranged parent), whatever num_logits_to_keep says', async () => {
    const arch = base;
    const sess = await session(arch, initDecoderWeights(arch, { seed: 7, std: 0.3 }));
    for (const keep of [0, 1, 3]) {
      const out = await sess.run(batchFeeds(arch, seqs, keep));
      expect(out.tree_logprobs.dims).toEqual([seqs.length, 7]);
      expect([...(out.tree_logprobs.data as Float32Array)].every((v) => v === 0)).toBe(true);
    }
  });

  for (const leaves of [true, false]) {
    it(`range attention: candidates laid out as a trie (${leaves ? 'with' : 'without'} leaves) after a shared (cached, left-padded) context each score as if alone`, async () => {
      const arch = { ...base, numKvHeads: 2, attentionBias: true };
      const weights = initDecoderWeights(arch, { seed: 13, std: 0.3, normJitter: 0.2 });
      const sess = await session(arch, weights);
      const V = arch.vocabSize;
      const contexts = [[3, 17, 42, 5], [8, 2, 33, 40, 41, 12]];
      // Shared leading tokens, a candidate that is a prefix of another, single tokens, a duplicate.
      const candidates = [
        [[9, 60, 11], [9, 60, 12], [9], [30, 31, 32, 33], [9, 59]],
        [[4, 4], [50, 51, 52], [4, 4, 7], [50, 51, 52]],
      ];
      // The row re-runs each context's last token as the trie root; the cache holds the rest.
      const heads = contexts.map((c) => c.slice(0, -1));
      const caches = await Promise.all(heads.map((c) => sess.run(batchFeeds(arch, [c], 1))));
      const layouts = contexts.map((c, b) => layoutTrie(c[c.length - 1], candidates[b], { leaves }));
      const P = Math.max(...heads.map((c) => c.length));
      const S = Math.max(...layouts.map((l) => l.tokens.length));
      const past: Feeds = {};
      for (let i = 0; i < arch.numLayers; i++) {
        for (const kind of ['key', 'value']) {
          const per = arch.numKvHeads * P * arch.headDim;
          const data = new Float32Array(heads.length * per);
          heads.forEach((c, b) => {
            const src = caches[b][`present.${i}.${kind}`].data as Float32Array;
            for (let h = 0; h < arch.numKvHeads; h++) {
              data.set(src.subarray(h * c.length * arch.headDim, (h + 1) * c.length * arch.headDim), ((b * arch.numKvHeads + h) * P + P - c.length) * arch.headDim);
            }
          });
          past[`past_key_values.${i}.${kind}`] = new ort.Tensor('float32', data, [heads.length, arch.numKvHeads, P, arch.headDim]);
        }
      }
      const pad = (xs: number[], fill: number): number[] => [...xs, ...Array(S - xs.length).fill(fill)];
      const feeds = (mask: number[][], keep = 0): Feeds => ({
        input_ids: i64(layouts.map((l) => pad(l.tokens, 0))),
        attention_mask: i64(mask),
        position_ids: i64(layouts.map((l, b) => pad(l.depth.map((d) => heads[b].length + d), 0))),
        num_logits_to_keep: new ort.Tensor('int64', BigInt64Array.from([BigInt(keep)]), []),
        ...past,
      });
      const mask = heads.map((c, b) => [...Array.from({ length: P }, (_, t): number => (t >= P - c.length ? 1 : 0)), ...pad(layouts[b].visibleUntil.map((u) => 2 + u), 0)]);
      const out = await sess.run(feeds(mask));
      const logits = out.logits.data as Float32Array;
      // tree_logprobs does not depend on the kept logits: keep one row, as trie passes do.
      const kept1 = await sess.run(feeds(mask, 1));
      expect(kept1.logits.dims).toEqual([contexts.length, 1, V]);
      expect(maxAbsDiff(kept1.tree_logprobs.data as Float32Array, out.tree_logprobs.data as Float32Array)).toBe(0);
      const tree = kept1.tree_logprobs.data as Float32Array;
      let worst = 0;
      let worstLp = 0;
      let worstTree = 0;
      let compared = 0;
      contexts.forEach((c, b) => {
        candidates[b].forEach((cand, j) => {
          const ref = referenceForward(arch, weights, [...c, ...cand]);
          const { parent, at } = layouts[b].paths[j];
          cand.forEach((tok, t) => {
            // The parent's row carries the logits after the candidate's first t tokens.
            const row = logits.subarray((b * S + parent[t]) * V, (b * S + parent[t] + 1) * V);
            worst = Math.max(worst, maxAbsDiff(row, ref.logits[c.length - 1 + t]));
            worstLp = Math.max(worstLp, Math.abs(logSoftmax64(row)[tok] - logSoftmax64(ref.logits[c.length - 1 + t])[tok]));
            if (at[t] >= 0) {
              worst = Math.max(worst, maxAbsDiff(logits.subarray((b * S + at[t]) * V, (b * S + at[t] + 1) * V), ref.logits[c.length + t]));
              // The node's own tree_logprobs entry scores it from its parent's logits.
              worstTree = Math.max(worstTree, Math.abs(tree[b * S + at[t]] - logSoftmax64(ref.logits[c.length - 1 + t])[tok]));
            } else expect(leaves).toBe(false);
            compared++;
          });
        });
      });
      expect(compared).toBe(candidates.flat(2).length);
      // Shared tokens were written once (and leaves left out on request).
      // Nodes r 9 60 11 12 59 30 31 32 33; without the leaves (11 12 59 33): r 9 60 30 31 32.
      expect(layouts[0].tokens.length).toBe(leaves ? 10 : 6);
      expect(worst).toBeLessThan(2e-4);
      expect(worstLp).toBeLessThan(2e-4);
      expect(worstTree).toBeLessThan(2e-4);
      // The root's parent is in the cache, not in this call: nothing to score it from; nor pads.
      layouts.forEach((l, b) => {
        expect(tree[b * S]).toBe(0);
        for (let k = l.tokens.length; k < S; k++) expect(tree[b * S + k]).toBe(0);
      });
      // With every range value turned into 1 (one causal row) later nodes see earlier subtrees and differ.
      const causal = await sess.run(feeds(mask.map((m) => m.map((v) => (v > 0 ? 1 : 0)))));
      const j = layouts[0].paths[3].at[0]; // the node of 30, after the 9… subtree
      expect(maxAbsDiff((causal.logits.data as Float32Array).subarray(j * V, (j + 1) * V), logits.subarray(j * V, (j + 1) * V))).toBeGreaterThan(1e-3);
    });
  }

  it('a trie row with tree_logprobs runs on ORT-web\'s wasm backend (the browser\'s CPU path) as on onnxruntime-node', async () => {
    const arch = { ...base, numKvHeads: 2 };
    const bytes = writeDecoderOnnx(arch, initDecoderWeights(arch, { seed: 17, std: 0.3 }));
    // The context's tokens shared, then its candidates as a trie rooted at its last token.
    const context = [3, 17, 42, 5];
    const layout = layoutTrie(context[context.length - 1], [[9, 60, 11], [9, 60, 12], [30, 31], [9]], { leaves: true });
    const A = context.length - 1;
    const tokens = [...context.slice(0, A), ...layout.tokens];
    const mask = [...Array(A).fill(1), ...layout.visibleUntil.map((u) => 2 + A + u)];
    const positions = [...Array.from({ length: A }, (_, t) => t), ...layout.depth.map((d) => A + d)];
    const run = async (rt: typeof ort | typeof ortWeb): Promise<Record<string, Float32Array>> => {
      const i64w = (row: number[]) => new rt.Tensor('int64', BigInt64Array.from(row.map(BigInt)), [1, row.length]);
      const feeds: Record<string, ort.Tensor | ortWeb.Tensor> = {
        input_ids: i64w(tokens),
        attention_mask: i64w(mask),
        position_ids: i64w(positions),
        num_logits_to_keep: new rt.Tensor('int64', BigInt64Array.from([1n]), []),
      };
      for (let i = 0; i < arch.numLayers; i++) for (const kind of ['key', 'value']) feeds[`past_key_values.${i}.${kind}`] = new rt.Tensor('float32', new Float32Array(0), [1, arch.numKvHeads, 0, arch.headDim]);
      const sess = await rt.InferenceSession.create(bytes);
      // Each runtime's own session and tensors; the casts only bridge the two packages' identical types.
      const out = await (sess as ort.InferenceSession).run(feeds as Feeds, ['tree_logprobs', 'logits', 'last_hidden_state', 'new_key_values.0.key']);
      return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
    };
    const node = await run(ort);
    const web = await run(ortWeb);
    for (const k of ['tree_logprobs', 'logits', 'last_hidden_state', 'new_key_values.0.key']) expect(maxAbsDiff(web[k], node[k])).toBeLessThan(1e-5);
    // Every candidate token has a score (the root, whose parent is not in the call, has none).
    expect(node.tree_logprobs[A]).toBe(0);
    for (let k = 1; k < layout.tokens.length; k++) expect(node.tree_logprobs[A + k]).toBeLessThan(0);
  });

  it('reads back the weights it wrote (transposed linears, tied and untied heads, biases)', () => {
    for (const overrides of [{}, { tieWordEmbeddings: false, numKvHeads: 2, attentionBias: true }]) {
      const arch = { ...base, ...overrides };
      const weights = initDecoderWeights(arch, { seed: 21, std: 0.3, normJitter: 0.2 });
      const back = readDecoderOnnxWeights(writeDecoderOnnx(arch, weights), arch);
      expect(Object.keys(back).sort()).toEqual(Object.keys(weights).sort());
      for (const [name, t] of Object.entries(weights)) {
        expect(back[name].shape).toEqual(t.shape);
        expect(Buffer.from(back[name].data.buffer, back[name].data.byteOffset, back[name].data.byteLength).equals(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength))).toBe(true);
      }
    }
    expect(() => readDecoderOnnxWeights(writeDecoderOnnx(base, initDecoderWeights(base, { seed: 1 })), { ...base, attentionBias: true })).toThrow(/no initializer for model\.layers\.0\.self_attn\.q_proj\.bias/);
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
