import type { Tensor } from '../gpu';
import { seededFloats, testGpu } from '../gpu/testing';
import { keepsPreActivation, PreparedDense, type Activation, type DenseShape } from './dense';
import { activationGradRef, denseBackwardRef, denseForwardRef, type DenseRefShape } from './dense.ref';
import { expectClose, finiteDiff, toF64 } from './expect-close';
import { expect } from './cases/expect';
import { kernelCases } from './cases/suite';

export default kernelCases('dense', ({ describe, it }) => {
  // Tolerances: float32 dot products over ≤ 64 terms of magnitude ≤ 1 → |err| ≲ 64·6e-8·|terms|;
  // we allow 2e-5 absolute + 1e-4 relative (≥ 10× the bound seen). FD in float64 with h = 1e-6 is
  // accurate to ~1e-8 except at ReLU kinks, which seeded inputs avoid (checked: no |z| < 1e-3).

  const ACTS: Activation[] = ['identity', 'relu', 'tanh', 'gelu'];
  const TOL = { abs: 2e-5, rel: 1e-4 };

  /** A layer planned for exactly this batch's rows. */
  const planned = (s: DenseRefShape): DenseShape => ({ maxRows: s.rows, inDim: s.inDim, outDim: s.outDim, activation: s.activation });

  async function runLayer(shape: DenseRefShape, seed: number) {
    const gpu = await testGpu();
    const { rows, inDim, outDim } = shape;
    const x = seededFloats(rows * inDim, seed), w = seededFloats(inDim * outDim, seed + 1, -0.5, 0.5);
    const b = seededFloats(outDim, seed + 2, -0.2, 0.2), dy = seededFloats(rows * outDim, seed + 3);
    const layer = await PreparedDense.create(gpu, planned(shape), { inputGrad: true });
    const t = (a: Float32Array, r: number, c: number) => gpu.tensor(a, [r, c]);
    const X = t(x, rows, inDim), W = t(w, inDim, outDim), B = gpu.tensor(b), DY = t(dy, rows, outDim);
    const Y = gpu.empty([rows, outDim]), Z = gpu.empty([rows, outDim]), DZ = gpu.empty([rows, outDim]);
    const DW = gpu.empty([inDim, outDim]), DB = gpu.empty([outDim]), DX = gpu.empty([rows, inDim]);
    const keepZ = keepsPreActivation(shape.activation);
    layer.forward(X, W, B, Y, keepZ ? Z : undefined);
    layer.backward({ x: X, w: W, saved: keepZ ? Z : Y, dy: DY, dz: DZ, dW: DW, db: DB, dx: DX });
    const [y, dW, db, dx] = await gpu.readMany([Y, DW, DB, DX]);
    layer.destroy();
    gpu.release(X, W, B, DY, Y, Z, DZ, DW, DB, DX);
    return { x, w, b, dy, y, dW, db, dx };
  }

  describe('dense layer vs float64 reference', () => {
    // Wide shapes hit the register-blocked matmuls (multiples of 4) and the tiled ones (7, 37);
    // outDim = 1 takes the one-output kernels. Row counts are not multiples of any workgroup size.
    const shapes: [number, number, number][] = [[37, 12, 8], [5, 7, 6], [70, 16, 1], [3, 5, 1]];
    for (const [rows, inDim, outDim] of shapes) {
      for (const activation of ACTS) {
        it(`${rows}×${inDim} → ${outDim} ${activation}: forward and all gradients`, async () => {
          const shape = { rows, inDim, outDim, activation };
          const g = await runLayer(shape, rows * 7 + inDim);
          const ref = denseForwardRef(g.x, g.w, g.b, shape);
          expectClose(g.y, ref.y, TOL, 'Y');
          const back = denseBackwardRef(g.x, g.w, ref.z, g.dy, shape);
          expectClose(g.dW, back.dW, TOL, 'dW');
          expectClose(g.db, back.db, TOL, 'db');
          expectClose(g.dx, back.dx, TOL, 'dX');
        });
      }
    }
  });

  describe('dense gradients vs finite differences (float64)', () => {
    for (const activation of ACTS) {
      for (const outDim of [3, 1]) {
        it(`${activation}, out=${outDim}: reference analytic = FD, and GPU = FD`, async () => {
          const shape = { rows: 6, inDim: 4, outDim, activation };
          const g = await runLayer(shape, 41 + outDim);
          const x = toF64(g.x), w = toF64(g.w), b = toF64(g.b);
          // L = Σ dy ⊙ f(X·W + b): its gradient is exactly the backward with upstream dy.
          const loss = () => denseForwardRef(x, w, b, shape).y.reduce((s, v, i) => s + v * g.dy[i], 0);
          const { z } = denseForwardRef(x, w, b, shape);
          expect(z.every((v) => activation !== 'relu' || Math.abs(v) > 1e-3)).toBe(true);
          const back = denseBackwardRef(x, w, z, g.dy, shape);
          const fd = { dW: finiteDiff(loss, w), db: finiteDiff(loss, b), dx: finiteDiff(loss, x) };
          for (const k of ['dW', 'db', 'dx'] as const) {
            expectClose(back[k], fd[k], { abs: 1e-7, rel: 1e-6 }, `ref ${k} vs FD`);
            expectClose(g[k], fd[k], TOL, `gpu ${k} vs FD`);
          }
        });
      }
    }
  });

  describe('dense layer planned for a capacity', () => {
    // One layer, batches of 1 … capacity rows recorded into one encoder, each into capacity-sized
    // buffers: every batch's prefix matches the reference for its own rows.
    for (const [inDim, outDim, activation] of [[12, 8, 'gelu'], [16, 1, 'tanh'], [7, 6, 'relu']] as [number, number, Activation][]) {
      it(`${inDim} → ${outDim} ${activation}: batches of 1, 5, 23 and 37 rows through one 37-row plan`, async () => {
        const gpu = await testGpu();
        const cap = 37;
        const layer = await PreparedDense.create(gpu, { maxRows: cap, inDim, outDim, activation }, { inputGrad: true });
        const W = gpu.tensor(seededFloats(inDim * outDim, 2, -0.5, 0.5)), B = gpu.tensor(seededFloats(outDim, 3, -0.2, 0.2));
        const X = gpu.empty([cap, inDim]), DY = gpu.empty([cap, outDim]), Y = gpu.empty([cap, outDim]), Z = gpu.empty([cap, outDim]);
        const DZ = gpu.empty([cap, outDim]), DW = gpu.empty([inDim, outDim]), DB = gpu.empty([outDim]), DX = gpu.empty([cap, inDim]);
        const [w, b] = await gpu.readMany([W, B]);
        for (const rows of [1, 5, 23, 37]) {
          const shape = { rows, inDim, outDim, activation };
          const x = seededFloats(rows * inDim, rows), dy = seededFloats(rows * outDim, rows + 100);
          gpu.write(X, x);
          gpu.write(DY, dy);
          const keepZ = keepsPreActivation(activation);
          layer.forward(X, W, B, Y, keepZ ? Z : undefined, rows);
          layer.backward({ rows, x: X, w: W, saved: keepZ ? Z : Y, dy: DY, dz: DZ, dW: DW, db: DB, dx: DX });
          const [y, dW, db, dx] = await gpu.readMany([Y, DW, DB, DX]);
          const ref = denseForwardRef(x, w, b, shape);
          const back = denseBackwardRef(x, w, ref.z, dy, shape);
          expectClose(y.subarray(0, rows * outDim), ref.y, TOL, `Y (${rows} rows)`);
          expectClose(dW, back.dW, TOL, `dW (${rows} rows)`);
          expectClose(db, back.db, TOL, `db (${rows} rows)`);
          expectClose(dx.subarray(0, rows * inDim), back.dx, TOL, `dX (${rows} rows)`);
        }
        layer.destroy();
        gpu.release(X, W, B, DY, Y, Z, DZ, DW, DB, DX);
      });
    }
  });

  describe('dense options and errors', () => {
    it('accumulateGrads adds into dW and db', async () => {
      const gpu = await testGpu();
      for (const outDim of [8, 1]) {
        const shape = { rows: 9, inDim: 8, outDim, activation: 'tanh' as const };
        const x = seededFloats(72, 1), w = seededFloats(8 * outDim, 2), b = seededFloats(outDim, 3), dy = seededFloats(9 * outDim, 4);
        const layer = await PreparedDense.create(gpu, planned(shape), { accumulateGrads: true });
        const X = gpu.tensor(x, [9, 8]), W = gpu.tensor(w, [8, outDim]), B = gpu.tensor(b), DY = gpu.tensor(dy, [9, outDim]);
        const Y = gpu.empty([9, outDim]), DZ = gpu.empty([9, outDim]);
        const DW = gpu.tensor(new Float32Array(8 * outDim).fill(1), [8, outDim]), DB = gpu.tensor(new Float32Array(outDim).fill(1));
        layer.forward(X, W, B, Y);
        layer.backward({ x: X, w: W, saved: Y, dy: DY, dz: DZ, dW: DW, db: DB });
        layer.backward({ x: X, w: W, saved: Y, dy: DY, dz: DZ, dW: DW, db: DB });
        const [dW, db] = await gpu.readMany([DW, DB]);
        const ref = denseBackwardRef(x, w, denseForwardRef(x, w, b, shape).z, dy, shape);
        expectClose(dW, ref.dW.map((v) => 1 + 2 * v), TOL, `accumulated dW (out=${outDim})`);
        expectClose(db, ref.db.map((v) => 1 + 2 * v), TOL, `accumulated db (out=${outDim})`);
        layer.destroy();
        gpu.release(X, W, B, DY, Y, DZ, DW, DB);
      }
    });

    it('a one-output layer takes dX through the input activation in one pass (inputActivation)', async () => {
      const gpu = await testGpu();
      for (const act of ['relu', 'tanh', 'gelu'] as const) {
        const shape = { rows: 7, inDim: 6, outDim: 1, activation: 'identity' as const };
        const x = seededFloats(42, 1), w = seededFloats(6, 2), dy = seededFloats(7, 3);
        const saved = seededFloats(42, 4, act === 'tanh' ? -0.99 : -2, act === 'tanh' ? 0.99 : 2); // Y for relu/tanh, Z for gelu
        const layer = await PreparedDense.create(gpu, planned(shape), { inputGrad: true, inputActivation: act });
        expect(layer.fusesInputActivation).toBe(true);
        const X = gpu.tensor(x), W = gpu.tensor(w), DY = gpu.tensor(dy), SV = gpu.tensor(saved), DW = gpu.empty([6]), DB = gpu.empty([1]), DX = gpu.empty([42]);
        expect(() => layer.backward({ x: X, w: W, dy: DY, dW: DW, db: DB, dx: DX })).toThrow(/give savedInput/);
        layer.backward({ x: X, w: W, dy: DY, dW: DW, db: DB, dx: DX, savedInput: SV });
        const fprime = (v: number) => (act === 'relu' ? (v > 0 ? 1 : 0) : act === 'tanh' ? 1 - v * v : activationGradRef(v, 'gelu'));
        const want = Array.from({ length: 42 }, (_, i) => dy[Math.floor(i / 6)] * w[i % 6] * fprime(saved[i]));
        expectClose(await gpu.read(DX), want, TOL, `dZₓ through ${act}`);
        layer.destroy();
        gpu.release(X, W, DY, SV, DW, DB, DX);
      }
    });

    it('large pre-activations saturate without NaN', async () => {
      const gpu = await testGpu();
      for (const activation of ACTS) {
        const shape = { rows: 4, inDim: 4, outDim: 4, activation };
        const layer = await PreparedDense.create(gpu, planned(shape), { inputGrad: true });
        const X = gpu.tensor(new Float32Array(16).fill(1e4), [4, 4]), W = gpu.tensor(seededFloats(16, 5, -3, 3), [4, 4]);
        const B = gpu.zeros([4]), Y = gpu.empty([4, 4]), Z = gpu.empty([4, 4]), DY = gpu.tensor(new Float32Array(16).fill(1), [4, 4]);
        const DZ = gpu.empty([4, 4]), DW = gpu.empty([4, 4]), DB = gpu.empty([4]), DX = gpu.empty([4, 4]);
        layer.forward(X, W, B, Y, Z);
        layer.backward({ x: X, w: W, saved: keepsPreActivation(activation) ? Z : Y, dy: DY, dz: DZ, dW: DW, db: DB, dx: DX });
        for (const out of await gpu.readMany([Y, DW, DB, DX])) expect(out.every(Number.isFinite), activation).toBe(true);
        layer.destroy();
        gpu.release(X, W, B, Y, Z, DY, DZ, DW, DB, DX);
      }
    });

    it('rejects mismatched shapes before dispatching anything', async () => {
      const gpu = await testGpu();
      const layer = await PreparedDense.create(gpu, { maxRows: 5, inDim: 8, outDim: 4, activation: 'relu' }, { inputGrad: true });
      const m = (r: number, c: number) => gpu.zeros([r, c]);
      const X = m(5, 8), W = m(8, 4), B = gpu.zeros([4]), Y = m(5, 4);
      const before = gpu.stats.dispatches;
      expect(() => layer.forward(m(5, 7), W, B, Y)).toThrow(/dense input X has 35 elements, needs at least 40/);
      expect(() => layer.forward(X, W, B, Y, undefined, 6)).toThrow(/dense batch rows is 6, more than the plan's capacity of 5/);
      expect(() => layer.forward(X, W, B, Y, undefined, 0)).toThrow(/dense batch rows must be a positive integer/);
      expect(() => layer.forward(X, W, gpu.zeros([3]), Y)).toThrow(/bias b has 3 elements/);
      expect(() => layer.backward({ x: X, w: W, saved: Y, dy: Y, dz: Y, dW: W, db: B })).toThrow(/give dx/);
      expect(() => layer.backward({ x: X, w: W, dy: Y, dW: W, db: B, dx: X })).toThrow(/needs the saved Y and a dZ scratch/);
      expect(gpu.stats.dispatches).toBe(before);
      await expect(PreparedDense.create(gpu, { maxRows: 0, inDim: 8, outDim: 4, activation: 'relu' })).rejects.toThrow(/rows must be a positive integer/);
      const infer = await PreparedDense.create(gpu, { maxRows: 5, inDim: 8, outDim: 4, activation: 'relu' }, { backward: false });
      expect(() => infer.backward({ x: X, w: W, saved: Y, dy: Y, dz: Y, dW: W, db: B })).toThrow(/without its backward pass/);
      layer.destroy();
    });
  });
});
