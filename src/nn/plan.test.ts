import { describe, expect, it } from 'vitest';
import type { Gpu } from '../gpu';
import { seededFloats, testGpu } from '../gpu/testing';
import { expectClose } from '../kernels/expect-close';
import { DEFAULT_PPO, PPO_BATCH_STRIDE, type PpoConfig } from '../kernels/ppo';
import { offsetsFromSizes } from '../kernels/segments';
import { segSoftmaxForwardRef } from '../kernels/segsoftmax.ref';
import { spaLossRef } from '../kernels/spa.ref';
import { PolicyAdapter, ProgressEstimator, ValueHead } from './heads';
import { estimatorStepRef, hostParams, mlpRef, packGrads, pairMlpRef, ppoRolloutRow, ppoStepGradRef } from './nn.ref';
import { AdamW } from './optimizer';
import { ParamSet } from './params';
import { EstimatorBatchBuffer, EstimatorTrainer, PpoBatchBuffer, PpoTrainer } from './trainers';

// Capacity plans: one module, many batches of changing size (1 up to the capacity, ragged
// candidate sets), recorded through the same plans without re-preparing anything. Every batch is
// checked against the float64 reference, and once the first batch has run the buffer pool creates
// no buffer and the pipeline cache compiles no pipeline.

const BATCHES = 50;
// float32 forward/backward through 3–4 layers over batches of ≤ 72 candidates, after Adam moved
// the parameters: 1e-4 relative + 1e-5 absolute (the FD tests in nn.test.ts hold 2e-6 on one step).
const TOL = { abs: 1e-5, rel: 1e-4 };

/** Seeded integer in [lo, hi]. */
function pick(r: number, lo: number, hi: number): number {
  return lo + Math.min(hi - lo, Math.floor(r * (hi - lo + 1)));
}

/** Batch k's state count: 1 first, the capacity second, then seeded sizes in between. */
function statesFor(k: number, r: number, max: number): number {
  return k === 0 ? 1 : k === 1 ? max : pick(r, 1, max);
}

function randomise(gpu: Gpu, params: ParamSet, seed: number): void {
  gpu.write(params.packed('params'), seededFloats(params.size, seed, -0.6, 0.6));
}

function poolMark(gpu: Gpu) {
  return { created: gpu.pool.created, liveBytes: gpu.pool.liveBytes, pipelines: gpu.pipelines.size };
}

describe('capacity plans', () => {
  it(`PPO: ${BATCHES} minibatches of 1 … 12 states with ragged candidate sets through one training plan and one inference plan`, async () => {
    const gpu = await testGpu();
    const MAX_S = 12, MAX_SET = 6, MAX_C = MAX_S * MAX_SET;
    const spec = { stateDim: 3, actionDim: 4, hidden: [8, 4], activation: 'gelu' as const, kappa: 0.5 };
    const valueSpec = { prefix: 'value', sizes: [3, 6, 1], activation: 'tanh' as const };
    const config: PpoConfig = { ...DEFAULT_PPO, klCoef: 0.1, entCoef: 0.01 };
    const params = new ParamSet();
    const adapter = new PolicyAdapter(params, 'policy', spec);
    const value = new ValueHead(params, 'value', { inputDim: 3, hidden: [6], activation: 'tanh' });
    params.build(gpu, 5);
    randomise(gpu, params, 6);
    const opt = await AdamW.create(gpu, params, { lr: 1e-2 });
    const cap = { maxStates: MAX_S, maxCandidates: MAX_C };
    const [policy, valuePlan, infer] = await Promise.all([
      adapter.plan(gpu, { ...cap, backward: true }),
      value.plan(gpu, { maxStates: MAX_S, backward: true }),
      adapter.plan(gpu, { ...cap, backward: false }),
    ]);
    const ppo = await PpoTrainer.create(gpu, { policy, value: valuePlan }, [opt], config);
    const input = new PpoBatchBuffer(gpu, spec, cap);
    const r = seededFloats(BATCHES * (MAX_S + 1), 7, 0, 1);
    let mark: ReturnType<typeof poolMark> | null = null;
    const seen = new Set<number>();
    for (let k = 0; k < BATCHES; k++) {
      const S = statesFor(k, r[k * (MAX_S + 1)], MAX_S);
      seen.add(S);
      const sizes = Array.from({ length: S }, (_, s) => pick(r[k * (MAX_S + 1) + 1 + s], 1, MAX_SET));
      const offsets = offsetsFromSizes(sizes), N = offsets[S];
      const phi = seededFloats(S * 3, 100 + k), psi = seededFloats(N * 4, 200 + k), prior = seededFloats(N, 300 + k, -4, 0);
      const chosen = Uint32Array.from(sizes, (n, s) => (s * 5 + k) % n);
      const p0 = await gpu.read(params.packed('params'));
      const h0 = hostParams(params, p0);
      // Old log-probs near the current policy's (some ratios outside the clip), advantages, values, returns.
      const lpNow = segSoftmaxForwardRef(offsets, chosen, prior, pairMlpRef(h0, 'policy', spec, phi, psi, offsets), spec.kappa).lpChosen;
      const noise = seededFloats(S * 5, 400 + k, -0.4, 0.4);
      const rollout = new Float32Array(S * PPO_BATCH_STRIDE);
      for (let s = 0; s < S; s++) rollout.set(ppoRolloutRow(lpNow[s] + noise[5 * s], 2 * noise[5 * s + 1], noise[5 * s + 2], 1 + noise[5 * s + 3], lpNow[s] + noise[5 * s + 4]), s * PPO_BATCH_STRIDE);

      const batch = input.load({ phi, psi, prior, offsets, chosen, rollout });
      ppo.record(batch);
      const { logp } = infer.forward(batch); // after the update: the inference plan sees the new parameters
      const [grads, metrics, p1, lp] = await gpu.readMany([params.packed('grads'), ppo.metrics, params.packed('params'), logp]);

      const want = ppoStepGradRef(h0, { prefix: 'policy', ...spec }, valueSpec, { phi, psi, prior, offsets, chosen, rollout }, config);
      expectClose(grads, packGrads(params, want.grads), TOL, `batch ${k} (${S} states, ${N} candidates): ∂L/∂θ`);
      expect(metrics[0], `batch ${k}: loss`).toBeCloseTo(want.loss, 5);
      const h1 = hostParams(params, p1);
      const lpRef = segSoftmaxForwardRef(offsets, chosen, prior, pairMlpRef(h1, 'policy', spec, phi, psi, offsets), spec.kappa).logp;
      expectClose(lp.subarray(0, N), lpRef, { abs: 2e-6, rel: 1e-5 }, `batch ${k}: inference log π`);
      if (k === 0) mark = poolMark(gpu);
    }
    expect(seen.has(1) && seen.has(MAX_S) && seen.size >= 6).toBe(true);
    expect(poolMark(gpu), 'no buffer created and no pipeline compiled after the first batch').toEqual(mark);
    expect((await ppo.readMetrics()).optimizer[0].step).toBe(BATCHES);
    // V(s) through the value plan still matches after all the updates.
    const S = 5, phi = seededFloats(S * 3, 9);
    const batch = input.load({ phi, psi: seededFloats(S * 4, 10), prior: new Float32Array(S), offsets: offsetsFromSizes([1, 1, 1, 1, 1]), rollout: new Float32Array(S * PPO_BATCH_STRIDE) });
    const [v, p] = await gpu.readMany([valuePlan.forward(batch.phi, S), params.packed('params')]);
    expectClose(v.subarray(0, S), mlpRef(hostParams(params, p), 'value', valueSpec.sizes, 'tanh', phi, S), { abs: 2e-6, rel: 1e-5 }, 'V(s)');
    input.destroy(); ppo.destroy(); opt.destroy(); adapter.destroy(); value.destroy(); params.destroy();
  });

  it(`estimator: ${BATCHES} batches of 1 … 24 steps through one training plan, each followed by a held-out batch through an inference plan`, async () => {
    const gpu = await testGpu();
    const MAX_T = 24, IN = 5, sizes = [IN, 7, 1];
    const params = new ParamSet();
    const est = new ProgressEstimator(params, 'estimator', { inputDim: IN, hidden: [7], activation: 'relu' });
    params.build(gpu, 3);
    randomise(gpu, params, 4);
    const opt = await AdamW.create(gpu, params, { lr: 5e-3 });
    const [train, infer] = await Promise.all([est.plan(gpu, { maxStates: MAX_T, backward: true }), est.plan(gpu, { maxStates: MAX_T, backward: false })]);
    const trainer = await EstimatorTrainer.create(gpu, { train, evaluate: infer }, opt);
    const trainIn = new EstimatorBatchBuffer(gpu, IN, MAX_T), heldIn = new EstimatorBatchBuffer(gpu, IN, MAX_T);
    const evalOut = gpu.empty([4]);
    const r = seededFloats(BATCHES * 4 * MAX_T, 11, 0, 1);
    let mark: ReturnType<typeof poolMark> | null = null;
    /** Ragged trajectories of 1 … 5 steps, `steps` in all. */
    const ragged = (steps: number, at: number) => {
      const out: number[] = [];
      for (let left = steps, i = 0; left > 0; i++) { const n = Math.min(left, pick(r[at + i], 1, 5)); out.push(n); left -= n; }
      return offsetsFromSizes(out);
    };
    for (let k = 0; k < BATCHES; k++) {
      const base = k * 4 * MAX_T;
      const T = statesFor(k, r[base], MAX_T), Th = pick(r[base + 1], 1, MAX_T);
      const offsets = ragged(T, base + 2), heldOffsets = ragged(Th, base + 2 + MAX_T);
      const x = seededFloats(T * IN, 500 + k), xh = seededFloats(Th * IN, 600 + k);
      const R = seededFloats(offsets.length - 1, 700 + k), Rh = seededFloats(heldOffsets.length - 1, 800 + k);
      const p0 = hostParams(params, await gpu.read(params.packed('params')));
      // Both batches are loaded (their buffers are separate) before anything is recorded: the step
      // and the evaluation go into one encoder.
      const batch = trainIn.load(x, offsets, R), held = heldIn.load(xh, heldOffsets, Rh);
      trainer.record(batch);
      const c = trainer.evaluate(held, evalOut);
      const [grads, metrics, em, ch, p1] = await gpu.readMany([params.packed('grads'), trainer.metrics, evalOut, c, params.packed('params')]);
      const want = estimatorStepRef(p0, 'estimator', sizes, 'relu', x, offsets, R);
      expectClose(grads, packGrads(params, want.grads), TOL, `batch ${k} (${T} steps, ${offsets.length - 1} trajectories): ∂L/∂θ`);
      expect(metrics[0], `batch ${k}: MSE`).toBeCloseTo(want.loss, 5);
      const cRef = mlpRef(hostParams(params, p1), 'estimator', sizes, 'relu', xh, Th);
      expectClose(ch.subarray(0, Th), cRef, { abs: 2e-6, rel: 1e-5 }, `batch ${k}: held-out ĉ`);
      const heldRef = spaLossRef(heldOffsets, cRef, Rh);
      expect(em[0], `batch ${k}: held-out MSE`).toBeCloseTo(heldRef.loss, 5);
      expect(em[1], `batch ${k}: held-out MAE`).toBeCloseTo(heldRef.mae, 5);
      if (k === 0) mark = poolMark(gpu);
    }
    expect(poolMark(gpu), 'no buffer created and no pipeline compiled after the first batch').toEqual(mark);
    expect((await trainer.readMetrics()).optimizer.step).toBe(BATCHES);
    gpu.release(evalOut);
    trainIn.destroy(); heldIn.destroy(); trainer.destroy(); opt.destroy(); est.destroy(); params.destroy();
  });

  it('rejects a batch over the capacity, and backward through an inference plan, before recording anything', async () => {
    const gpu = await testGpu();
    const params = new ParamSet();
    const adapter = new PolicyAdapter(params, 'policy', { stateDim: 2, actionDim: 2, hidden: [4], activation: 'relu', kappa: 1 });
    const est = new ProgressEstimator(params, 'estimator', { inputDim: 2, hidden: [4], activation: 'relu' });
    params.build(gpu, 1);
    const [infer, plan] = await Promise.all([adapter.plan(gpu, { maxStates: 2, maxCandidates: 4, backward: false }), est.plan(gpu, { maxStates: 3, backward: false })]);
    await expect(adapter.plan(gpu, { maxStates: 4, maxCandidates: 2, backward: false })).rejects.toThrow(/maxCandidates \(2\) must be at least maxStates \(4\)/);
    const opt = await AdamW.create(gpu, params);
    await expect(EstimatorTrainer.create(gpu, { train: plan }, opt)).rejects.toThrow(/backward: true/);
    const big = new PpoBatchBuffer(gpu, { stateDim: 2, actionDim: 2 }, { maxStates: 3, maxCandidates: 6 });
    const batch = big.load({ phi: new Float32Array(6), psi: new Float32Array(12), prior: new Float32Array(6), offsets: [0, 2, 4, 6], rollout: new Float32Array(3 * PPO_BATCH_STRIDE) });
    const before = gpu.stats.dispatches;
    expect(() => infer.forward(batch)).toThrow(/planned for up to 2 states \/ 4 candidates, got 3 \/ 6/);
    expect(() => plan.forward(batch.phi, 4)).toThrow(/batch rows is 4, more than the plan's capacity of 3/);
    plan.forward(batch.phi, 3);
    expect(() => plan.backward(batch.phi)).toThrow(/inference plan/);
    expect(gpu.stats.dispatches).toBe(before + 2);
    expect(() => big.load({ phi: new Float32Array(8), psi: new Float32Array(14), prior: new Float32Array(7), offsets: [0, 2, 4, 6, 7], rollout: new Float32Array(4 * PPO_BATCH_STRIDE) })).toThrow(/4 sets, more than the capacity of 3/);
    big.destroy(); opt.destroy(); adapter.destroy(); est.destroy(); params.destroy();
  });
});
