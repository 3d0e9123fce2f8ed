import type { Gpu } from '../gpu';
import { seededFloats, testGpu } from '../gpu/testing';
import { EmptyLossMaskError, nextTokenLossRows, SoftmaxCrossEntropy } from './cross-entropy';
import { crossEntropyGradRef, crossEntropyRef } from './cross-entropy.ref';
import { expectClose, finiteDiff, toF64 } from './expect-close';
import { expect } from './cases/expect';
import { kernelCases } from './cases/suite';

export default kernelCases('cross-entropy', ({ describe, it }) => {
  // log-sum-exp over ≤ 1000 logits of |z| ≤ 8 in float32: ~1e-6 relative to lse.
  const TOL = { abs: 3e-6, rel: 1e-5 };

  function buffers(gpu: Gpu, rows: number, vocab: number) {
    return { logits: gpu.empty([rows, vocab]), nll: gpu.empty([rows]), lse: gpu.empty([rows]), correct: gpu.empty([rows]) };
  }

  describe('softmax cross-entropy vs float64 reference', () => {
    it('one plan: batches of 1 and 50 (= capacity) rows over a vocabulary of 1000', async () => {
      const gpu = await testGpu();
      const V = 1000, cap = 50;
      const ce = await SoftmaxCrossEntropy.create(gpu, { vocab: V, maxRows: cap });
      const b = buffers(gpu, cap, V);
      for (const [rows, seed] of [[1, 1], [50, 2]]) {
        const z = seededFloats(rows * V, seed, -8, 8);
        const t = Uint32Array.from(seededFloats(rows, seed + 3, 0, 1), (u) => Math.floor(u * V));
        t[0] = z.subarray(0, V).indexOf(Math.max(...z.subarray(0, V))); // row 0 predicts its argmax
        ce.setTargets(t);
        gpu.write(b.logits, z);
        ce.forwardBackward(b);
        const [nll, lse, correct, grad] = await gpu.readMany([b.nll, b.lse, b.correct, b.logits]);
        const ref = crossEntropyRef(z, t, V);
        expectClose(nll.subarray(0, rows), ref.nll, TOL, `nll (${rows} rows)`);
        expectClose(lse.subarray(0, rows), ref.lse, TOL, `lse (${rows} rows)`);
        expect(Array.from(correct.subarray(0, rows))).toEqual(Array.from(ref.correct));
        expect(correct[0]).toBe(1);
        expectClose(grad.subarray(0, rows * V), crossEntropyGradRef(z, t, V, 1 / rows), { abs: 1e-8, rel: 1e-5 }, `∂L/∂z (${rows} rows)`);
      }
      ce.destroy();
      gpu.release(...Object.values(b));
    });

    it('the gradient matches finite differences of the mean loss', async () => {
      const gpu = await testGpu();
      const V = 7, t = Uint32Array.from([3, 0, 6]);
      const z = toF64(seededFloats(t.length * V, 9, -3, 3));
      const fd = finiteDiff(() => crossEntropyRef(z, t, V).nll.reduce((a, b) => a + b, 0) / t.length, z);
      expectClose(crossEntropyGradRef(z, t, V, 1 / t.length), fd, { abs: 1e-9, rel: 1e-6 }, 'reference vs FD');
      const ce = await SoftmaxCrossEntropy.create(gpu, { vocab: V, maxRows: 4 });
      const b = buffers(gpu, 4, V);
      ce.setTargets(t);
      gpu.write(b.logits, Float32Array.from(z));
      ce.forwardBackward(b);
      expectClose((await gpu.read(b.logits)).subarray(0, t.length * V), fd, { abs: 1e-7, rel: 1e-5 }, 'GPU vs FD');
      // forward alone leaves the logits as they were
      gpu.write(b.logits, Float32Array.from(z));
      ce.forward(b);
      expect(Array.from((await gpu.read(b.logits)).subarray(0, t.length * V))).toEqual(Array.from(Float32Array.from(z)));
      ce.destroy();
      gpu.release(...Object.values(b));
    });

    it('huge logits stay finite; argmax ties go to the lowest index', async () => {
      const gpu = await testGpu();
      const V = 300;
      const z = new Float32Array(2 * V).fill(-1e30);
      z[5] = 50; z[299] = 50;           // row 0: a tie between 5 and 299, the rest e^{−1e30} = 0
      z[V + 17] = 3e38;                 // row 1: one dominant logit
      const ce = await SoftmaxCrossEntropy.create(gpu, { vocab: V, maxRows: 2 });
      const b = buffers(gpu, 2, V);
      ce.setTargets([299, 17]);
      gpu.write(b.logits, z);
      ce.forwardBackward(b, 1);
      const [nll, correct, grad] = await gpu.readMany([b.nll, b.correct, b.logits]);
      expect(nll[0]).toBeCloseTo(Math.LN2, 5);
      expect(nll[1]).toBe(0);
      expect(Array.from(correct)).toEqual([0, 1]);
      expect(Array.from(grad).every(Number.isFinite)).toBe(true);
      expect(grad[5]).toBeCloseTo(0.5, 5);
      expect(grad[299]).toBeCloseTo(-0.5, 5);
      expect(grad[V + 17]).toBe(0);
      expect(grad[V]).toBe(0);
      ce.destroy();
      gpu.release(...Object.values(b));
    });
  });

  describe('next-token loss rows', () => {
    // Two packed sequences: [a b c d] and [e f g]; the loss is on c, d and g.
    const tokens = [10, 11, 12, 13, 20, 21, 22];
    const offsets = [0, 4, 7];

    it('row r − 1 predicts marked token r, per sequence', () => {
      const { rows, targets } = nextTokenLossRows(tokens, [0, 0, 1, 1, 0, 0, 1], offsets, 32);
      expect(Array.from(rows)).toEqual([1, 2, 5]);
      expect(Array.from(targets)).toEqual([12, 13, 22]);
    });

    it('a sequence with an empty mask is an error, never a silent zero', async () => {
      expect(() => nextTokenLossRows(tokens, [0, 0, 1, 1, 0, 0, 0], offsets, 32)).toThrow(EmptyLossMaskError);
      expect(() => nextTokenLossRows(tokens, [0, 0, 1, 1, 0, 0, 0], offsets, 32)).toThrow(/sequence 1 \(3 tokens\) has no loss-carrying token/);
      expect(() => nextTokenLossRows(tokens, [1, 0, 1, 1, 0, 0, 1], offsets, 32)).toThrow(/sequence 0: its first token is marked/);
      expect(() => nextTokenLossRows(tokens, [0, 0, 1, 1, 0, 0, 1], offsets, 20)).toThrow(/token 22 at row 6 is outside the vocabulary of 20/);
      const gpu = await testGpu();
      const ce = await SoftmaxCrossEntropy.create(gpu, { vocab: 8, maxRows: 2 });
      const b = buffers(gpu, 2, 8);
      expect(() => ce.forwardBackward(b)).toThrow(/setTargets before recording/);
      expect(() => ce.setTargets([])).toThrow(/positive integer, got 0/);
      expect(() => ce.setTargets([8])).toThrow(/target 8 of loss row 0 is outside the vocabulary of 8/);
      ce.destroy();
      gpu.release(...Object.values(b));
    });
  });
});
