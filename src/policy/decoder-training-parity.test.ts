// The training-side float64 model (nn/transformer.ref, built from the WGSL kernels' references)
// computes the same function as the decoder the ONNX writer exports (policy/decoder.ref): same
// weights in the same layout give the same hidden states and logits. This ties the SFT
// gradients to the model transformers.js will run.

import { describe, expect, it } from 'vitest';
import { expectClose } from '../kernels/expect-close';
import { transformerParameterShapes, transformerStepRef, type TransformerConfig, type TransformerParams } from '../nn/transformer.ref';
import { expectedParameters, type DecoderArch } from './decoder-arch';
import { initDecoderWeights } from './decoder-init';
import { referenceForward } from './decoder.ref';

const base: DecoderArch = {
  vocabSize: 53, hiddenSize: 16, intermediateSize: 24, numLayers: 2, numHeads: 4, numKvHeads: 2, headDim: 4,
  rmsNormEps: 1e-5, ropeTheta: 10000, maxPositions: 64, tieWordEmbeddings: true, attentionBias: true,
};

describe('training reference = exported decoder', () => {
  for (const arch of [base, { ...base, tieWordEmbeddings: false, attentionBias: false, numKvHeads: 4 }]) {
    it(`hidden states and logits agree (tied ${arch.tieWordEmbeddings}, bias ${arch.attentionBias}, kv heads ${arch.numKvHeads})`, () => {
      const config: TransformerConfig = arch; // a DecoderArch is a TransformerConfig
      expect(transformerParameterShapes(config)).toEqual(expectedParameters(arch));
      const weights = initDecoderWeights(arch, { seed: 5, std: 0.3, normJitter: 0.2 });
      const params: TransformerParams = Object.fromEntries(Object.entries(weights).map(([k, t]) => [k, Float64Array.from(t.data)]));
      const seqs = [[3, 17, 52, 8, 8, 40, 1], [9, 30, 2]];
      const mask = seqs.map((s) => s.map((_, i) => (i > 0 ? 1 : 0)));
      const step = transformerStepRef(config, params, { tokens: seqs.flat(), lengths: seqs.map((s) => s.length), lossMask: mask.flat() });
      let row = 0, lossRow = 0;
      for (const ids of seqs) {
        const ref = referenceForward(arch, weights, ids);
        for (let t = 0; t < ids.length; t++, row++) {
          expectClose(step.hidden.subarray(row * arch.hiddenSize, (row + 1) * arch.hiddenSize), ref.hidden[t], { abs: 1e-12, rel: 1e-10 }, `hidden row ${row}`);
          if (t + 1 < ids.length) {
            expect(step.lossRows[lossRow]).toBe(row);
            expectClose(step.logits.subarray(lossRow * arch.vocabSize, (lossRow + 1) * arch.vocabSize), ref.logits[t], { abs: 1e-12, rel: 1e-10 }, `logits row ${row}`);
            lossRow++;
          }
        }
      }
      expect(lossRow).toBe(step.lossRows.length);
    });
  }
});
