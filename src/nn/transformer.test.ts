import { describe, expect, it } from 'vitest';
import { seededFloats } from '../gpu/testing';
import { EmptyLossMaskError } from '../kernels/cross-entropy';
import { expectClose, finiteDiff } from '../kernels/expect-close';
import { transformerParameterShapes, transformerStepRef, type TransformerConfig, type TransformerParams } from './transformer.ref';

const TINY: TransformerConfig = {
  vocabSize: 11, hiddenSize: 8, intermediateSize: 12, numLayers: 2, numHeads: 2, numKvHeads: 1, headDim: 4,
  rmsNormEps: 1e-5, ropeTheta: 10000, tieWordEmbeddings: true, attentionBias: true,
};

/** Large enough weights that attention, SwiGLU and the norms are far from linear. */
function initParams(c: TransformerConfig, seed: number): TransformerParams {
  const out: TransformerParams = {};
  transformerParameterShapes(c).forEach(({ name, shape }, i) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const isNorm = name.endsWith('norm.weight');
    out[name] = Float64Array.from(seededFloats(n, seed * 101 + i), (u) => (isNorm ? 1 + 0.3 * u : 0.6 * u));
  });
  return out;
}

// Two packed sequences (5 and 4 tokens); the loss is on the last two tokens of each.
const BATCH = { tokens: [1, 4, 9, 2, 7, 3, 3, 10, 0], lengths: [5, 4], lossMask: [0, 0, 0, 1, 1, 0, 0, 1, 1] };

describe('whole-transformer float64 reference', () => {
  for (const [name, config] of [
    ['tied head, grouped kv heads, qkv biases', TINY],
    ['untied head, 3 layers, no biases, one kv head per head', { ...TINY, tieWordEmbeddings: false, attentionBias: false, numLayers: 3, numKvHeads: 2 }],
  ] as const) {
    it(`${name}: the gradient of every parameter matches finite differences`, () => {
      const params = initParams(config, 1);
      const step = transformerStepRef(config, params, BATCH, { backward: true });
      expect(step.loss).toBeGreaterThan(0.5);
      const shapes = transformerParameterShapes(config);
      expect(Object.keys(step.grads!).sort()).toEqual(shapes.map((s) => s.name).sort());
      for (const { name: p } of shapes) {
        const fd = finiteDiff(() => transformerStepRef(config, params, BATCH).loss, params[p], 1e-5);
        expectClose(step.grads![p], fd, { abs: 2e-9, rel: 1e-6 }, p);
      }
      // every parameter is reached (a wiring mistake often leaves one gradient at zero)
      for (const { name: p } of shapes) expect(step.grads![p].some((g) => Math.abs(g) > 1e-6), p).toBe(true);
    });
  }

  it('packed sequences do not see each other', () => {
    const params = initParams(TINY, 2);
    const both = transformerStepRef(TINY, params, BATCH);
    const first = transformerStepRef(TINY, params, { tokens: BATCH.tokens.slice(0, 5), lengths: [5], lossMask: BATCH.lossMask.slice(0, 5) });
    const second = transformerStepRef(TINY, params, { tokens: BATCH.tokens.slice(5), lengths: [4], lossMask: BATCH.lossMask.slice(5) });
    expectClose(both.hidden.subarray(0, 5 * 8), first.hidden, { abs: 1e-12, rel: 1e-12 }, 'sequence 0 hidden');
    expectClose(both.hidden.subarray(5 * 8), second.hidden, { abs: 1e-12, rel: 1e-12 }, 'sequence 1 hidden');
    expect(both.loss).toBeCloseTo((first.loss + second.loss) / 2, 12); // two loss rows each
    expect(Array.from(both.lossRows)).toEqual([2, 3, 6, 7]);
  });

  it('a sequence without loss tokens is an error', () => {
    const params = initParams(TINY, 3);
    expect(() => transformerStepRef(TINY, params, { ...BATCH, lossMask: [0, 0, 0, 1, 1, 0, 0, 0, 0] })).toThrow(EmptyLossMaskError);
  });
});
