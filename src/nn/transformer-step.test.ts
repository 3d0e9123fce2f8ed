// The GPU training step against the float64 step (transformer.ref.ts, itself checked against
// finite differences): loss and the gradient of every parameter on tiny configs and packed
// batches, AdamW steps that lower the loss, one plan serving batches of changing size without
// allocating, and the round trip of the weights through HF names and checkpoints.

import { describe, expect, it } from 'vitest';
import type { Gpu } from '../gpu';
import { seededFloats, testGpu } from '../gpu/testing';
import { EmptyLossMaskError } from '../kernels/cross-entropy';
import { expectClose } from '../kernels/expect-close';
import { Transformer } from './transformer';
import type { TransformerWeights } from './transformer-params';
import { transformerParameterShapes, transformerStepRef, type TransformerBatch, type TransformerConfig, type TransformerParams } from './transformer.ref';

const TINY: TransformerConfig = {
  vocabSize: 11, hiddenSize: 8, intermediateSize: 12, numLayers: 2, numHeads: 2, numKvHeads: 1, headDim: 4,
  rmsNormEps: 1e-5, ropeTheta: 10000, tieWordEmbeddings: true, attentionBias: true,
};
const WIDER: TransformerConfig = {
  vocabSize: 37, hiddenSize: 16, intermediateSize: 24, numLayers: 3, numHeads: 4, numKvHeads: 2, headDim: 4,
  rmsNormEps: 1e-5, ropeTheta: 10000, tieWordEmbeddings: false, attentionBias: false,
};

/** Seeded weights large enough that attention, SwiGLU and the norms are far from linear. */
function seededWeights(c: TransformerConfig, seed: number, scale = 0.6): TransformerWeights {
  const out: TransformerWeights = {};
  transformerParameterShapes(c).forEach(({ name, shape }, i) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const isNorm = name.endsWith('norm.weight');
    out[name] = { shape, data: Float32Array.from(seededFloats(n, seed * 101 + i), (u) => (isNorm ? 1 + 0.3 * u : scale * u)) };
  });
  return out;
}

function asRef(w: TransformerWeights): TransformerParams {
  return Object.fromEntries(Object.entries(w).map(([k, t]) => [k, Float64Array.from(t.data)]));
}

/** Packed sequences of these lengths with seeded tokens; the loss on each sequence's second half. */
function packedBatch(c: TransformerConfig, lengths: number[], seed: number): TransformerBatch {
  const n = lengths.reduce((a, b) => a + b, 0);
  const tokens = Array.from(seededFloats(n, seed, 0, c.vocabSize), (v) => Math.min(c.vocabSize - 1, Math.floor(v)));
  const lossMask: number[] = [];
  for (const len of lengths) for (let t = 0; t < len; t++) lossMask.push(t >= Math.max(1, Math.floor(len / 2)) ? 1 : 0);
  return { tokens, lengths, lossMask };
}

function globalNorm(g: TransformerParams): number {
  let s = 0;
  for (const v of Object.values(g)) for (const x of v) s += x * x;
  return Math.sqrt(s);
}

// float32 through 2–3 layers, sums over ≤ 40 rows and ≤ 37 logits: the loss to 2e-6 relative,
// gradients to 1e-6 absolute + 1e-4 relative, element by element.
const LOSS_REL = 2e-6;
const GRAD_TOL = { abs: 1e-6, rel: 1e-4 };

async function checkAgainstRef(gpu: Gpu, c: TransformerConfig, weights: TransformerWeights, batch: TransformerBatch, maxTokens: number) {
  const model = await Transformer.create(gpu, c, { weights });
  try {
    const plan = await model.plan({ maxTokens, backward: true });
    const ref = transformerStepRef(c, asRef(weights), batch, { backward: true });
    const loss = await plan.backward(batch);
    expect(Math.abs(loss - ref.loss) / ref.loss, `loss ${loss} vs ${ref.loss}`).toBeLessThan(LOSS_REL);
    const grads = await model.readGradients();
    expect(Object.keys(grads)).toEqual(transformerParameterShapes(c).map((s) => s.name));
    for (const [name, g] of Object.entries(ref.grads!)) {
      expect(grads[name].shape, name).toEqual(weights[name].shape);
      expectClose(grads[name].data, g, GRAD_TOL, name);
    }
    // A second backward on the same plan gives the same gradients (nothing is left accumulated).
    await plan.backward(batch);
    const again = await model.readGradients();
    for (const name of Object.keys(grads)) expect(Array.from(again[name].data), name).toEqual(Array.from(grads[name].data));
  } finally {
    model.destroy();
  }
}

describe('GPU transformer step = float64 step', () => {
  it('tiny: tied head, grouped kv heads, qkv biases; two packed sequences', async () => {
    const gpu = await testGpu();
    const batch = { tokens: [1, 4, 9, 2, 7, 3, 3, 10, 0], lengths: [5, 4], lossMask: [0, 0, 0, 1, 1, 0, 0, 1, 1] };
    await checkAgainstRef(gpu, TINY, seededWeights(TINY, 1), batch, 9);
  });

  it('wider: untied head, 3 layers, no biases; five packed sequences in a larger plan', async () => {
    const gpu = await testGpu();
    await checkAgainstRef(gpu, WIDER, seededWeights(WIDER, 2, 0.4), packedBatch(WIDER, [7, 3, 12, 5, 9], 3), 48);
  });

  it('refuses a sequence without loss tokens and a batch over capacity', async () => {
    const gpu = await testGpu();
    const model = await Transformer.create(gpu, TINY, { seed: 1 });
    try {
      const plan = await model.plan({ maxTokens: 9, backward: false });
      await expect(plan.evaluateLoss({ tokens: [1, 2, 3, 4], lengths: [2, 2], lossMask: [0, 1, 0, 0] })).rejects.toThrow(EmptyLossMaskError);
      await expect(plan.evaluateLoss(packedBatch(TINY, [6, 4], 1))).rejects.toThrow(/capacity/);
      await expect(plan.backward(packedBatch(TINY, [6], 1))).rejects.toThrow(/evaluation plan/);
    } finally {
      model.destroy();
    }
  });
});

describe('training with AdamW', () => {
  it('lowers the loss; the first step reports the reference gradient norm and clips to it', async () => {
    const gpu = await testGpu();
    const weights = seededWeights(WIDER, 4, 0.3);
    const batch = packedBatch(WIDER, [9, 6, 11], 5);
    const model = await Transformer.create(gpu, WIDER, { weights }, { adam: { lr: 3e-2, maxGradNorm: 0.5, weightDecay: 0.01 } });
    try {
      const plan = await model.plan({ maxTokens: 32, backward: true });
      const ref = transformerStepRef(WIDER, asRef(weights), batch, { backward: true });
      const losses: number[] = [];
      for (let s = 0; s < 12; s++) {
        const r = await plan.step(batch);
        if (s === 0) {
          expect(r.loss).toBeCloseTo(ref.loss, 5);
          expect(r.gradNorm / globalNorm(ref.grads!)).toBeCloseTo(1, 4);
          expect(r.clipScale).toBeCloseTo(Math.min(1, 0.5 / r.gradNorm), 5);
          expect(r).toMatchObject({ tokens: 26, lossTokens: 14, lr: 3e-2 });
        }
        losses.push(r.loss);
      }
      expect(losses[11]).toBeLessThan(0.5 * losses[0]);
      // The evaluation of the trained weights agrees with the float64 model on them.
      const trained = await model.exportWeights();
      const evalPlan = await model.plan({ maxTokens: 32, backward: false });
      const got = await evalPlan.evaluateLoss(batch);
      const want = transformerStepRef(WIDER, asRef(trained), batch);
      expect(got.loss).toBeCloseTo(want.loss, 5);
      expect(got.lossTokens).toBe(14);
      expect(got.accuracy).toBeGreaterThanOrEqual(0);
      expect(got.accuracy).toBeLessThanOrEqual(1);
    } finally {
      model.destroy();
    }
  });
  it('resumes from a checkpoint: the same steps after a reload give the same losses bit for bit', async () => {
    const gpu = await testGpu();
    const weights = seededWeights(WIDER, 8, 0.3);
    const batches = [[9, 6], [11, 4], [5, 5, 5], [12]].map((lengths, i) => packedBatch(WIDER, lengths, 20 + i));
    const adam = { adam: { lr: 1e-2, maxGradNorm: 1 } };
    const a = await Transformer.create(gpu, WIDER, { weights }, adam);
    const b = await Transformer.create(gpu, WIDER, { seed: 1 }, adam);
    try {
      const planA = await a.plan({ maxTokens: 16, backward: true });
      await planA.step(batches[0], 1e-2);
      await planA.step(batches[1], 5e-3);
      const checkpoint = await a.saveCheckpoint();
      const wantLosses = [(await planA.step(batches[2], 4e-3)).loss, (await planA.step(batches[3], 3e-3)).loss];
      const planB = await b.plan({ maxTokens: 16, backward: true });
      b.loadCheckpoint(checkpoint);
      expect((await b.optimizer!.status()).step).toBe(2);
      const gotLosses = [(await planB.step(batches[2], 4e-3)).loss, (await planB.step(batches[3], 3e-3)).loss];
      expect(gotLosses).toEqual(wantLosses);
    } finally {
      a.destroy();
      b.destroy();
    }
  });
});

describe('capacity plan', () => {
  it('serves batches of 2 … 40 tokens through one plan; nothing is allocated or compiled after the first', async () => {
    const gpu = await testGpu();
    const weights = seededWeights(WIDER, 6, 0.4);
    const model = await Transformer.create(gpu, WIDER, { weights }, { adam: { lr: 0 } });
    try {
      const plan = await model.plan({ maxTokens: 40, maxLossTokens: 24, backward: true });
      const batches = [[2], [40], [5, 3], [2, 3, 2, 9], [17, 13, 4], [2, 2]].map((lengths, i) => packedBatch(WIDER, lengths, 10 + i));
      let mark: { created: number; pipelines: number } | null = null;
      for (const [i, batch] of batches.entries()) {
        // lr 0 leaves the weights as they were (decoupled decay scales by 1 − lr·λ), so every batch checks against them.
        const r = await plan.step(batch);
        const ref = transformerStepRef(WIDER, asRef(weights), batch, { backward: true });
        expect(Math.abs(r.loss - ref.loss) / ref.loss, `batch ${i}`).toBeLessThan(LOSS_REL);
        expect(r.gradNorm / globalNorm(ref.grads!), `batch ${i}`).toBeCloseTo(1, 4);
        if (i === 0) mark = { created: gpu.pool.created, pipelines: gpu.pipelines.size };
        else expect({ created: gpu.pool.created, pipelines: gpu.pipelines.size }, `batch ${i}`).toEqual(mark);
      }
      await expect(plan.step(packedBatch(WIDER, [41], 1))).rejects.toThrow(/capacity/);
    } finally {
      model.destroy();
    }
  });
});

describe('weights', () => {
  it('round-trip through HF names, model.safetensors, a checkpoint, and a seeded init (unit norms, zero biases)', async () => {
    const gpu = await testGpu();
    const weights = seededWeights(TINY, 7);
    const a = await Transformer.create(gpu, TINY, { weights });
    const b = await Transformer.create(gpu, TINY, { seed: 3, std: 0.05 });
    try {
      const out = await a.exportWeights();
      for (const [name, t] of Object.entries(weights)) expect(Array.from(out[name].data), name).toEqual(Array.from(t.data));
      const seeded = await b.exportWeights();
      expect(Array.from(seeded['model.norm.weight'].data)).toEqual(new Array(8).fill(1));
      expect(Array.from(seeded['model.layers.1.self_attn.k_proj.bias'].data)).toEqual([0, 0, 0, 0]);
      const q = seeded['model.layers.0.self_attn.q_proj.weight'].data;
      const std = Math.sqrt(q.reduce((s, v) => s + v * v, 0) / q.length);
      expect(std).toBeGreaterThan(0.03);
      expect(std).toBeLessThan(0.07);
      b.loadWeightsFile(await a.saveWeights({ note: 'test' }));
      for (const [name, t] of Object.entries(weights)) expect(Array.from((await b.exportWeights())[name].data), name).toEqual(Array.from(t.data));
      b.loadWeights(seeded);
      b.loadCheckpoint(await a.saveCheckpoint({ note: 'test' }));
      const restored = await b.exportWeights();
      for (const [name, t] of Object.entries(weights)) expect(Array.from(restored[name].data), name).toEqual(Array.from(t.data));
      expect(() => a.loadWeights({ ...weights, extra: { shape: [1], data: new Float32Array(1) } })).toThrow(/unexpected tensor extra/);
    } finally {
      a.destroy();
      b.destroy();
    }
  });
});
