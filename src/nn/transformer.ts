// The decoder's training step on the GPU: forward over packed sequences, the masked next-token
// loss, backpropagation to every parameter, and AdamW with global-norm clipping, recorded into
// one command encoder per step; only the loss and the gradient norm are read back. It is the
// float64 step of transformer.ref.ts in the same order, kernel for kernel:
//
//   x₀ = E[tokens]
//   per layer:  h₁ = rms(x)·g₁        qkv = rope(h₁·[W_q;W_k;W_v]ᵀ + b)     o = attn(qkv)
//               x₁ = x + o·W_oᵀ       h₂ = rms(x₁)·g₂   gu = h₂·[W_gate;W_up]ᵀ   x' = x₁ + swiglu(gu)·W_downᵀ
//   hidden = rms(x_L)·g        logits = hidden[lossRows]·Eᵀ (tied) or ·W_headᵀ
//   loss = mean over loss rows of −log softmax(logits)[target]
//
// Residual adds are matmuls with `accumulate` onto a copy of the stream; the backward runs one
// residual-gradient buffer through the layers, the norms adding their input gradient into it.
// The tied embedding's gradient is the LM head's product (written) plus the token scatter-add.

import type { Gpu, Tensor } from '../gpu';
import { ADAM_STATE, type AdamConfig } from '../kernels/adam';
import { Attention, fusedQkvLayout } from '../kernels/attention';
import { PreparedColsum } from '../kernels/colsum';
import { nextTokenLossRows, SoftmaxCrossEntropy } from '../kernels/cross-entropy';
import { RowGather } from '../kernels/embedding';
import { assertCount, assertWithin } from '../kernels/grid';
import { prepareMatmul, type MatmulForm, type MatmulSize, type MatmulVariant, type PreparedMatmul } from '../kernels/matmul';
import { packRows } from '../kernels/packing';
import { partialCount, PreparedReduce } from '../kernels/reduce';
import { RmsNorm } from '../kernels/rmsnorm';
import { Rope } from '../kernels/rope';
import { SwiGlu } from '../kernels/swiglu';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';
import { AdamW } from './optimizer';
import { ParamSet, type Param } from './params';
import { decodeTransformerWeights, encodeTransformerWeights, fusedParameters, fuseWeights, gateUpName, qkvName, splitWeights, type TransformerWeights } from './transformer-params';
import type { TransformerBatch, TransformerConfig } from './transformer.ref';

export type { TransformerBatch, TransformerConfig } from './transformer.ref';

/** Where a model's first weights come from. */
export type TransformerInit =
  /** Seeded: matrices N(0, std²) (default std 0.02), norm gains 1, biases 0. */
  | { seed: number; std?: number }
  /** Given weights in the Hugging Face layout (e.g. the bundled model's). */
  | { weights: TransformerWeights };

export interface TransformerOptions {
  /** AdamW settings (lr is the default a step uses when it is given none). Default: lr 1e-3, decay 0.01, clip 1. */
  adam?: Partial<AdamConfig>;
}

/** What a plan is sized for. */
export interface TransformerCapacity {
  /** Most tokens (rows) of one packed batch. */
  maxTokens: number;
  /** Most sequences in one batch (default maxTokens). */
  maxSequences?: number;
  /** Most loss-carrying tokens in one batch (default maxTokens); the logits are [this × vocab]. */
  maxLossTokens?: number;
  /** Positions 0 … maxPositions−1 have rotary angles (default maxTokens: no sequence is longer). */
  maxPositions?: number;
  /** Allocate gradient scratch and compile the backward (false: an evaluation plan). */
  backward: boolean;
  /** Force one matmul variant (tests); default: the autotuner's pick per product. */
  matmulVariant?: MatmulVariant | 'auto';
}

export interface StepResult {
  /** Mean next-token cross-entropy over the loss tokens, before the update. */
  loss: number;
  /** Global L2 norm of the gradient, before clipping. */
  gradNorm: number;
  /** The factor the gradient was scaled by (1 when not clipped). */
  clipScale: number;
  /** The learning rate used. */
  lr: number;
  tokens: number;
  lossTokens: number;
}

export interface EvalResult {
  loss: number;
  /** Fraction of loss tokens whose argmax is the target. */
  accuracy: number;
  tokens: number;
  lossTokens: number;
}

/** The decoder model: its parameters on the GPU, its optimiser, and the plans that train it. */
export class Transformer {
  private optimizer_: AdamW | null = null;
  private optimizerPending: Promise<AdamW> | null = null;
  private readonly plans = new Set<TransformerPlan>();
  readonly embed: Param;
  readonly lmHead: Param | null;
  readonly finalNorm: Param;
  readonly layers: Array<{ inNorm: Param; qkv: Param; qkvBias: Param | null; o: Param; postNorm: Param; gateUp: Param; down: Param }>;

  private constructor(readonly gpu: Gpu, readonly config: TransformerConfig, readonly params: ParamSet, readonly adamConfig: AdamConfig) {
    const get = (name: string) => {
      const p = params.params.find((q) => q.name === name);
      if (!p) throw new Error(`transformer: no parameter ${name}`);
      return p;
    };
    this.embed = get('model.embed_tokens.weight');
    this.lmHead = config.tieWordEmbeddings ? null : get('lm_head.weight');
    this.finalNorm = get('model.norm.weight');
    this.layers = Array.from({ length: config.numLayers }, (_, l) => {
      const p = `model.layers.${l}.`;
      return {
        inNorm: get(`${p}input_layernorm.weight`), qkv: get(qkvName(l, 'weight')), qkvBias: config.attentionBias ? get(qkvName(l, 'bias')) : null,
        o: get(`${p}self_attn.o_proj.weight`), postNorm: get(`${p}post_attention_layernorm.weight`), gateUp: get(gateUpName(l)), down: get(`${p}mlp.down_proj.weight`),
      };
    });
  }

  static async create(gpu: Gpu, config: TransformerConfig, init: TransformerInit, options: TransformerOptions = {}): Promise<Transformer> {
    validateConfig(config);
    const std = 'seed' in init ? init.std ?? 0.02 : 0;
    const params = new ParamSet();
    for (const f of fusedParameters(config)) {
      // Weight decay on the matrices only (norm gains and biases are not shrunk toward zero).
      params.add(f.name, f.shape, { init: f.kind === 'matrix' && std > 0 ? { kind: 'normal', std } : { kind: 'zeros' }, decay: f.kind === 'matrix' });
    }
    params.build(gpu, 'seed' in init ? init.seed : 0);
    const adam: AdamConfig = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled: true, maxGradNorm: 1, ...options.adam };
    const model = new Transformer(gpu, config, params, adam);
    if ('weights' in init) model.loadWeights(init.weights);
    else for (const p of params.params) if (p.name.endsWith('norm.weight')) gpu.write(p.value, new Float32Array(p.size).fill(1));
    return model;
  }

  /** The AdamW state (moments, step count); created by the first training plan. */
  get optimizer(): AdamW | null {
    return this.optimizer_;
  }

  /** Compiles the kernels and allocates every buffer a batch of up to this capacity needs. */
  async plan(capacity: TransformerCapacity): Promise<TransformerPlan> {
    // Two training plans made at once share one optimiser.
    if (capacity.backward) this.optimizer_ ??= await (this.optimizerPending ??= AdamW.create(this.gpu, this.params, this.adamConfig));
    const p = await TransformerPlan.create(this, capacity, () => this.plans.delete(p));
    this.plans.add(p);
    return p;
  }

  /** Overwrites the parameters with HF-named weights (validated against the config first). */
  loadWeights(weights: TransformerWeights): void {
    const fused = fuseWeights(this.config, weights);
    const host = new Float32Array(this.params.size);
    for (const e of this.params.layout()) host.set(fused[e.name], e.offset);
    this.gpu.write(this.params.packed('params'), host);
  }

  /** The parameters in the Hugging Face layout (what onnx-decoder-writer and safetensors take). */
  async exportWeights(): Promise<TransformerWeights> {
    return this.splitPacked(await this.gpu.read(this.params.packed('params')));
  }

  /** The parameters as a Hugging Face model.safetensors (HF names; see encodeTransformerWeights). */
  async saveWeights(metadata: Record<string, string> = {}): Promise<Uint8Array> {
    return encodeTransformerWeights(this.config, await this.exportWeights(), metadata);
  }

  /** Loads a model.safetensors of this architecture; returns its metadata. */
  loadWeightsFile(bytes: Uint8Array): Record<string, string> {
    const { weights, metadata } = decodeTransformerWeights(this.config, bytes);
    this.loadWeights(weights);
    return metadata;
  }

  /** The gradients of the last backward, under the HF parameter names. */
  async readGradients(): Promise<TransformerWeights> {
    return this.splitPacked(await this.gpu.read(this.params.packed('grads')));
  }

  private splitPacked(packed: Float32Array): TransformerWeights {
    const fused: Record<string, Float32Array> = {};
    for (const e of this.params.layout()) fused[e.name] = packed.subarray(e.offset, e.offset + e.size);
    return splitWeights(this.config, fused);
  }

  /** Parameters and optimiser state as one safetensors checkpoint (fused training names), for resuming. */
  saveCheckpoint(metadata: Record<string, string> = {}): Promise<Uint8Array> {
    return saveCheckpoint(this.gpu, this.params, this.optimizer_ ?? undefined, { ...metadata, 'transformer.config': JSON.stringify(this.config) });
  }

  /** Restores a checkpoint of this architecture (with its optimiser state when this model has an optimiser). */
  loadCheckpoint(bytes: Uint8Array): Record<string, string> {
    return loadCheckpoint(this.gpu, bytes, this.params, this.optimizer_ ?? undefined);
  }

  destroy(): void {
    for (const p of [...this.plans]) p.destroy();
    this.optimizer_?.destroy();
    this.params.destroy();
  }
}

export function createTransformer(gpu: Gpu, config: TransformerConfig, init: TransformerInit, options?: TransformerOptions): Promise<Transformer> {
  return Transformer.create(gpu, config, init, options);
}

export function validateConfig(c: TransformerConfig): void {
  for (const k of ['vocabSize', 'hiddenSize', 'intermediateSize', 'numLayers', 'numHeads', 'numKvHeads', 'headDim'] as const) assertCount(c[k], `transformer ${k}`);
  if (c.numHeads % c.numKvHeads !== 0) throw new RangeError(`transformer: numHeads (${c.numHeads}) must be a multiple of numKvHeads (${c.numKvHeads})`);
  if (c.headDim % 2 !== 0) throw new RangeError(`transformer: headDim (${c.headDim}) must be even for rotary positions`);
  if (!(c.rmsNormEps > 0) || !(c.ropeTheta > 0)) throw new RangeError('transformer: rmsNormEps and ropeTheta must be > 0');
}

interface LayerBuffers {
  x: Tensor; h1: Tensor; rstd1: Tensor; qkv: Tensor; o: Tensor; lse: Tensor;
  x1: Tensor; h2: Tensor; rstd2: Tensor; gu: Tensor; act: Tensor;
}

interface Kernels {
  tokens: RowGather;
  lossRows: RowGather;
  norm: RmsNorm;
  rope: Rope;
  attention: Attention;
  swiglu: SwiGlu;
  ce: SoftmaxCrossEntropy;
  sum: PreparedReduce;
  biasSum: PreparedColsum | null;
  mm: Record<MatmulName, PreparedMatmul>;
}

type MatmulName = 'qkv' | 'oAcc' | 'gateUp' | 'downAcc' | 'logits' | 'dHead' | 'dHidden' | 'dDown' | 'dAct' | 'dGateUp' | 'dH2' | 'dO' | 'dOut' | 'dQkv' | 'dH1';

interface BatchShape { rows: number; lossRows: number }

/** One model's kernels and buffers for batches of up to `capacity.maxTokens` tokens. */
export class TransformerPlan {
  private destroyed = false;
  private batch: BatchShape | null = null;

  private constructor(
    readonly model: Transformer,
    readonly capacity: Readonly<Required<TransformerCapacity>>,
    private readonly k: Kernels,
    private readonly io: { positions: Tensor<'u32'>; starts: Tensor<'u32'> },
    private readonly layers: LayerBuffers[],
    private readonly top: { xL: Tensor; hidden: Tensor; rstdF: Tensor; hm: Tensor; logits: Tensor; nll: Tensor; lse: Tensor; correct: Tensor; sums: Tensor; scratch: Tensor },
    private readonly grads: { dres: Tensor; dh: Tensor; dO: Tensor; dqkv: Tensor; dgu: Tensor; dact: Tensor; dhm: Tensor } | null,
    private readonly owned: Tensor[],
    private readonly onDestroy: () => void,
  ) {}

  static async create(model: Transformer, cap: TransformerCapacity, onDestroy: () => void): Promise<TransformerPlan> {
    const gpu = model.gpu;
    const c = model.config;
    const R = cap.maxTokens;
    assertCount(R, 'transformer plan maxTokens');
    const capacity: Required<TransformerCapacity> = {
      maxTokens: R, maxSequences: cap.maxSequences ?? R, maxLossTokens: cap.maxLossTokens ?? R,
      maxPositions: cap.maxPositions ?? R, backward: cap.backward, matmulVariant: cap.matmulVariant ?? 'auto',
    };
    assertWithin(capacity.maxLossTokens, R, 'transformer plan maxLossTokens');
    assertWithin(capacity.maxSequences, R, 'transformer plan maxSequences');
    assertCount(capacity.maxPositions, 'transformer plan maxPositions');
    const Mx = capacity.maxLossTokens;
    const { hiddenSize: d, intermediateSize: I, numHeads: H, numKvHeads: KV, headDim: hd, vocabSize: V } = c;
    const q = H * hd;
    const ld = fusedQkvLayout({ heads: H, kvHeads: KV, headDim: hd }).ld;
    const backward = cap.backward;

    const variant = capacity.matmulVariant;
    const mmSpecs: Record<MatmulName, { form: MatmulForm; M: number; N: number; K: number; accumulate?: boolean; hasBias?: boolean; backward?: boolean }> = {
      qkv: { form: 'nt', M: R, N: ld, K: d, hasBias: c.attentionBias },
      oAcc: { form: 'nt', M: R, N: d, K: q, accumulate: true },
      gateUp: { form: 'nt', M: R, N: 2 * I, K: d },
      downAcc: { form: 'nt', M: R, N: d, K: I, accumulate: true },
      logits: { form: 'nt', M: Mx, N: V, K: d },
      dHead: { form: 'tn', M: V, N: d, K: Mx, backward: true },
      dHidden: { form: 'nn', M: Mx, N: d, K: V, backward: true },
      dDown: { form: 'tn', M: d, N: I, K: R, backward: true },
      dAct: { form: 'nn', M: R, N: I, K: d, backward: true },
      dGateUp: { form: 'tn', M: 2 * I, N: d, K: R, backward: true },
      dH2: { form: 'nn', M: R, N: d, K: 2 * I, backward: true },
      dO: { form: 'tn', M: d, N: q, K: R, backward: true },
      dOut: { form: 'nn', M: R, N: q, K: d, backward: true },
      dQkv: { form: 'tn', M: ld, N: d, K: R, backward: true },
      dH1: { form: 'nn', M: R, N: d, K: ld, backward: true },
    };
    const mmEntries = Object.entries(mmSpecs).filter(([, s]) => backward || !s.backward) as Array<[MatmulName, (typeof mmSpecs)[MatmulName]]>;
    // Sequential: the autotuner times one shape at a time on a device anyway.
    const mm = {} as Record<MatmulName, PreparedMatmul>;
    for (const [name, s] of mmEntries) {
      mm[name] = await prepareMatmul(gpu, { form: s.form, M: s.M, N: s.N, K: s.K }, { accumulate: !!s.accumulate, hasBias: !!s.hasBias, variant });
    }
    const [tokens, lossRows, norm, rope, attention, swiglu, ce, sum, biasSum] = await Promise.all([
      RowGather.create(gpu, { cols: d, tableRows: V, maxRows: R }),
      RowGather.create(gpu, { cols: d, tableRows: R, maxRows: Mx }),
      RmsNorm.create(gpu, { dim: d, eps: c.rmsNormEps, maxRows: R }),
      Rope.create(gpu, { headDim: hd, theta: c.ropeTheta, maxPositions: capacity.maxPositions }),
      Attention.create(gpu, { heads: H, kvHeads: KV, headDim: hd, maxRows: R }),
      SwiGlu.create(gpu, { inner: I, maxRows: R }),
      SoftmaxCrossEntropy.create(gpu, { vocab: V, maxRows: Mx }),
      PreparedReduce.create(gpu, 'sum'),
      backward && c.attentionBias ? PreparedColsum.create(gpu, { rows: R, cols: ld }) : Promise.resolve(null),
    ]);
    const owned: Tensor[] = [];
    const t = <D extends 'f32' | 'u32' = 'f32'>(shape: number[], label: string, dtype?: D): Tensor<D> => {
      const x = gpu.empty(shape, (dtype ?? 'f32') as D, label);
      owned.push(x);
      return x;
    };
    const io = { positions: t([R], 'tf-positions', 'u32'), starts: t([R], 'tf-starts', 'u32') };
    // A training plan keeps every layer's activations for the backward; an evaluation plan
    // reuses one set (each layer only reads the stream its predecessor wrote).
    const sets = backward ? c.numLayers : 1;
    const made: LayerBuffers[] = [];
    for (let l = 0; l < sets; l++) {
      made.push({
        x: t([R, d], `tf-x${l}`), h1: t([R, d], `tf-h1.${l}`), rstd1: t([R], `tf-rstd1.${l}`), qkv: t([R, ld], `tf-qkv${l}`),
        o: t([R, q], `tf-o${l}`), lse: t([H * R], `tf-lse${l}`), x1: t([R, d], `tf-x1.${l}`), h2: t([R, d], `tf-h2.${l}`),
        rstd2: t([R], `tf-rstd2.${l}`), gu: t([R, 2 * I], `tf-gu${l}`), act: t([R, I], `tf-act${l}`),
      });
    }
    const layers = Array.from({ length: c.numLayers }, (_, l) => made[l % sets]);
    const top = {
      xL: t([R, d], 'tf-xL'), hidden: t([R, d], 'tf-hidden'), rstdF: t([R], 'tf-rstdF'), hm: t([Mx, d], 'tf-hm'),
      logits: t([Mx, V], 'tf-logits'), nll: t([Mx], 'tf-nll'), lse: t([Mx], 'tf-ce-lse'), correct: t([Mx], 'tf-correct'),
      sums: t([4], 'tf-sums'), scratch: t([partialCount(Mx)], 'tf-sum-scratch'),
    };
    const grads = backward ? {
      dres: t([R, d], 'tf-dres'), dh: t([R, d], 'tf-dh'), dO: t([R, q], 'tf-dO'), dqkv: t([R, ld], 'tf-dqkv'),
      dgu: t([R, 2 * I], 'tf-dgu'), dact: t([R, I], 'tf-dact'), dhm: t([Mx, d], 'tf-dhm'),
    } : null;
    const k: Kernels = { tokens, lossRows, norm, rope, attention, swiglu, ce, sum, biasSum, mm };
    return new TransformerPlan(model, capacity, k, io, layers, top, grads, owned, onDestroy);
  }

  private ensure(): void {
    if (this.destroyed) throw new Error('transformer: this plan was destroyed');
  }

  /**
   * Validates the batch and uploads its indices (every queue write happens here, before anything
   * of the step is recorded, so the step stays one command buffer).
   */
  private setBatch(batch: TransformerBatch, lossRows?: { rows: Uint32Array; targets: Uint32Array }): BatchShape {
    const c = this.model.config;
    const cap = this.capacity;
    assertWithin(batch.lengths.length, cap.maxSequences, 'transformer batch sequences');
    const packed = packRows(batch.lengths);
    const rows = packed.start.length;
    assertWithin(rows, cap.maxTokens, 'transformer batch tokens');
    if (batch.tokens.length !== rows) throw new RangeError(`transformer batch: ${batch.tokens.length} tokens for sequences of ${rows} in all`);
    const loss = lossRows ?? nextTokenLossRows(batch.tokens, batch.lossMask, packed.offsets, c.vocabSize);
    assertWithin(loss.rows.length, cap.maxLossTokens, 'transformer batch loss tokens');
    this.k.rope.checkPositions(packed.position);
    const gpu = this.model.gpu;
    this.k.tokens.setIndex(batch.tokens);
    this.k.lossRows.setIndex(loss.rows);
    this.k.ce.setTargets(loss.targets);
    gpu.write(this.io.positions, packed.position);
    gpu.write(this.io.starts, packed.start);
    return (this.batch = { rows, lossRows: loss.rows.length });
  }

  private mm(name: MatmulName, a: Tensor, b: Tensor, c: Tensor, size: MatmulSize, bias?: Tensor): void {
    this.k.mm[name].record(a, b, c, bias, size);
  }

  /** Copies the first `n` floats of src to dst (the residual stream before an accumulating product). */
  private copyRows(src: Tensor, dst: Tensor, n: number): void {
    this.model.gpu.commandEncoder().copyBufferToBuffer(src.buffer, src.byteOffset ?? 0, dst.buffer, dst.byteOffset ?? 0, n * 4);
  }

  private recordForward(b: BatchShape): void {
    const m = this.model, c = m.config, k = this.k;
    const { hiddenSize: d, intermediateSize: I, numHeads: H, numKvHeads: KV, headDim: hd, vocabSize: V } = c;
    const ld = k.attention.layout.ld;
    const N = b.rows;
    k.tokens.gather(m.embed.value, this.layers[0].x);
    m.layers.forEach((p, l) => {
      const s = this.layers[l];
      k.norm.forward({ x: s.x, weight: p.inNorm.value, y: s.h1, rstd: s.rstd1 }, N);
      this.mm('qkv', s.h1, p.qkv.value, s.qkv, { M: N, N: ld, K: d }, p.qkvBias?.value);
      k.rope.record(s.qkv, this.io.positions, { rows: N, heads: H + KV, ld, offset: 0 }, 'forward');
      k.attention.forward({ start: this.io.starts, qkv: s.qkv, o: s.o, lse: s.lse }, N);
      this.copyRows(s.x, s.x1, N * d);
      this.mm('oAcc', s.o, p.o.value, s.x1, { M: N, N: d, K: H * hd });
      k.norm.forward({ x: s.x1, weight: p.postNorm.value, y: s.h2, rstd: s.rstd2 }, N);
      this.mm('gateUp', s.h2, p.gateUp.value, s.gu, { M: N, N: 2 * I, K: d });
      k.swiglu.forward({ gu: s.gu, act: s.act }, N);
      const next = l + 1 < c.numLayers ? this.layers[l + 1].x : this.top.xL;
      this.copyRows(s.x1, next, N * d);
      this.mm('downAcc', s.act, p.down.value, next, { M: N, N: d, K: I });
    });
    const t = this.top;
    k.norm.forward({ x: t.xL, weight: m.finalNorm.value, y: t.hidden, rstd: t.rstdF }, N);
    k.lossRows.gather(t.hidden, t.hm);
    this.mm('logits', t.hm, (m.lmHead ?? m.embed).value, t.logits, { M: b.lossRows, N: V, K: d });
  }

  private recordBackward(b: BatchShape): void {
    const m = this.model, c = m.config, k = this.k, t = this.top, g = this.grads!;
    const { hiddenSize: d, intermediateSize: I, numHeads: H, numKvHeads: KV, headDim: hd, vocabSize: V } = c;
    const ld = k.attention.layout.ld;
    const N = b.rows, Ml = b.lossRows;
    const gpu = m.gpu;
    const head = m.lmHead ?? m.embed;
    // t.logits now holds ∂L/∂logits (the cross-entropy wrote it in place).
    this.mm('dHead', t.logits, t.hm, head.grad, { M: V, N: d, K: Ml });
    this.mm('dHidden', t.logits, head.value, g.dhm, { M: Ml, N: d, K: V });
    gpu.commandEncoder().clearBuffer(g.dh.buffer, g.dh.byteOffset ?? 0, N * d * 4);
    k.lossRows.scatterAdd(g.dhm, g.dh);
    k.norm.backward({ x: t.xL, weight: m.finalNorm.value, rstd: t.rstdF, dy: g.dh, dx: g.dres, dweight: m.finalNorm.grad }, N);
    for (let l = c.numLayers - 1; l >= 0; l--) {
      const p = m.layers[l], s = this.layers[l];
      // x' = x₁ + act·W_downᵀ
      this.mm('dDown', g.dres, s.act, p.down.grad, { M: d, N: I, K: N });
      this.mm('dAct', g.dres, p.down.value, g.dact, { M: N, N: I, K: d });
      k.swiglu.backward({ gu: s.gu, dact: g.dact, dgu: g.dgu }, N);
      this.mm('dGateUp', g.dgu, s.h2, p.gateUp.grad, { M: 2 * I, N: d, K: N });
      this.mm('dH2', g.dgu, p.gateUp.value, g.dh, { M: N, N: d, K: 2 * I });
      k.norm.backward({ x: s.x1, weight: p.postNorm.value, rstd: s.rstd2, dy: g.dh, dx: g.dres, dweight: p.postNorm.grad, accumulateInput: true }, N);
      // x₁ = x + o·W_oᵀ
      this.mm('dO', g.dres, s.o, p.o.grad, { M: d, N: H * hd, K: N });
      this.mm('dOut', g.dres, p.o.value, g.dO, { M: N, N: H * hd, K: d });
      k.attention.backward({ start: this.io.starts, qkv: s.qkv, o: s.o, dO: g.dO, lse: s.lse, dqkv: g.dqkv }, N);
      k.rope.record(g.dqkv, this.io.positions, { rows: N, heads: H + KV, ld, offset: 0 }, 'backward');
      this.mm('dQkv', g.dqkv, s.h1, p.qkv.grad, { M: ld, N: d, K: N });
      if (p.qkvBias) k.biasSum!.record(g.dqkv, p.qkvBias.grad, { rows: N });
      this.mm('dH1', g.dqkv, p.qkv.value, g.dh, { M: N, N: d, K: ld });
      k.norm.backward({ x: s.x, weight: p.inNorm.value, rstd: s.rstd1, dy: g.dh, dx: g.dres, dweight: p.inNorm.grad, accumulateInput: true }, N);
    }
    if (m.lmHead) {
      const e = m.embed.grad;
      gpu.commandEncoder().clearBuffer(e.buffer, e.byteOffset ?? 0, e.byteLength);
    }
    k.tokens.scatterAdd(g.dres, m.embed.grad);
  }

  /** Σ nll and Σ correct of the loss rows into sums[0], sums[1]. */
  private recordSums(b: BatchShape): void {
    const t = this.top;
    this.k.sum.record(t.nll, t.sums, 0, t.scratch, b.lossRows);
    this.k.sum.record(t.correct, t.sums, 1, t.scratch, b.lossRows);
  }

  private requireBackward(): void {
    if (!this.capacity.backward || !this.grads) throw new Error('transformer: this is an evaluation plan (backward: false); it has no gradients');
  }

  /**
   * One training step: forward, loss, backward, AdamW (with the model's clipping and weight
   * decay) at learning rate `lr` (default: the model's adam.lr). One command buffer; reads back
   * the loss and the gradient norm only.
   */
  async step(batch: TransformerBatch, lr?: number): Promise<StepResult> {
    this.ensure();
    this.requireBackward();
    const opt = this.model.optimizer!;
    const b = this.setBatch(batch);
    opt.setLearningRate(lr ?? this.model.adamConfig.lr);
    const t = this.top;
    this.recordForward(b);
    this.k.ce.forwardBackward({ logits: t.logits, nll: t.nll, lse: t.lse, correct: t.correct });
    this.recordBackward(b);
    opt.record();
    this.recordSums(b);
    const [sums, state] = (await this.model.gpu.readMany([t.sums, opt.state])) as Float32Array[];
    return {
      loss: sums[0] / b.lossRows, gradNorm: state[ADAM_STATE.gradNorm], clipScale: state[ADAM_STATE.clipScale],
      lr: opt.config.lr, tokens: b.rows, lossTokens: b.lossRows,
    };
  }

  /**
   * Forward and backward without an update: the gradients stay in the model's gradient buffer
   * (model.readGradients()). Returns the loss.
   */
  async backward(batch: TransformerBatch): Promise<number> {
    this.ensure();
    this.requireBackward();
    const b = this.setBatch(batch);
    const t = this.top;
    this.recordForward(b);
    this.k.ce.forwardBackward({ logits: t.logits, nll: t.nll, lse: t.lse, correct: t.correct });
    this.recordBackward(b);
    this.recordSums(b);
    const sums = await this.model.gpu.read(t.sums);
    return sums[0] / b.lossRows;
  }

  /** The mean masked next-token loss (and argmax accuracy) of a batch, without gradients. */
  async evaluateLoss(batch: TransformerBatch): Promise<EvalResult> {
    this.ensure();
    const b = this.setBatch(batch);
    const t = this.top;
    this.recordForward(b);
    this.k.ce.forward({ logits: t.logits, nll: t.nll, lse: t.lse, correct: t.correct });
    this.recordSums(b);
    const sums = await this.model.gpu.read(t.sums);
    return { loss: sums[0] / b.lossRows, accuracy: sums[1] / b.lossRows, tokens: b.rows, lossTokens: b.lossRows };
  }

  /** Logits of every token of every sequence, [tokens × vocab] (the plan's maxLossTokens must cover the tokens). */
  async logits(batch: { tokens: ArrayLike<number>; lengths: readonly number[] }): Promise<Float32Array> {
    this.ensure();
    const n = batch.tokens.length;
    const rows = Uint32Array.from({ length: n }, (_, i) => i);
    const b = this.setBatch({ ...batch, lossMask: new Uint8Array(n) }, { rows, targets: new Uint32Array(n) });
    this.recordForward(b);
    const out = (await this.model.gpu.read(this.top.logits)) as Float32Array;
    return out.slice(0, n * this.model.config.vocabSize);
  }

  /** Rows and loss rows of the last batch set on this plan. */
  get lastBatch(): BatchShape | null {
    return this.batch;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    const k = this.k;
    k.tokens.destroy(); k.lossRows.destroy(); k.norm.destroy(); k.rope.destroy(); k.attention.destroy(); k.ce.destroy(); k.biasSum?.destroy();
    this.model.gpu.release(...this.owned);
    this.onDestroy();
  }
}
