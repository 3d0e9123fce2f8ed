// One SFT step of the bundled decoder (the committed model's architecture, the SFT recipe's
// initial weights, learning rate, weight decay and clipping) on one packed batch of real SFT data:
// expert episodes of the three environments' train splits rendered as the policy's prompts,
// tokenised with the bundled tokenizer, the loss on the action tokens only (rl/sft-data).
//   ours:        nn/transformer's plan.step (forward, masked CE, backward, clipped AdamW; one submit)
//   tfjs-webgpu: the same decoder written in TF.js ops, tf.variableGrads, clip by global norm,
//                decoupled weight decay and tf.train.adam, on the same adapter
//   tfjs-wasm:   the same, on the CPU peer
// Every implementation starts from the same parameters. The first loss (at those parameters) and
// the second (after one update) are compared on the shortest sequence of the batch, together
// with the float64 reference's first loss; a first loss outside FIRST_LOSS_TOL fails the suite.
//
// The TF.js steps are slow on a software adapter: they are timed on two subsets of the batch's
// sequences and extrapolated linearly in the step's arithmetic (dense products grow with the
// tokens, attention with the squared sequence lengths), the fit checked by applying it to ours.

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { getEnvSpec } from '../../src/envs/registry';
import { Gpu, summarizeProfile } from '../../src/gpu';
import { nextTokenLossRows } from '../../src/kernels/cross-entropy';
import { packRows } from '../../src/kernels/packing';
import { ropeAngle } from '../../src/kernels/rope';
import { createTransformer, type Transformer, type TransformerConfig, type TransformerPlan } from '../../src/nn/transformer';
import { splitWeights } from '../../src/nn/transformer-params';
import { transformerStepRef } from '../../src/nn/transformer.ref';
import { createBpeEncoder } from '../../src/policy/bpe-trainer';
import { fromHfConfig } from '../../src/policy/decoder-arch';
import { bpeModelFromTokenizerJson } from '../../src/policy/tokenizer-files';
import { SFT_PROMPT_OPTIONS } from '../../src/rl/sft';
import { buildSftData, type SftBatch, type SftSequence } from '../../src/rl/sft-data';
import { BUNDLED_SFT_RECIPE } from '../../src/rl/sft-recipe';
import type { BenchContext, BenchSuite } from '../suite-types';

const MODEL_URL = '/models/stepwise-tiny/';
const RECIPE = BUNDLED_SFT_RECIPE;
/** The committed model's architecture (public/models/stepwise-tiny/config.json); set first thing in run(). */
let CONFIG: TransformerConfig = RECIPE.model;
/** The recipe's peak learning rate: the step size SFT spends most of its steps near. */
const LR = RECIPE.lr.peak;
const ADAM = { beta1: 0.9, beta2: 0.999, eps: 1e-8 };
/** Expert episodes per environment the batch is drawn from (round robin, first fit). */
const EPISODES = 8;
/**
 * Relative difference allowed between two f32 first losses (and the f64 one): the implementations
 * sum the same products in different orders, which moves a loss of ~8 by ~1e-6, while a wiring
 * error (a rotary convention, a mask off by one row, a missing norm gain) moves it by more than 1e-3.
 */
const FIRST_LOSS_TOL = 1e-4;
/**
 * Relative difference allowed between the losses after one AdamW step from the same start. Looser:
 * Adam's first step moves every parameter by about ±lr whatever its gradient's size, so gradient
 * entries at rounding level can move in opposite directions in two correct implementations; the
 * step itself moves the loss by ~10%, so an error in a gradient or the update shows far above this.
 */
const SECOND_LOSS_TOL = 1e-3;

/** The batch: sequences of the train splits, round robin over the environments, first fit into the recipe's batch. */
function sftBatch(sequences: SftSequence[], maxTokens: number): { batch: SftBatch; seqs: SftSequence[] } {
  const byEnv = new Map<string, SftSequence[]>();
  for (const s of sequences) byEnv.set(s.env, [...(byEnv.get(s.env) ?? []), s]);
  const queues = [...byEnv.values()];
  const order: SftSequence[] = [];
  for (let i = 0; queues.some((q) => i < q.length); i++) for (const q of queues) if (i < q.length) order.push(q[i]);
  const seqs: SftSequence[] = [];
  let rows = 0;
  for (const s of order) {
    if (rows + s.tokens.length > maxTokens) continue;
    seqs.push(s);
    rows += s.tokens.length;
  }
  return { batch: packBatch(seqs), seqs };
}

function packBatch(seqs: SftSequence[]): SftBatch {
  const rows = seqs.reduce((n, s) => n + s.tokens.length, 0);
  const tokens = new Uint32Array(rows), lossMask = new Uint8Array(rows);
  let at = 0;
  for (const s of seqs) {
    tokens.set(s.tokens, at);
    lossMask.set(s.lossMask, at);
    at += s.tokens.length;
  }
  return { tokens, lossMask, lengths: seqs.map((s) => s.tokens.length), lossTokens: seqs.reduce((n, s) => n + s.lossTokens, 0) };
}

/**
 * Floating-point operations of one TF.js step on `batch` (forward ×3 for forward + backward):
 * the dense products per token, full L×L attention per sequence and head (TF.js computes the
 * masked half too), the LM head on the loss rows. The work measure the peers are extrapolated in.
 */
function stepFlops(batch: SftBatch): number {
  const { hiddenSize: d, intermediateSize: I, numHeads: H, numKvHeads: KV, headDim: hd, vocabSize: V, numLayers } = CONFIG;
  const perToken = 2 * numLayers * (d * (H + 2 * KV) * hd + H * hd * d + d * 2 * I + I * d);
  const tokens = batch.tokens.length;
  const attention = numLayers * H * 4 * hd * batch.lengths.reduce((n, L) => n + L * L, 0);
  return 3 * (perToken * tokens + attention + 2 * batch.lossTokens * d * V);
}

const pick = (o: object, keys: string[]) => Object.fromEntries(keys.map((k) => [k, (o as Record<string, unknown>)[k]]));

const shapeOf = (b: SftBatch) => `${b.tokens.length} tokens, ${b.lengths.length} seqs, ${b.lossTokens} loss tokens`;

/** The TF.js decoder's parameters, in the fused layout ours trains (qkv and gate|up stacked by rows). */
interface TfParams {
  embed: tf.Variable;
  finalNorm: tf.Variable;
  layers: Array<{ inNorm: tf.Variable; qkv: tf.Variable; o: tf.Variable; postNorm: tf.Variable; gateUp: tf.Variable; down: tf.Variable }>;
}

/** Ours' parameters by training name, read back from the GPU. */
async function hostParameters(model: Transformer): Promise<Map<string, { shape: number[]; data: Float32Array }>> {
  const packed = await model.gpu.read(model.params.packed('params'));
  return new Map(model.params.layout().map((e) => [e.name, { shape: e.shape, data: packed.slice(e.offset, e.offset + e.size) }]));
}

function tfParams(host: Map<string, { shape: number[]; data: Float32Array }>): { w: TfParams; all: tf.Variable[]; decayed: tf.Variable[]; reset: () => void } {
  const all: tf.Variable[] = [], decayed: tf.Variable[] = [];
  const initial = (name: string) => {
    const t = host.get(name);
    if (!t) throw new Error(`sft-step: ours has no parameter ${name}`);
    return tf.tensor(t.data, t.shape);
  };
  const v = (name: string, decay: boolean) => {
    const x = tf.variable(initial(name), true, name);
    all.push(x);
    if (decay) decayed.push(x);
    return x;
  };
  // Weight decay on the matrices only, as nn/transformer registers them.
  const w: TfParams = {
    embed: v('model.embed_tokens.weight', true),
    layers: Array.from({ length: CONFIG.numLayers }, (_, l) => {
      const p = `model.layers.${l}.`;
      return {
        inNorm: v(`${p}input_layernorm.weight`, false), qkv: v(`${p}self_attn.qkv_proj.weight`, true), o: v(`${p}self_attn.o_proj.weight`, true),
        postNorm: v(`${p}post_attention_layernorm.weight`, false), gateUp: v(`${p}mlp.gate_up_proj.weight`, true), down: v(`${p}mlp.down_proj.weight`, true),
      };
    }),
    finalNorm: v('model.norm.weight', false),
  };
  const reset = () => tf.tidy(() => { for (const x of all) x.assign(initial(x.name)); });
  return { w, all, decayed, reset };
}

/**
 * The mean masked next-token loss of `batch` in TF.js ops. `oneHot`: gathers as one-hot products
 * (tfjs-wasm has no UnsortedSegmentSum, the gradient of a gather); otherwise tf.gather.
 */
function tfLoss(batch: SftBatch, w: TfParams, oneHot: boolean): { lossFn: () => tf.Scalar; dispose: () => void } {
  const { hiddenSize: d, numHeads: H, numKvHeads: KV, headDim: hd, vocabSize: V, rmsNormEps: eps, ropeTheta } = CONFIG;
  const packed = packRows(batch.lengths);
  const T = batch.tokens.length;
  const loss = nextTokenLossRows(batch.tokens, batch.lossMask, packed.offsets, V);
  const M = loss.rows.length;
  const half = hd / 2;
  const cos = new Float32Array(T * half), sin = new Float32Array(T * half);
  for (let r = 0; r < T; r++) {
    for (let i = 0; i < half; i++) {
      const a = ropeAngle(packed.position[r], i, hd, ropeTheta);
      cos[r * half + i] = Math.cos(a);
      sin[r * half + i] = Math.sin(a);
    }
  }
  const targets = new Float32Array(M * V);
  loss.targets.forEach((t, i) => { targets[i * V + t] = 1; });
  const owned: tf.Tensor[] = [];
  const keep = <X extends tf.Tensor>(x: X): X => { owned.push(x); return x; };
  const tCos = keep(tf.tensor3d(cos, [T, 1, half])), tSin = keep(tf.tensor3d(sin, [T, 1, half]));
  const tTargets = keep(tf.tensor2d(targets, [M, V]));
  let tokenIn: tf.Tensor, rowsIn: tf.Tensor;
  if (oneHot) {
    const tok = new Float32Array(T * V), sel = new Float32Array(M * T);
    batch.tokens.forEach((t, r) => { tok[r * V + t] = 1; });
    loss.rows.forEach((r, i) => { sel[i * T + r] = 1; });
    tokenIn = keep(tf.tensor2d(tok, [T, V]));
    rowsIn = keep(tf.tensor2d(sel, [M, T]));
  } else {
    tokenIn = keep(tf.tensor1d(Int32Array.from(batch.tokens), 'int32'));
    rowsIn = keep(tf.tensor1d(Int32Array.from(loss.rows), 'int32'));
  }
  // Causal mask per sequence length: 0 on and below the diagonal, −1e9 above.
  const masks = new Map<number, tf.Tensor2D>();
  for (const L of batch.lengths) {
    if (masks.has(L)) continue;
    const m = new Float32Array(L * L);
    for (let i = 0; i < L; i++) for (let j = i + 1; j < L; j++) m[i * L + j] = -1e9;
    masks.set(L, keep(tf.tensor2d(m, [L, L])));
  }
  const scale = 1 / Math.sqrt(hd);
  const rms = (x: tf.Tensor, g: tf.Tensor) => tf.mul(tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), eps))), g);
  // rotate_half on [T, heads, hd]: (x₁, x₂) → (x₁cos − x₂sin, x₂cos + x₁sin).
  const rope = (x: tf.Tensor) => {
    const [a, b] = tf.split(x, 2, 2);
    return tf.concat([tf.sub(tf.mul(a, tCos), tf.mul(b, tSin)), tf.add(tf.mul(b, tCos), tf.mul(a, tSin))], 2);
  };
  const lossFn = (): tf.Scalar => {
    let x: tf.Tensor = oneHot ? tf.matMul(tokenIn as tf.Tensor2D, w.embed as tf.Tensor2D) : tf.gather(w.embed, tokenIn);
    for (const p of w.layers) {
      const qkv = tf.matMul(rms(x, p.inNorm) as tf.Tensor2D, p.qkv as tf.Tensor2D, false, true);
      const [q, k, v] = tf.split(qkv, [H * hd, KV * hd, KV * hd], 1);
      const qr = rope(tf.reshape(q, [T, H, hd])), kr = rope(tf.reshape(k, [T, KV, hd])), vr = tf.reshape(v, [T, KV, hd]);
      // Attention inside each packed sequence: [heads, L, L] scores, causal mask, softmax.
      const outs = batch.lengths.map((L, s) => {
        const at = packed.offsets[s];
        const head = (t: tf.Tensor, n: number) => tf.transpose(tf.slice(t, [at, 0, 0], [L, n, hd]), [1, 0, 2]) as tf.Tensor3D;
        const scores = tf.add(tf.mul(tf.matMul(head(qr, H), head(kr, KV), false, true), scale), masks.get(L)!);
        const o = tf.matMul(tf.softmax(scores), head(vr, KV));
        return tf.reshape(tf.transpose(o, [1, 0, 2]), [L, H * hd]);
      });
      const o = outs.length === 1 ? outs[0] : tf.concat(outs, 0);
      const x1 = tf.add(x, tf.matMul(o as tf.Tensor2D, p.o as tf.Tensor2D, false, true));
      const [g, u] = tf.split(tf.matMul(rms(x1, p.postNorm) as tf.Tensor2D, p.gateUp as tf.Tensor2D, false, true), 2, 1);
      x = tf.add(x1, tf.matMul(tf.mul(tf.mul(g, tf.sigmoid(g)), u) as tf.Tensor2D, p.down as tf.Tensor2D, false, true));
    }
    const hidden = rms(x, w.finalNorm) as tf.Tensor2D;
    const hm = oneHot ? tf.matMul(rowsIn as tf.Tensor2D, hidden) : tf.gather(hidden, rowsIn);
    const logits = tf.matMul(hm as tf.Tensor2D, w.embed as tf.Tensor2D, false, true);
    return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), tTargets), 1))) as tf.Scalar;
  };
  if (KV !== H) throw new Error('sft-step: the TF.js peer is written for numKvHeads = numHeads (no grouped-query attention)');
  return { lossFn, dispose: () => tf.dispose(owned) };
}

/** One TF.js step (gradients, clip by global norm, decoupled weight decay, Adam) recorded but not read. */
function tfUpdate(lossFn: () => tf.Scalar, params: { all: tf.Variable[]; decayed: tf.Variable[] }, opt: tf.Optimizer): tf.Scalar {
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(lossFn, params.all);
    // Pairwise adds, not tf.addN: compiled ahead (below), one addN over every parameter binds more
    // storage buffers than a stage may have.
    const norm = tf.sqrt(Object.values(grads).map((g) => tf.sum(tf.square(g))).reduce((a, c) => tf.add(a, c)));
    const clip = tf.minimum(1, tf.div(RECIPE.maxGradNorm, tf.add(norm, 1e-6)));
    // p ← p·(1 − lr·λ) − lr·m̂/(√v̂ + ε): the decay uses the parameter before the Adam update, as AdamW does.
    for (const p of params.decayed) p.assign(tf.mul(p, 1 - LR * RECIPE.weightDecay));
    opt.applyGradients(Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.mul(g, clip)])));
    return value;
  });
}

interface Subsets { small: SftBatch; large: SftBatch; full: SftBatch }

/** Two timed points (small, large) → ms of the full batch, linear in stepFlops. */
function extrapolate(b: Subsets, small: number, large: number): number {
  const [fs, fl, ff] = [stepFlops(b.small), stepFlops(b.large), stepFlops(b.full)];
  return large + Math.max(0, (large - small) / (fl - fs)) * (ff - fl);
}

interface Losses { first: number; second: number }

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
const tokensPerS = (batch: SftBatch, ms: number) => batch.tokens.length / (ms / 1000);

async function oursBench(ctx: BenchContext, gpu: Gpu, b: Subsets): Promise<{ model: Transformer; losses: Losses; host: Map<string, { shape: number[]; data: Float32Array }> }> {
  const model = await createTransformer(gpu, CONFIG, { seed: RECIPE.weightSeed }, { adam: { lr: LR, weightDecay: RECIPE.weightDecay, maxGradNorm: RECIPE.maxGradNorm } });
  const host = await hostParameters(model);
  // As rl/sft plans it (the recipe's batch, its fixed matmul variant).
  const plan: TransformerPlan = await model.plan({
    maxTokens: RECIPE.batchTokens, maxSequences: b.full.lengths.length, maxLossTokens: b.full.lossTokens,
    maxPositions: RECIPE.batchTokens, backward: true, matmulVariant: 'regblock',
  });
  const timedStep = async (batch: SftBatch) => {
    const t = performance.now();
    const r = await plan.step(batch, LR);
    return { loss: r.loss, ms: performance.now() - t };
  };
  // The first step on the small subset is the first run of every pipeline; its second is timed.
  // Nothing is compiled per size, so the large subset and the full batch are timed on their first step.
  const first = (await timedStep(b.small)).loss;
  const small = await timedStep(b.small);
  const large = await timedStep(b.large);
  ctx.log(`sft-step: ours on the subsets ${small.ms.toFixed(0)} / ${large.ms.toFixed(0)} ms`);
  const full = await timedStep(b.full);
  const fit = extrapolate(b, small.ms, large.ms);
  const shape = shapeOf(b.full);
  const { entries } = await gpu.profile(() => plan.step(b.full, LR));
  let where = 'no timestamp-query on this adapter';
  if (entries) {
    const rows = summarizeProfile(entries);
    const total = rows.reduce((s, r) => s + r.ms, 0);
    const top = rows.filter((r) => r.ms >= 0.01 * total);
    for (const r of top) ctx.record({ bench: 'sft-step-profile', impl: `${r.label} (${r.calls}×)`, shape, ms: r.ms, note: `${(100 * r.ms / total).toFixed(1)}% of ${total.toFixed(0)} ms` });
    const rest = rows.filter((r) => r.ms < 0.01 * total);
    if (rest.length) ctx.record({ bench: 'sft-step-profile', impl: `${rest.length} other kernels`, shape, ms: rest.reduce((s, r) => s + r.ms, 0) });
    where = rows.slice(0, 4).map((r) => `${r.label} ${(100 * r.ms / total).toFixed(0)}%`).join(', ');
  }
  ctx.record({ bench: 'sft-step', impl: 'wgsl (ours)', shape: shapeOf(b.small), per_s: tokensPerS(b.small, small.ms), unit: 'tokens' });
  ctx.record({ bench: 'sft-step', impl: 'wgsl (ours)', shape: shapeOf(b.large), per_s: tokensPerS(b.large, large.ms), unit: 'tokens' });
  ctx.record({
    bench: 'sft-step', impl: 'wgsl (ours)', shape, per_s: tokensPerS(b.full, full.ms), unit: 'tokens',
    note: `plan.step with the recipe's matmul variant (regblock); the small subset's second step timed, the large subset's and the full batch's first (pipelines are compiled with the plan, sizes are uniforms); ${full.ms.toFixed(0)} ms on the full batch, where the peers' extrapolation from the subsets would predict ${fit.toFixed(0)} ms (${(fit / full.ms).toFixed(2)}× the measured); profile: ${where}`,
  });
  ctx.log(`sft-step: ours ${full.ms.toFixed(0)} ms/step (extrapolated from the subsets ${fit.toFixed(0)} ms); ${where}`);
  return { model, losses: { first, second: small.loss }, host };
}

/** The webgpu backend's parallel compilation (WEBGPU_ENGINE_COMPILE_ONLY + checkCompileCompletionAsync). */
interface CompilingBackend { checkCompileCompletionAsync(): Promise<void> }

async function peerBench(ctx: BenchContext, backend: 'webgpu' | 'wasm', b: Subsets, host: Map<string, { shape: number[]; data: Float32Array }>, ours: Losses, f64First: number): Promise<void> {
  await tf.setBackend(backend);
  await tf.ready();
  const oneHot = backend === 'wasm';
  const params = tfParams(host);
  /**
   * `steps` steps from the shared initial parameters with a fresh optimiser; returns each loss and
   * time. TF.js keys its programs by shape, so the batch's shapes are prepared first: on webgpu by
   * compiling one step without running it (the slow part on a software adapter is running), on
   * wasm, which compiles nothing, by one untimed step.
   */
  const steps = async (batch: SftBatch, n: number) => {
    const loss = tfLoss(batch, params.w, oneHot);
    const warm = tf.train.adam(LR, ADAM.beta1, ADAM.beta2, ADAM.eps);
    if (backend === 'webgpu') {
      tf.env().set('WEBGPU_ENGINE_COMPILE_ONLY', true);
      try {
        tf.dispose(tfUpdate(loss.lossFn, params, warm));
        await (tf.backend() as unknown as CompilingBackend).checkCompileCompletionAsync();
      } finally {
        tf.env().set('WEBGPU_ENGINE_COMPILE_ONLY', false);
      }
    } else {
      const v = tfUpdate(loss.lossFn, params, warm);
      await v.data();
      v.dispose();
    }
    warm.dispose();
    params.reset();
    const opt = tf.train.adam(LR, ADAM.beta1, ADAM.beta2, ADAM.eps);
    const out: Array<{ loss: number; ms: number }> = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const v = tfUpdate(loss.lossFn, params, opt);
      const [x] = await v.data();
      v.dispose();
      out.push({ loss: x, ms: performance.now() - t0 });
    }
    loss.dispose();
    opt.dispose();
    return out;
  };
  // The loss after one update is compared on wasm only (the same TF.js program; a step on the
  // software webgpu adapter costs more than the rest of the suite's budget allows).
  const checkSecond = backend === 'wasm';
  const [s1, s2] = await steps(b.small, checkSecond ? 2 : 1);
  ctx.log(`sft-step: tfjs-${backend} small subset ${s1.ms.toFixed(0)}${s2 ? ` / ${s2.ms.toFixed(0)}` : ''} ms`);
  const d1 = rel(s1.loss, ours.first), d64 = rel(s1.loss, f64First), d2 = s2 ? rel(s2.loss, ours.second) : NaN;
  if (!(d1 <= FIRST_LOSS_TOL && d64 <= FIRST_LOSS_TOL)) {
    throw new Error(`sft-step: tfjs-${backend}'s first loss ${s1.loss} differs from ours ${ours.first} (rel. ${d1.toExponential(1)}) or the f64 reference ${f64First} (rel. ${d64.toExponential(1)}) by more than ${FIRST_LOSS_TOL}`);
  }
  if (s2 && !(d2 <= SECOND_LOSS_TOL)) throw new Error(`sft-step: tfjs-${backend}'s loss after one step ${s2.loss} differs from ours ${ours.second} (rel. ${d2.toExponential(1)}) by more than ${SECOND_LOSS_TOL}`);
  const [l1] = await steps(b.large, 1);
  // Both small-subset steps (wasm) ran warm: the faster one counts (this machine is shared).
  const small = Math.min(s1.ms, s2?.ms ?? Infinity), large = l1.ms;
  const ms = extrapolate(b, small, large);
  const layout = oneHot ? 'gathers as one-hot products (no UnsortedSegmentSum in tfjs-wasm)' : 'tf.gather';
  const warm = backend === 'webgpu' ? 'compiled beforehand (WEBGPU_ENGINE_COMPILE_ONLY)' : 'after an untimed step';
  const impl = `tfjs-${backend}`;
  ctx.record({ bench: 'sft-step', impl, shape: shapeOf(b.small), per_s: tokensPerS(b.small, small), unit: 'tokens' });
  ctx.record({ bench: 'sft-step', impl, shape: shapeOf(b.large), per_s: tokensPerS(b.large, large), unit: 'tokens' });
  ctx.record({
    bench: 'sft-step', impl, shape: shapeOf(b.full), per_s: tokensPerS(b.full, ms), unit: 'tokens',
    note: `full batch extrapolated linearly in the step's FLOPs from the two subsets (${small.toFixed(0)} ms${s2 ? ', the faster of two steps' : ''}; ${large.toFixed(0)} ms) to ${ms.toFixed(0)} ms; tf.variableGrads + clip + decoupled decay + tf.train.adam, per-sequence attention, ${layout}, shapes ${warm}; ` +
      `on ${shapeOf(b.small)}: first loss ${s1.loss.toPrecision(7)} vs ours ${ours.first.toPrecision(7)} (rel. ${d1.toExponential(1)})${s2 ? `, after one step ${s2.loss.toPrecision(7)} vs ours ${ours.second.toPrecision(7)} (rel. ${d2.toExponential(1)})` : ''}`,
  });
  ctx.log(`sft-step: ${impl} ${ms.toFixed(0)} ms/step extrapolated (${small.toFixed(0)} / ${large.toFixed(0)} ms on the subsets); first loss rel. diff ${d1.toExponential(1)}${s2 ? `, second ${d2.toExponential(1)}` : ''}`);
  tf.disposeVariables();
}

export const suite: BenchSuite = {
  name: 'sft-step',
  where: 'browser',
  async run(ctx) {
    const t0 = performance.now();
    const [tokenizerJson, config] = await Promise.all(['tokenizer.json', 'config.json'].map(async (f) => {
      const r = await fetch(MODEL_URL + f);
      if (!r.ok) throw new Error(`sft-step: ${MODEL_URL}${f}: HTTP ${r.status}`);
      return r.json() as Promise<Record<string, unknown>>;
    }));
    // The committed model's architecture; the recipe gives the step's settings (lr, decay, clip, batch).
    CONFIG = fromHfConfig(config);
    if (JSON.stringify(RECIPE.model) !== JSON.stringify({ ...RECIPE.model, ...pick(CONFIG, Object.keys(RECIPE.model)) })) {
      ctx.log(`sft-step: note: the SFT recipe's model differs from the committed config.json; benchmarking the committed one`);
    }
    const encode = createBpeEncoder(bpeModelFromTokenizerJson(tokenizerJson as unknown as Parameters<typeof bpeModelFromTokenizerJson>[0]));
    const data = buildSftData(['household', 'webshop', 'virtualhome'].map(getEnvSpec), { encode }, { split: 'train', episodes: EPISODES, prompt: SFT_PROMPT_OPTIONS, maxLength: RECIPE.batchTokens });
    const { batch: full } = sftBatch(data.sequences, RECIPE.batchTokens);
    ctx.log(`sft-step: data ${data.stats.map((x) => `${x.env} ${x.sequences} sequences`).join(', ')}`);
    if (data.stats.some((x) => x.sequences === 0)) throw new Error(`sft-step: every environment must give SFT sequences (${data.stats.map((x) => `${x.env} ${x.sequences}`).join(', ')})`);
    // The peers' subsets: the shortest sequence of the data, and the two shortest (from the same
    // episodes; not necessarily in the batch, which may hold only a few long sequences).
    const byLength = [...data.sequences].sort((a, c) => a.tokens.length - c.tokens.length);
    const b: Subsets = { small: packBatch(byLength.slice(0, 1)), large: packBatch(byLength.slice(0, 2)), full };
    const dims = `${CONFIG.numLayers} layers, d=${CONFIG.hiddenSize}, ffn ${CONFIG.intermediateSize}, ${CONFIG.numHeads} heads, vocab ${CONFIG.vocabSize}`;
    ctx.describe('sft-step', {
      title: 'One SFT step of the bundled decoder: tokens/s',
      baseline: 'tfjs-webgpu',
      about: `Tokens per second of one full training step (forward, masked next-token loss, backward, global-norm clipping, AdamW; one readback of the loss) of the committed model (config.json: ${dims}) from seeded initial weights as SFT starts (seed ${RECIPE.weightSeed}) and the SFT recipe's lr ${LR}, weight decay ${RECIPE.weightDecay}, clip ${RECIPE.maxGradNorm}. ` +
        `The batch is real SFT data: expert episodes of the train splits of household, webshop and virtualhome (first ${EPISODES} each, round robin, first fit into the recipe's ${RECIPE.batchTokens}-token batch: sequences of ${full.lengths.join(', ')} tokens), rendered as the policy's prompts, the loss on the action tokens and end-of-turn markers only. ` +
        `TF.js runs the same decoder (fused qkv and gate|up products, rotate_half rotary, causal attention per packed sequence, SwiGLU, tied LM head on the loss rows) from the same parameters. ` +
        `On the shortest sequence every implementation's first loss (at the shared parameters) must agree with ours and the float64 reference within ${FIRST_LOSS_TOL} relative, and (on wasm) the loss after one update with ours within ${SECOND_LOSS_TOL}; the suite fails otherwise (the notes give the values). ` +
        'The first two columns are measured for every implementation on subsets of the data (its shortest sequence; its two shortest); in the full-batch column ours is measured and the TF.js figures are extrapolated from their two subset timings, linearly in the step\'s FLOPs (ours\' note shows what the same fit predicts for ours). Ratio = speed relative to tfjs-webgpu on the same column.',
    });
    ctx.describe('sft-step-profile', {
      title: 'Where our SFT step spends its GPU time (timestamp queries)',
      baseline: '',
      about: 'Sum of per-dispatch GPU time by kernel (pipeline label; calls per step in parentheses) for one step on the batch above. Each dispatch runs in its own pass while profiling, so the sum exceeds the pipelined step. Kernels under 1% are summed in the last row.',
    });
    ctx.log(`sft-step: data ${((performance.now() - t0) / 1000).toFixed(1)} s; batch ${shapeOf(full)}; subsets ${shapeOf(b.small)} | ${shapeOf(b.large)}`);

    await import('@tensorflow/tfjs-core/dist/register_all_gradients');
    const gpu = await Gpu.create();
    setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
    const ours = await oursBench(ctx, gpu, b);
    // The float64 reference's first loss on the small subset: the anchor both f32 sides are checked against.
    const hf = splitWeights(CONFIG, Object.fromEntries([...ours.host].map(([k, t]) => [k, t.data])));
    const f64 = transformerStepRef(CONFIG, Object.fromEntries(Object.entries(hf).map(([k, t]) => [k, Float64Array.from(t.data)])), b.small, { backward: false }).loss;
    const d = rel(ours.losses.first, f64);
    if (!(d <= FIRST_LOSS_TOL)) throw new Error(`sft-step: ours' first loss ${ours.losses.first} differs from the f64 reference's ${f64} (rel. ${d.toExponential(1)}) by more than ${FIRST_LOSS_TOL}`);
    ctx.log(`sft-step: first loss on ${shapeOf(b.small)}: ours ${ours.losses.first}, f64 ${f64} (rel. ${d.toExponential(1)})`);
    ours.model.destroy();
    for (const backend of ['webgpu', 'wasm'] as const) await peerBench(ctx, backend, b, ours.host, ours.losses, f64);
    gpu.destroy();
  },
};
