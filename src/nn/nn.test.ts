import { describe, expect, it } from 'vitest';
import type { Gpu } from '../gpu';
import { seededFloats, testGpu } from '../gpu/testing';
import { expectClose } from '../kernels/expect-close';
import { DEFAULT_PPO, PPO_BATCH_STRIDE, type PpoConfig } from '../kernels/ppo';
import { ppoStepRef } from '../kernels/ppo.ref';
import { offsetsFromSizes } from '../kernels/segments';
import { uploadCandidateSets } from '../kernels/segsoftmax';
import { segSoftmaxForwardRef } from '../kernels/segsoftmax.ref';
import { uploadTrajectories } from '../kernels/spa';
import { spaLossRef } from '../kernels/spa.ref';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';
import { PolicyAdapter, ProgressEstimator, ValueHead } from './heads';
import { estimatorStepRef, hostParams, mlpRef, packGrads, pairMlpRef, ppoBatchRow, ppoRolloutRow, ppoStepGradRef, type HostParams } from './nn.ref';
import { AdamW } from './optimizer';
import { PARAM_ALIGN, ParamSet } from './params';
import { decodeSafetensors } from './safetensors';
import { BcTrainer, EstimatorTrainer, PpoTrainer } from './trainers';

// Gradient checks: the GPU's analytic gradients of a whole step against central finite differences
// of the float64 reference loss over every parameter. Parameters are randomised first (the
// adapter's output layer starts at zero, which would hide the other layers' gradients).
// Tolerance 1e-4 relative + 2e-6 absolute: float32 forward/backward through 3–4 layers.
const GRAD_TOL = { abs: 2e-6, rel: 1e-4 };

function randomise(gpu: Gpu, params: ParamSet, seed: number): Float32Array {
  const host = seededFloats(params.size, seed, -0.6, 0.6);
  gpu.write(params.packed('params'), host);
  return host;
}

/** FD of a float64 loss over every parameter; returns a packed gradient (padding stays 0). */
function fdGradient(params: ParamSet, packed: Float32Array, loss: (p: HostParams) => number, h = 1e-6): Float64Array {
  const p = hostParams(params, packed);
  const g = new Float64Array(params.size);
  for (const e of params.layout()) {
    const v = p.get(e.name)!;
    for (let i = 0; i < e.size; i++) {
      const x0 = v[i];
      v[i] = x0 + h; const a = loss(p);
      v[i] = x0 - h; const b = loss(p);
      v[i] = x0;
      g[e.offset + i] = (a - b) / (2 * h);
    }
  }
  return g;
}

describe('progress estimator step', () => {
  it('GPU gradients of the SPA loss through the MLP = finite differences of the float64 reference', async () => {
    const gpu = await testGpu();
    const params = new ParamSet();
    const sizes = [6, 5, 4, 1];
    const est = new ProgressEstimator(params, 'estimator', { inputDim: 6, hidden: [5, 4], activation: 'tanh' });
    params.build(gpu, 1);
    const packed = randomise(gpu, params, 2);
    const opt = await AdamW.create(gpu, params, { lr: 0 });
    const offsets = offsetsFromSizes([3, 1, 4, 2]), T = 10;
    const plan = await est.plan(gpu, { maxStates: T, backward: true });
    const trainer = await EstimatorTrainer.create(gpu, { train: plan }, opt);
    const x = seededFloats(T * 6, 3), R = seededFloats(4, 4, 0, 1);
    const traj = uploadTrajectories(gpu, offsets, R, T);
    const X = gpu.tensor(x, [T, 6]);
    trainer.record({ x: X, traj });
    const grads = await gpu.read(params.packed('grads'));
    const loss = (p: HostParams) => spaLossRef(offsets, mlpRef(p, 'estimator', sizes, 'tanh', x, T), R).loss;
    const fd = fdGradient(params, packed, loss);
    const analytic = packGrads(params, estimatorStepRef(hostParams(params, packed), 'estimator', sizes, 'tanh', x, offsets, R).grads);
    expectClose(analytic, fd, { abs: 1e-8, rel: 1e-6 }, 'reference ∂L/∂θ vs FD');
    expectClose(grads, fd, GRAD_TOL, 'GPU ∂L/∂θ vs FD');
    const m = await trainer.readMetrics();
    expect(m.mse).toBeCloseTo(loss(hostParams(params, packed)), 5);
    trainer.destroy(); opt.destroy(); est.destroy(); params.destroy();
  });

  it('training reduces the loss, one submit per step, nothing read back until asked', async () => {
    const gpu = await testGpu();
    const params = new ParamSet();
    const est = new ProgressEstimator(params, 'estimator', { inputDim: 8, hidden: [16], activation: 'relu' });
    params.build(gpu, 7);
    const opt = await AdamW.create(gpu, params, { lr: 1e-2 });
    // 32 trajectories whose reward is the sum of a fixed linear function of their steps' features.
    const sizes = Array.from({ length: 32 }, (_, i) => 1 + (i % 7));
    const offsets = offsetsFromSizes(sizes), T = offsets[32];
    const x = seededFloats(T * 8, 5), w = seededFloats(8, 6, -0.2, 0.2);
    const R = sizes.map((_, i) => { let r = 0; for (let t = offsets[i]; t < offsets[i + 1]; t++) for (let k = 0; k < 8; k++) r += w[k] * x[t * 8 + k]; return r; });
    const traj = uploadTrajectories(gpu, offsets, R, T), X = gpu.tensor(x, [T, 8]);
    const batch = { x: X, traj };
    // A training plan and an inference plan of the same estimator share its parameters.
    const [train, infer] = await Promise.all([est.plan(gpu, { maxStates: T, backward: true }), est.plan(gpu, { maxStates: T, backward: false })]);
    const trainer = await EstimatorTrainer.create(gpu, { train, evaluate: infer }, opt);
    trainer.record(batch);
    const first = await trainer.readMetrics();
    const before = { ...gpu.stats };
    for (let k = 0; k < 40; k++) trainer.record(batch);
    expect(gpu.stats.readbacks).toBe(before.readbacks);
    expect(gpu.stats.submits).toBe(before.submits); // all 40 steps still in the one open encoder
    expect(gpu.stats.dispatches).toBeGreaterThan(before.dispatches);
    const last = await trainer.readMetrics();
    expect(gpu.stats.submits).toBe(before.submits + 1);
    expect(gpu.stats.readbacks).toBe(before.readbacks + 1);
    expect(last.optimizer.step).toBe(41);
    expect(last.mse).toBeLessThan(first.mse * 0.3);
    // Held-out evaluation: metrics without a gradient or an update.
    const evalMetrics = gpu.empty([4]);
    const c = trainer.evaluate(batch, evalMetrics);
    const [em, ch, p1] = await gpu.readMany([evalMetrics, c, params.packed('params')]);
    const ref = spaLossRef(offsets, ch, R);
    expect(em[0]).toBeCloseTo(ref.loss, 5);
    expect(em[1]).toBeCloseTo(ref.mae, 5);
    const [p2] = await gpu.readMany([params.packed('params')]);
    expect(Array.from(p2)).toEqual(Array.from(p1));
    // A held-out set of another size goes through the inference plan; training goes on untouched.
    const hoOffsets = [0, 2, 5], hoR = [0.1, -0.2];
    const ho = uploadTrajectories(gpu, hoOffsets, hoR, 5), hoX = gpu.tensor(x.subarray(0, 40), [5, 8]);
    const trainOut = await gpu.read(train.output);
    const hoC = (await gpu.read(trainer.evaluate({ x: hoX, traj: ho }, evalMetrics))).subarray(0, 5);
    expect((await gpu.read(evalMetrics))[0]).toBeCloseTo(spaLossRef(hoOffsets, hoC, hoR).loss, 5);
    expect(Array.from(await gpu.read(train.output))).toEqual(Array.from(trainOut));
    trainer.record(batch);
    expect((await trainer.readMetrics()).optimizer.step).toBe(42);
    gpu.release(evalMetrics, hoX);
    trainer.destroy(); opt.destroy(); est.destroy(); params.destroy();
  });
});

const ADAPTER = { stateDim: 3, actionDim: 4, hidden: [8, 4], activation: 'gelu' as const, kappa: 0.5 };

function policyData(gpu: Gpu, sizes: number[], seed: number) {
  const offsets = offsetsFromSizes(sizes), S = sizes.length, N = offsets[S];
  const phi = seededFloats(S * 3, seed), psi = seededFloats(N * 4, seed + 1), prior = seededFloats(N, seed + 2, -4, 0);
  const chosen = Uint32Array.from(sizes, (n, i) => (i * 5 + 1) % n);
  const batch = {
    phi: gpu.tensor(phi, [S, 3]), psi: gpu.tensor(psi, [N, 4]), prior: gpu.tensor(prior),
    sets: uploadCandidateSets(gpu, offsets, chosen, N),
    norm: null,
  };
  return { offsets, S, N, phi, psi, prior, chosen, batch };
}

describe('policy adapter steps', () => {
  it('starts as the frozen prior: π = softmax(κ·ℓ) before any update', async () => {
    const gpu = await testGpu();
    const params = new ParamSet();
    const adapter = new PolicyAdapter(params, 'policy', ADAPTER);
    params.build(gpu, 3);
    const d = policyData(gpu, [1, 3, 7], 4);
    const plan = await adapter.plan(gpu, { maxStates: d.S, maxCandidates: d.N, backward: false });
    const { logp } = plan.forward(d.batch);
    const ref = segSoftmaxForwardRef(d.offsets, d.chosen, d.prior, new Float64Array(d.N), ADAPTER.kappa);
    expectClose(await gpu.read(logp), ref.logp, { abs: 2e-6, rel: 1e-5 }, 'log π at init');
    adapter.destroy(); params.destroy();
  });

  for (const spec of [ADAPTER, { ...ADAPTER, hidden: [6], activation: 'relu' as const }]) it(`BC (hidden ${spec.hidden.join('→')}, ${spec.activation}): GPU gradients = finite differences of −mean log π(a*) through softmax and adapter`, async () => {
    const ADAPTER = spec;
    const gpu = await testGpu();
    const params = new ParamSet();
    const adapter = new PolicyAdapter(params, 'policy', ADAPTER);
    params.build(gpu, 3);
    const packed = randomise(gpu, params, 9);
    const opt = await AdamW.create(gpu, params, { lr: 0 });
    const d = policyData(gpu, [1, 3, 5, 2, 6], 10);
    const bc = await BcTrainer.create(gpu, await adapter.plan(gpu, { maxStates: d.S, maxCandidates: d.N, backward: true }), opt);
    bc.record(d.batch);
    const grads = await gpu.read(params.packed('grads'));
    const loss = (p: HostParams) => {
      const f = pairMlpRef(p, 'policy', ADAPTER, d.phi, d.psi, d.offsets);
      const r = segSoftmaxForwardRef(d.offsets, d.chosen, d.prior, f, ADAPTER.kappa);
      return -r.lpChosen.reduce((a, b) => a + b, 0) / d.S;
    };
    expectClose(grads, fdGradient(params, packed, loss), GRAD_TOL, 'BC ∂L/∂θ');
    expect((await bc.readMetrics()).loss).toBeCloseTo(loss(hostParams(params, packed)), 5);
    bc.destroy(); opt.destroy(); adapter.destroy(); params.destroy();
  });

  for (const [name, config] of [
    ['value clip, k3 KL, entropy bonus', { ...DEFAULT_PPO, klCoef: 0.1, entCoef: 0.01 }],
    ['dual clip, exact KL, no value clip', { ...DEFAULT_PPO, dualClip: 3, valueClip: null, klEstimator: 'exact', klCoef: 0.2 }],
  ] as [string, PpoConfig][]) {
    it(`PPO (${name}): GPU gradients of adapter and value head = finite differences`, async () => {
      const gpu = await testGpu();
      const params = new ParamSet();
      const adapter = new PolicyAdapter(params, 'policy', ADAPTER);
      const value = new ValueHead(params, 'value', { inputDim: 3, hidden: [6], activation: 'tanh' });
      params.build(gpu, 5);
      const packed = randomise(gpu, params, 11);
      const opt = await AdamW.create(gpu, params, { lr: 0 });
      const d = policyData(gpu, [2, 1, 4, 3, 5, 2], 12);
      // Plans with room to spare: the batch uses a prefix of every buffer.
      const plans = { policy: await adapter.plan(gpu, { maxStates: d.S + 3, maxCandidates: d.N + 9, backward: true }), value: await value.plan(gpu, { maxStates: d.S + 3, backward: true }) };
      const ppo = await PpoTrainer.create(gpu, plans, [opt], config);
      // Rollout: old log-probs near the current ones (some outside the clip), advantages, old values, returns.
      const p0 = hostParams(params, packed);
      const lpNow = segSoftmaxForwardRef(d.offsets, d.chosen, d.prior, pairMlpRef(p0, 'policy', ADAPTER, d.phi, d.psi, d.offsets), ADAPTER.kappa).lpChosen;
      const noise = seededFloats(d.S * 5, 13, -0.4, 0.4);
      const rollout = new Float32Array(d.S * PPO_BATCH_STRIDE);
      // log π_ref: a reference near the current policy (as one frozen at the end of BC would be).
      for (let s = 0; s < d.S; s++) rollout.set(ppoRolloutRow(lpNow[s] + noise[5 * s], 2 * noise[5 * s + 1], noise[5 * s + 2], 1 + noise[5 * s + 3], lpNow[s] + noise[5 * s + 4]), s * PPO_BATCH_STRIDE);
      ppo.record({ ...d.batch, rollout: gpu.tensor(rollout) });
      const grads = await gpu.read(params.packed('grads'));
      const loss = (p: HostParams) => {
        const f = pairMlpRef(p, 'policy', ADAPTER, d.phi, d.psi, d.offsets);
        const r = segSoftmaxForwardRef(d.offsets, d.chosen, d.prior, f, ADAPTER.kappa);
        const V = mlpRef(p, 'value', [3, 6, 1], 'tanh', d.phi, d.S);
        let L = 0;
        for (let s = 0; s < d.S; s++) {
          L += ppoStepRef({ lp: r.lpChosen[s], entropy: r.entropy[s], lpPrior: r.priorLpChosen[s], klExact: r.klPrior[s], ...ppoBatchRow(rollout, s), v: V[s] }, config, d.S).loss;
        }
        return L / d.S;
      };
      const fd = fdGradient(params, packed, loss);
      const analytic = ppoStepGradRef(p0, { prefix: 'policy', ...ADAPTER }, { prefix: 'value', sizes: [3, 6, 1], activation: 'tanh' },
        { phi: d.phi, psi: d.psi, prior: d.prior, offsets: d.offsets, chosen: d.chosen, rollout }, config);
      expect(analytic.loss).toBeCloseTo(loss(p0), 12);
      expectClose(packGrads(params, analytic.grads), fd, { abs: 1e-8, rel: 1e-6 }, 'reference ∂L/∂θ vs FD');
      expectClose(grads, fd, GRAD_TOL, 'GPU ∂L/∂θ vs FD');
      const m = await ppo.readMetrics();
      expect(m.loss).toBeCloseTo(loss(p0), 5);
      expect(m.grad_norm[0]).toBeGreaterThan(0);
      ppo.destroy(); opt.destroy(); adapter.destroy(); value.destroy(); params.destroy();
    });
  }
});

describe('parameters and checkpoints', () => {
  it('packs decayed tensors first, every slice 256-byte aligned, seeded per name', () => {
    const a = new ParamSet(), b = new ParamSet();
    new ValueHead(a, 'value', { inputDim: 5, hidden: [3], activation: 'relu' });
    new ProgressEstimator(b, 'other', { inputDim: 5, hidden: [3], activation: 'relu' });
    new ValueHead(b, 'value', { inputDim: 5, hidden: [3], activation: 'relu' });
    const va = a.initialValues(42), vb = b.initialValues(42);
    const la = a.layout();
    expect(la.map((e) => e.name)).toEqual(['value.layers.0.weight', 'value.layers.1.weight', 'value.layers.0.bias', 'value.layers.1.bias']);
    expect(la.every((e) => e.offset % PARAM_ALIGN === 0)).toBe(true);
    expect(a.decayEnd).toBe(2 * PARAM_ALIGN);
    // Same name, same seed → same values, whatever else is in the set.
    const w = (set: ParamSet, v: Float32Array) => { const e = set.layout().find((x) => x.name === 'value.layers.0.weight')!; return Array.from(v.subarray(e.offset, e.offset + e.size)); };
    expect(w(a, va)).toEqual(w(b, vb));
    expect(w(a, va)).not.toEqual(w(a, a.initialValues(43)));
    const bound = Math.SQRT2 * Math.sqrt(3 / 5);
    expect(w(a, va).every((x) => Math.abs(x) <= bound && x !== 0)).toBe(true);
  });

  it('parameter views read and write their own slice of the packed buffer and cannot be released alone', async () => {
    const gpu = await testGpu();
    const params = new ParamSet();
    const head = new ValueHead(params, 'value', { inputDim: 3, hidden: [2], activation: 'relu' });
    params.build(gpu, 4);
    const b0 = head.mlp.layers[0].bias;
    gpu.write(b0.value, new Float32Array([7, 8]));
    const packed = await gpu.read(params.packed('params'));
    expect(Array.from(packed.subarray(b0.offset, b0.offset + 2))).toEqual([7, 8]);
    expect(Array.from(await gpu.read(b0.value))).toEqual([7, 8]);
    expect(b0.value.byteOffset! % 256).toBe(0);
    expect(() => gpu.release(b0.value)).toThrow(/view is released with the tensor it views/);
    head.destroy(); params.destroy();
  });

  it('a checkpoint round-trips parameters and optimiser state, and training resumes identically', async () => {
    const gpu = await testGpu();
    const make = async (seed: number) => {
      const params = new ParamSet();
      const est = new ProgressEstimator(params, 'estimator', { inputDim: 4, hidden: [8], activation: 'gelu' });
      params.build(gpu, seed);
      const opt = await AdamW.create(gpu, params, { lr: 5e-3, weightDecay: 0.01 });
      const trainer = await EstimatorTrainer.create(gpu, { train: await est.plan(gpu, { maxStates: 6, backward: true }) }, opt);
      return { params, est, opt, trainer };
    };
    const offsets = [0, 4, 6];
    const traj = uploadTrajectories(gpu, offsets, [0.5, 1]);
    const X = gpu.tensor(seededFloats(24, 8), [6, 4]);
    const a = await make(1);
    for (let k = 0; k < 3; k++) a.trainer.record({ x: X, traj });
    const file = await saveCheckpoint(gpu, a.params, a.opt, { run: 'test' });
    const { tensors, metadata } = decodeSafetensors(file);
    expect(metadata).toMatchObject({ run: 'test', format: 'stepwise-checkpoint/1', 'optimizer.step': '3' });
    expect(tensors['estimator.layers.0.weight'].shape).toEqual([4, 8]);
    expect(Object.keys(tensors)).toContain('optimizer.exp_avg_sq.estimator.layers.1.bias');

    const b = await make(99); // different init, overwritten by the load
    loadCheckpoint(gpu, file, b.params, b.opt);
    expect(Array.from(await gpu.read(b.params.packed('params')))).toEqual(Array.from(await gpu.read(a.params.packed('params'))));
    a.trainer.record({ x: X, traj });
    b.trainer.record({ x: X, traj });
    const [pa, pb, sa, sb] = await gpu.readMany([a.params.packed('params'), b.params.packed('params'), a.opt.state, b.opt.state]);
    expect(Array.from(pb)).toEqual(Array.from(pa));
    expect(Array.from(sb)).toEqual(Array.from(sa));

    const other = new ParamSet();
    new ProgressEstimator(other, 'estimator', { inputDim: 4, hidden: [7], activation: 'gelu' });
    other.build(gpu, 1);
    const before = gpu.stats.submits;
    expect(() => loadCheckpoint(gpu, file, other)).toThrow(/"estimator.layers.0.weight" is F32\[4, 8\] in the checkpoint but F32\[4, 7\] here/);
    expect(gpu.stats.submits).toBe(before);
    for (const s of [a, b]) { s.trainer.destroy(); s.opt.destroy(); s.est.destroy(); s.params.destroy(); }
    other.destroy();
  });
});
