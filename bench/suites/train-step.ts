// One full update step (forward, backward, optimiser; one submit, one small readback of the
// loss) for the two training workloads of Stepwise, against the same maths in TensorFlow.js on
// webgpu (same adapter) and wasm (the CPU peer), and the float64 reference:
//   (a) the SPA progress estimator [2·d → 256 → 1], d = 256, on 4096 steps of 512 trajectories;
//   (b) a PPO minibatch: policy adapter (split first layer, 256 hidden) over ~20 candidates per
//       state plus the value head [256 → 256 → 1], 1024 states (4096 until the suite took 218 s
//       of its 260 s limit; 2048 still took 196 s on a moderately loaded host, 70 s of it the
//       matmul autotuning of the plans at capacity: a smaller minibatch shrinks every step, every
//       peer prefix and that tuning; it is still 16x the default training minibatch of 64 states).
// Every implementation starts from the same parameters; the first step's loss is compared on a
// prefix of the batch. Ours runs the full batch through capacity plans; the slow peers are timed
// on prefixes and extrapolated (see timePeer), so the suite fits half its limit on a slow machine.

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { Gpu, summarizeProfile, type Tensor } from '../../src/gpu';
import { seededFloats } from '../../src/gpu/testing';
import type { AdamConfig } from '../../src/kernels/adam';
import { adamStepRef, type AdamRefState } from '../../src/kernels/adam.ref';
import { DEFAULT_PPO, PPO_BATCH_COL, PPO_BATCH_STRIDE, type PpoConfig } from '../../src/kernels/ppo';
import { offsetsFromSizes } from '../../src/kernels/segments';
import { PolicyAdapter, ProgressEstimator, ValueHead } from '../../src/nn/heads';
import { estimatorStepRef, hostParams, packGrads, ppoStepGradRef } from '../../src/nn/nn.ref';
import { AdamW } from '../../src/nn/optimizer';
import { ParamSet } from '../../src/nn/params';
import { EstimatorBatchBuffer, EstimatorTrainer, PpoBatchBuffer, PpoTrainer } from '../../src/nn/trainers';
import { timeIt, type BenchContext, type BenchSuite } from '../suite-types';

const D = 256;          // feature width of φ(s) and ψ(a)
const HIDDEN = 256;
const ADAM: AdamConfig = { lr: 1e-4, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: true, maxGradNorm: 1 };
const PPO: PpoConfig = { ...DEFAULT_PPO, klCoef: 0.05, klEstimator: 'k3', entCoef: 0.01 };
const KAPPA = 1;
const MIN_C = 5, MAX_C = 35;

/** Ragged sizes in [lo, hi] that sum exactly to `total` (seeded). */
function raggedSizes(count: number, total: number, lo: number, hi: number, seed: number): number[] {
  const sizes = new Array<number>(count).fill(Math.floor(total / count));
  for (let i = 0; i < total % count; i++) sizes[i]++;
  const r = seededFloats(4 * count, seed, 0, 1);
  for (let i = 0; i < count; i++) {
    const j = Math.floor(r[2 * i] * count);
    const d = Math.floor(r[2 * i + 1] * (hi - lo));
    const move = Math.min(d, sizes[i] - lo, hi - sizes[j]);
    if (move > 0 && i !== j) { sizes[i] -= move; sizes[j] += move; }
  }
  return sizes;
}

/** Parameters for both sides: the ParamSet's seeded init, then every tensor re-drawn small and non-zero. */
function sharedInit(gpu: Gpu, params: ParamSet, seed: number): Float32Array {
  const host = params.initialValues(seed);
  for (const e of params.layout()) {
    const bound = e.shape.length === 2 ? Math.sqrt(6 / e.shape[0]) : 0.05;
    host.set(seededFloats(e.size, seed + e.offset, -bound, bound), e.offset);
  }
  gpu.write(params.packed('params'), host);
  return host;
}

function slice(params: ParamSet, host: Float32Array, name: string): Float32Array {
  const e = params.layout().find((x) => x.name === name);
  if (!e) throw new Error(`no parameter ${name}`);
  return host.slice(e.offset, e.offset + e.size);
}

function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): tf.NamedTensorMap {
  const norm = tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))));
  const scale = tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6)));
  return Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.mul(g, scale)]));
}

/** One TF.js step: tf.variableGrads, global-norm clipping, Adam; returns the loss (read back). */
function tfStep(lossFn: () => tf.Scalar, vars: tf.Variable[], opt: tf.Optimizer): () => Promise<number> {
  return async () => {
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(lossFn, vars);
      opt.applyGradients(clipByGlobalNorm(grads, ADAM.maxGradNorm!));
      return value;
    });
    const [v] = await loss.data();
    loss.dispose();
    return v;
  };
}

/**
 * Logs how long each phase of the suite took since the last mark, and how much of it our pipeline
 * cache spent compiling (summed per pipeline, so overlapping compiles count twice): for sizing
 * the suite against its limit. The largest phase was building the PPO plans (70-80 s at 2048
 * states on the loaded machine, only 1-2 s of it compiling): by elimination the matmul autotuner, which
 * times the variants of every product at the plans' capacity (kernels/dense.ts, autotune.ts) in a
 * fresh browser profile with no stored choices, so it shrinks with the minibatch as the steps do.
 */
function phaseTimer(ctx: BenchContext, gpu: Gpu, what: string): (phase: string) => void {
  let last = performance.now(), lastCompile = gpu.pipelines.compileMs;
  return (phase) => {
    const t = performance.now(), c = gpu.pipelines.compileMs;
    const compiled = c > lastCompile ? ` (our pipeline compiles ${((c - lastCompile) / 1000).toFixed(1)} s)` : '';
    ctx.log(`${what}: ${phase} took ${((t - last) / 1000).toFixed(1)} s${compiled}`);
    last = t;
    lastCompile = c;
  };
}

async function profileRows(ctx: BenchContext, gpu: Gpu, shape: string, record: () => void): Promise<string> {
  const { entries } = await gpu.profile(record);
  if (!entries) return 'no timestamp-query on this adapter';
  const rows = summarizeProfile(entries);
  const total = rows.reduce((s, r) => s + r.ms, 0);
  for (const r of rows.slice(0, 8)) ctx.record({ bench: 'train-step-profile', impl: r.label, shape, ms: r.ms });
  const rest = rows.slice(8).reduce((s, r) => s + r.ms, 0);
  if (rest > 0) ctx.record({ bench: 'train-step-profile', impl: 'everything else', shape, ms: rest });
  return rows.slice(0, 4).map((r) => `${r.label} ${(100 * r.ms / total).toFixed(0)}%`).join(', ');
}

/**
 * The slow peers (TF.js) are timed on two prefixes of the batch and extrapolated linearly in the
 * work (steps or candidates) to the full batch, as the float64 reference is scaled: a full-size
 * TF.js PPO step alone takes minutes on a software adapter. Two points, not one, so a fixed
 * per-step cost is not multiplied by the scale factor.
 */
interface PeerTiming {
  /** ms per step extrapolated to the full batch. */
  ms: number;
  /** Loss at the shared initial parameters, on the large prefix. */
  first: number;
  note: string;
}

async function timePeer(
  sizes: { small: number; large: number; full: number; unit: string },
  build: (which: 'small' | 'large') => { step: () => Promise<number>; dispose: () => void },
  resetVariables: () => void,
): Promise<PeerTiming> {
  // TF.js keys some programs by shape: each size gets an untimed step first, which compiles them.
  const timed = async (which: 'small' | 'large') => {
    const b = build(which);
    await b.step();
    if (which === 'large') resetVariables(); // its timed step's loss is at the shared starting point
    const t0 = performance.now();
    const loss = await b.step();
    const ms = performance.now() - t0;
    b.dispose();
    return { ms, loss };
  };
  const large = await timed('large');
  if (sizes.large === sizes.full) return { ms: large.ms, first: large.loss, note: 'one step timed after an untimed one' };
  const small = await timed('small');
  const slope = Math.max(0, (large.ms - small.ms) / (sizes.large - sizes.small));
  const ms = large.ms + slope * (sizes.full - sizes.large);
  return {
    ms, first: large.loss,
    note: `one step timed at ${sizes.small} and ${sizes.large} ${sizes.unit} (${small.ms.toFixed(0)} ms, ${large.ms.toFixed(0)} ms; each after an untimed step at that size) and extrapolated linearly to ${sizes.full}`,
  };
}

async function estimatorBench(ctx: BenchContext, gpu: Gpu): Promise<void> {
  const T = ctx.quick ? 512 : 4096, B = ctx.quick ? 64 : 512, IN = 2 * D;
  const shape = `${T} steps / ${B} traj, [${IN}→${HIDDEN}→1]`;
  const sizes = raggedSizes(B, T, 1, 15, 7);
  const offsets = offsetsFromSizes(sizes);
  const x = seededFloats(T * IN, 11, -1, 1);
  const R = seededFloats(B, 12, 0, 1);
  // TF.js takes seconds, not minutes, per estimator step: it is timed on the whole batch (the
  // 'large' prefix), where every implementation's first loss is compared.
  const prefix = { small: B / 8, large: B };
  const stepsOf = (b: number) => offsets[b];

  // Ours: one training plan for the full batch.
  const mark = phaseTimer(ctx, gpu, 'estimator');
  const params = new ParamSet();
  const est = new ProgressEstimator(params, 'estimator', { inputDim: IN, hidden: [HIDDEN], activation: 'relu' });
  params.build(gpu, 1);
  const init = sharedInit(gpu, params, 21);
  const opt = await AdamW.create(gpu, params, ADAM);
  const plan = await est.plan(gpu, { maxStates: T, backward: true });
  const trainer = await EstimatorTrainer.create(gpu, { train: plan }, opt);
  const input = new EstimatorBatchBuffer(gpu, IN, T);
  const Bl = prefix.large, Tl = stepsOf(Bl);
  trainer.record(input.load(x.subarray(0, Tl * IN), offsets.subarray(0, Bl + 1), R.subarray(0, Bl)));
  const oursFirst = (await trainer.readMetrics()).mse;
  const batch = input.load(x, offsets, R);
  const oursMs = await timeIt(async () => { trainer.record(batch); await trainer.readMetrics(); }, { minReps: 3, minMs: 1500, maxReps: 10 });
  const where = await profileRows(ctx, gpu, 'estimator', () => trainer.record(batch));
  ctx.record({ bench: 'train-step', impl: 'wgsl (ours)', shape, ms: oursMs, note: `profile: ${where}` });
  ctx.log(`estimator: ours ${oursMs.toFixed(1)} ms/step (${where})`);
  mark('ours');

  // TF.js, same maths and starting point.
  for (const backend of ['webgpu', 'wasm'] as const) {
    await tf.setBackend(backend);
    await tf.ready();
    const initial = (name: string) => slice(params, init, name);
    const W1 = tf.variable(tf.tensor2d(initial('estimator.layers.0.weight'), [IN, HIDDEN]));
    const b1 = tf.variable(tf.tensor1d(initial('estimator.layers.0.bias')));
    const W2 = tf.variable(tf.tensor2d(initial('estimator.layers.1.weight'), [HIDDEN, 1]));
    const b2 = tf.variable(tf.tensor1d(initial('estimator.layers.1.bias')));
    const opt = tf.train.adam(ADAM.lr, ADAM.beta1, ADAM.beta2, ADAM.eps);
    const build = (which: 'small' | 'large') => {
      const Bx = prefix[which], Tx = stepsOf(Bx);
      // The per-trajectory sum as a [B × T] 0/1 matrix product: tfjs-wasm has no UnsortedSegmentSum.
      const member = new Float32Array(Bx * Tx);
      for (let i = 0; i < Bx; i++) for (let t = offsets[i]; t < offsets[i + 1]; t++) member[i * Tx + t] = 1;
      const tX = tf.tensor2d(x.subarray(0, Tx * IN), [Tx, IN]), tSeg = tf.tensor2d(member, [Bx, Tx]), tR = tf.tensor2d(R.subarray(0, Bx), [Bx, 1]);
      const lossFn = () => {
        const h = tf.relu(tf.add(tf.matMul(tX, W1), b1));
        const c = tf.add(tf.matMul(h, W2), b2);
        return tf.mean(tf.square(tf.sub(tf.matMul(tSeg, c), tR))) as tf.Scalar;
      };
      return { step: tfStep(lossFn, [W1, b1, W2, b2], opt), dispose: () => tf.dispose([tX, tSeg, tR]) };
    };
    const reset = () => tf.tidy(() => {
      W1.assign(tf.tensor2d(initial('estimator.layers.0.weight'), [IN, HIDDEN])); b1.assign(tf.tensor1d(initial('estimator.layers.0.bias')));
      W2.assign(tf.tensor2d(initial('estimator.layers.1.weight'), [HIDDEN, 1])); b2.assign(tf.tensor1d(initial('estimator.layers.1.bias')));
    });
    const p = await timePeer({ small: stepsOf(prefix.small), large: Tl, full: T, unit: 'steps' }, build, reset);
    const agree = Math.abs(p.first - oursFirst) / Math.abs(oursFirst);
    ctx.record({ bench: 'train-step', impl: `tfjs-${backend}`, shape, ms: p.ms, note: `tf.variableGrads + clip + Adam; ${p.note}; first loss ${p.first.toPrecision(6)} vs ours ${oursFirst.toPrecision(6)} (rel. diff ${agree.toExponential(1)})` });
    ctx.log(`estimator: tfjs-${backend} ${p.ms.toFixed(1)} ms/step (${p.note})`);
    mark(`tfjs-${backend}`);
    opt.dispose();
    tf.disposeVariables();
  }

  // Float64 reference (forward, backward, Adam) on the first quarter of the trajectories, scaled
  // by steps: plain loops, linear in the steps with nothing fixed per step.
  const Bq = B / 4, Tq = stepsOf(Bq);
  let state: AdamRefState = { params: Float64Array.from(init), m: new Float64Array(params.size), v: new Float64Array(params.size), step: 0 };
  const t0 = performance.now();
  const ref = estimatorStepRef(hostParams(params, state.params), 'estimator', [IN, HIDDEN, 1], 'relu', x.subarray(0, Tq * IN), offsets.subarray(0, Bq + 1), R.subarray(0, Bq));
  state = adamStepRef(state, packGrads(params, ref.grads), ADAM, params.decayEnd).state;
  const refMs = (performance.now() - t0) * (T / Tq);
  mark('f64 reference');
  ctx.record({ bench: 'train-step', impl: 'f64-reference', shape, ms: refMs, note: `timed on the first ${Bq} trajectories (${Tq} steps) and scaled ×${(T / Tq).toFixed(2)}; loss there ${ref.loss.toPrecision(6)}` });
  input.destroy(); trainer.destroy(); plan.destroy(); opt.destroy(); est.destroy(); params.destroy();
}

async function ppoBench(ctx: BenchContext, gpu: Gpu): Promise<void> {
  const S = ctx.quick ? 256 : 1024, N = 20 * S;
  const shape = `${S} states, ${N} candidates, d=${D}, hidden ${HIDDEN}`;
  const sizes = raggedSizes(S, N, MIN_C, MAX_C, 3);
  const offsets = offsetsFromSizes(sizes);
  const phi = seededFloats(S * D, 31, -1, 1), psi = seededFloats(N * D, 32, -1, 1), prior = seededFloats(N, 33, -6, 0);
  const chosen = Uint32Array.from(sizes, (n, i) => (i * 7) % n);
  const adapterSpec = { stateDim: D, actionDim: D, hidden: [HIDDEN], activation: 'relu' as const, kappa: KAPPA };
  // State prefixes: the peers are timed on these; every first loss is compared on the large one.
  const prefix = { small: S / 32, large: S / 8 };

  const params = new ParamSet();
  const adapter = new PolicyAdapter(params, 'policy', adapterSpec);
  const value = new ValueHead(params, 'value', { inputDim: D, hidden: [HIDDEN], activation: 'relu' });
  params.build(gpu, 2);
  const init = sharedInit(gpu, params, 41);
  // Rollout data: old log-probs near the initial policy's, advantages, old values and returns.
  const noise = seededFloats(4 * S, 42, -1, 1);
  const rollout = new Float32Array(S * PPO_BATCH_STRIDE);
  for (let s = 0; s < S; s++) rollout.set([-Math.log(sizes[s]) + 0.3 * noise[4 * s], noise[4 * s + 1], 0.5 * noise[4 * s + 2], noise[4 * s + 3]], s * PPO_BATCH_STRIDE);
  // The KL reference: the prior's log softmax(κ·ℓ)(a*), which the TF.js loss below computes itself.
  for (let s = 0; s < S; s++) {
    let m = -Infinity, z = 0;
    for (let j = offsets[s]; j < offsets[s + 1]; j++) m = Math.max(m, KAPPA * prior[j]);
    for (let j = offsets[s]; j < offsets[s + 1]; j++) z += Math.exp(KAPPA * prior[j] - m);
    rollout[s * PPO_BATCH_STRIDE + PPO_BATCH_COL.lpRef] = KAPPA * prior[offsets[s] + chosen[s]] - m - Math.log(z);
  }
  /** The host data of the first `Sx` states. */
  const hostPrefix = (Sx: number) => {
    const Nx = offsets[Sx];
    return { phi: phi.subarray(0, Sx * D), psi: psi.subarray(0, Nx * D), prior: prior.subarray(0, Nx), offsets: offsets.subarray(0, Sx + 1), chosen: chosen.subarray(0, Sx), rollout: rollout.subarray(0, Sx * PPO_BATCH_STRIDE) };
  };

  // Ours: one pair of training plans for the full minibatch; the cross-check runs a prefix through them.
  const mark = phaseTimer(ctx, gpu, 'ppo');
  const opt = await AdamW.create(gpu, params, ADAM);
  mark('ours: optimiser');
  const cap = { maxStates: S, maxCandidates: N, backward: true };
  const [policyPlan, valuePlan] = await Promise.all([adapter.plan(gpu, cap), value.plan(gpu, cap)]);
  mark('ours: plans (matmul autotuning at capacity)');
  const ppo = await PpoTrainer.create(gpu, { policy: policyPlan, value: valuePlan }, [opt], PPO);
  const input = new PpoBatchBuffer(gpu, adapterSpec, { maxStates: S, maxCandidates: N });
  mark('ours: trainer and batch buffer');
  const Sl = prefix.large, Nl = offsets[Sl];
  ppo.record(input.load(hostPrefix(Sl)));
  const oursFirst = (await ppo.readMetrics()).loss;
  mark('ours: prefix step');
  const batch = input.load(hostPrefix(S));
  // The prefix step compiled every pipeline, but the first step at full size still pays for
  // touching the full-capacity buffers (2-3x a later step, in the old code as in the new): one
  // untimed full step, then one timed.
  const oursMs = await timeIt(async () => { ppo.record(batch); await ppo.readMetrics(); }, { minReps: 1, minMs: 0, maxReps: 1 });
  mark('ours: untimed + timed full steps');
  const where = await profileRows(ctx, gpu, 'ppo', () => ppo.record(batch));
  mark('ours: profiled step');
  ctx.record({ bench: 'train-step', impl: 'wgsl (ours)', shape, ms: oursMs, note: `profile: ${where}` });
  ctx.log(`ppo: ours ${oursMs.toFixed(1)} ms/step (${where})`);

  // TF.js: the same network. On webgpu the candidates stay ragged (gather the state half onto its
  // candidates, pad only the logits for the softmax). tfjs-wasm cannot differentiate a gather (no
  // UnsortedSegmentSum kernel), so there every state gets maxC candidate slots and the state half
  // is a broadcast add: more rows (S·maxC instead of N), no gathers in the gradient.
  const maxC = Math.max(...sizes);
  type Vars = Record<'Ws' | 'Wa' | 'b1' | 'W2' | 'b2' | 'Wv1' | 'bv1' | 'Wv2' | 'bv2', tf.Variable>;
  const VAR_NAMES: Record<keyof Vars, [string, number[]]> = {
    Ws: ['policy.state_in.weight', [D, HIDDEN]], Wa: ['policy.action_in.weight', [D, HIDDEN]], b1: ['policy.in.bias', [HIDDEN]],
    W2: ['policy.trunk.layers.0.weight', [HIDDEN, 1]], b2: ['policy.trunk.layers.0.bias', [1]],
    Wv1: ['value.layers.0.weight', [D, HIDDEN]], bv1: ['value.layers.0.bias', [HIDDEN]],
    Wv2: ['value.layers.1.weight', [HIDDEN, 1]], bv2: ['value.layers.1.bias', [1]],
  };
  /** The TF.js loss over the first `Sx` states. */
  const tfPpoLoss = (Sx: number, ragged: boolean, w: Vars) => {
    const Nx = offsets[Sx];
    const padIdx = new Int32Array(Sx * maxC).fill(Nx), maskBias = new Float32Array(Sx * maxC).fill(-1e9);
    const setIdx = new Int32Array(Nx), onehot = new Float32Array(Sx * maxC);
    const psiPad = ragged ? new Float32Array(0) : new Float32Array(Sx * maxC * D), priorPad = new Float32Array(Sx * maxC);
    for (let s = 0; s < Sx; s++) {
      for (let j = offsets[s]; j < offsets[s + 1]; j++) {
        const slot = s * maxC + j - offsets[s];
        padIdx[slot] = j; maskBias[slot] = 0; setIdx[j] = s; priorPad[slot] = prior[j];
        if (!ragged) psiPad.set(psi.subarray(j * D, (j + 1) * D), slot * D);
      }
      onehot[s * maxC + chosen[s]] = 1;
    }
    const col = (k: number) => Float32Array.from({ length: Sx }, (_, s) => rollout[s * PPO_BATCH_STRIDE + k]);
    const tPhi = tf.tensor2d(phi.subarray(0, Sx * D), [Sx, D]), tMask = tf.tensor2d(maskBias, [Sx, maxC]), tOnehot = tf.tensor2d(onehot, [Sx, maxC]);
    const tPsi = ragged ? tf.tensor2d(psi.subarray(0, Nx * D), [Nx, D]) : tf.tensor2d(psiPad, [Sx * maxC, D]);
    const tPrior = ragged ? tf.tensor1d(prior.subarray(0, Nx)) : tf.tensor2d(priorPad, [Sx, maxC]);
    const tSet = tf.tensor1d(setIdx, 'int32'), tPad = tf.tensor2d(padIdx, [Sx, maxC], 'int32');
    const [lpOld, adv, vOld, ret] = [0, 1, 2, 3].map((k) => tf.tensor1d(col(k)));
    // Per-candidate logits → [Sx × maxC] with masked slots.
    const padded = (z: tf.Tensor) => tf.add(ragged ? tf.gather(tf.concat([z as tf.Tensor1D, tf.zeros([1])]), tPad) : z, tMask);
    const lpPrior = tf.tidy(() => tf.sum(tf.mul(tf.logSoftmax(padded(tf.mul(tPrior, KAPPA))), tOnehot), 1));
    const lossFn = () => {
      const hs = tf.matMul(tPhi, w.Ws);
      const ha = tf.add(tf.matMul(tPsi, w.Wa), w.b1);
      const h1 = ragged
        ? tf.relu(tf.add(ha, tf.gather(hs, tSet)))
        : tf.reshape(tf.relu(tf.add(tf.reshape(ha, [Sx, maxC, HIDDEN]), tf.reshape(hs, [Sx, 1, HIDDEN]))), [Sx * maxC, HIDDEN]);
      const score = tf.add(tf.matMul(h1, w.W2), w.b2);
      const logits = tf.add(tf.mul(tPrior, KAPPA), ragged ? tf.reshape(score, [Nx]) : tf.reshape(score, [Sx, maxC]));
      const logp = tf.logSoftmax(padded(logits));
      const lp = tf.sum(tf.mul(logp, tOnehot), 1);
      const H = tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), 1));
      const ratio = tf.exp(tf.clipByValue(tf.sub(lp, lpOld), -20, 20));
      const pg = tf.maximum(tf.neg(tf.mul(adv, ratio)), tf.neg(tf.mul(adv, tf.clipByValue(ratio, 1 - PPO.clipLow, 1 + PPO.clipHigh))));
      const V = tf.reshape(tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(tPhi, w.Wv1), w.bv1)), w.Wv2), w.bv2), [Sx]);
      const vClip = tf.add(vOld, tf.clipByValue(tf.sub(V, vOld), -PPO.valueClip!, PPO.valueClip!));
      const vf = tf.mul(0.5, tf.maximum(tf.square(tf.sub(V, ret)), tf.square(tf.sub(vClip, ret))));
      const d = tf.clipByValue(tf.sub(lpPrior, lp), -20, 20);
      const kl = tf.minimum(tf.sub(tf.sub(tf.exp(d), d), 1), 10);
      return tf.mean(tf.add(tf.add(pg, tf.mul(PPO.vfCoef, vf)), tf.sub(tf.mul(PPO.klCoef, kl), tf.mul(PPO.entCoef, H)))) as tf.Scalar;
    };
    return { lossFn, dispose: () => tf.dispose([tPhi, tPsi, tPrior, tSet, tPad, tMask, tOnehot, lpOld, adv, vOld, ret, lpPrior]) };
  };
  for (const backend of ['webgpu', 'wasm'] as const) {
    await tf.setBackend(backend);
    await tf.ready();
    const ragged = backend === 'webgpu';
    const initial = (k: keyof Vars) => tf.tensor(slice(params, init, VAR_NAMES[k][0]), VAR_NAMES[k][1]);
    const w = Object.fromEntries((Object.keys(VAR_NAMES) as (keyof Vars)[]).map((k) => [k, tf.variable(initial(k))])) as Vars;
    const opt = tf.train.adam(ADAM.lr, ADAM.beta1, ADAM.beta2, ADAM.eps);
    const build = (which: 'small' | 'large') => {
      const loss = tfPpoLoss(prefix[which], ragged, w);
      return { step: tfStep(loss.lossFn, Object.values(w), opt), dispose: loss.dispose };
    };
    const reset = () => tf.tidy(() => { for (const k of Object.keys(VAR_NAMES) as (keyof Vars)[]) w[k].assign(initial(k)); });
    const p = await timePeer({ small: offsets[prefix.small], large: Nl, full: N, unit: 'candidates' }, build, reset);
    const agree = Math.abs(p.first - oursFirst) / Math.abs(oursFirst);
    const layout = ragged ? `ragged candidates, padded only for the softmax (max ${maxC})` : `every state padded to ${maxC} candidate slots`;
    ctx.record({ bench: 'train-step', impl: `tfjs-${backend}`, shape, ms: p.ms, note: `tf.variableGrads + clip + Adam, ${layout}; ${p.note}; initial loss on the first ${Sl} states ${p.first.toPrecision(6)} vs ours ${oursFirst.toPrecision(6)} (rel. diff ${agree.toExponential(1)})` });
    ctx.log(`ppo: tfjs-${backend} ${p.ms.toFixed(1)} ms/step (${p.note})`);
    mark(`tfjs-${backend}`);
    opt.dispose();
    tf.disposeVariables();
  }

  // Float64 reference on the large prefix (its cost is linear in the candidates), scaled to the full batch.
  const adapterRef = { prefix: 'policy', ...adapterSpec }, valueRef = { prefix: 'value', sizes: [D, HIDDEN, 1], activation: 'relu' as const };
  let state: AdamRefState = { params: Float64Array.from(init), m: new Float64Array(params.size), v: new Float64Array(params.size), step: 0 };
  const t0 = performance.now();
  const { loss: refLoss, grads } = ppoStepGradRef(hostParams(params, state.params), adapterRef, valueRef, hostPrefix(Sl), PPO);
  state = adamStepRef(state, packGrads(params, grads), ADAM, params.decayEnd).state;
  const refMs = (performance.now() - t0) * (N / Nl);
  mark('f64 reference');
  const agree = Math.abs(refLoss - oursFirst) / Math.abs(oursFirst);
  ctx.record({ bench: 'train-step', impl: 'f64-reference', shape, ms: refMs, note: `timed on the first ${Sl} states (${Nl} candidates) and scaled ×${(N / Nl).toFixed(2)}; loss there ${refLoss.toPrecision(6)} vs ours ${oursFirst.toPrecision(6)} (rel. diff ${agree.toExponential(1)})` });

  input.destroy(); ppo.destroy(); policyPlan.destroy(); valuePlan.destroy(); opt.destroy(); adapter.destroy(); value.destroy(); params.destroy();
}

export const suite: BenchSuite = {
  name: 'train-step',
  where: 'browser',
  async run(ctx) {
    ctx.describe('train-step', {
      title: 'One full update step: forward, backward, optimiser (f32)',
      baseline: 'tfjs-webgpu',
      about: 'ms per step, each step ending with one readback of the loss. Ours records the whole step (forward, loss, ' +
        'backward, global-norm clipping, Adam) into one command encoder and submits once. TF.js runs the same maths ' +
        'from the same initial parameters with tf.variableGrads, clip-by-global-norm and tf.train.adam; its ragged ' +
        'softmax is a padded log-softmax with masked slots. The float64 reference is the plain-JS reference the tests ' +
        'check the kernels against. Ratio = speed relative to tfjs-webgpu (higher is faster).',
    });
    ctx.describe('train-step-profile', {
      title: 'Where our step spends its GPU time (timestamp queries)',
      baseline: '',
      about: 'Sum of per-dispatch GPU time by kernel for one step of each workload (each dispatch in its own pass, so totals exceed the pipelined step).',
    });
    // tfjs-core alone registers no gradients (the tfjs union package does). Imported here, in the
    // page, because the harness also imports this module in Node, where this file cannot load.
    await import('@tensorflow/tfjs-core/dist/register_all_gradients');
    const gpu = await Gpu.create();
    setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
    await estimatorBench(ctx, gpu);
    await ppoBench(ctx, gpu);
    gpu.destroy();
  },
};
