// Softmax cross-entropy over the vocabulary with its gradient fused in (shaders/cross-entropy.wgsl),
// and the host-side choice of which rows carry the next-token loss. Only those rows get logits:
// the caller gathers their hidden states (RowGather), multiplies by the tied embedding, and hands
// the [rows, vocab] logits here.

import type { Gpu, Tensor } from '../gpu';
import { assertCount, assertFits, assertWithin, grid1d } from './grid';

/** Rows (one invocation each) per workgroup. */
const WG = 16;

/** A sequence of a batch has no loss-carrying token: training on it would add a silent zero. */
export class EmptyLossMaskError extends Error {
  constructor(readonly sequence: number, length: number) {
    super(`sequence ${sequence} (${length} tokens) has no loss-carrying token; an empty loss mask is a bug in the data, not a zero loss`);
    this.name = 'EmptyLossMaskError';
  }
}

export interface LossRows {
  /** Rows (of the packed batch) whose next token carries the loss. */
  rows: Uint32Array;
  /** The token each of those rows must predict. */
  targets: Uint32Array;
}

/**
 * Next-token loss rows of packed sequences: token r carries the loss when mask[r] is set; the row
 * that predicts it is r − 1 of the same sequence. Throws EmptyLossMaskError when a sequence has no
 * loss token, and a RangeError when a sequence's first token is marked (nothing predicts it).
 */
export function nextTokenLossRows(tokens: ArrayLike<number>, mask: ArrayLike<number | boolean>, offsets: ArrayLike<number>, vocab: number): LossRows {
  const n = offsets[offsets.length - 1];
  if (tokens.length !== n || mask.length !== n) throw new RangeError(`loss rows: ${tokens.length} tokens and ${mask.length} mask entries for ${n} packed rows`);
  const rows: number[] = [];
  const targets: number[] = [];
  for (let s = 0; s + 1 < offsets.length; s++) {
    const a = offsets[s], b = offsets[s + 1];
    if (mask[a]) throw new RangeError(`sequence ${s}: its first token is marked for the loss, but no earlier token predicts it`);
    const before = rows.length;
    for (let r = a + 1; r < b; r++) {
      if (!mask[r]) continue;
      const t = tokens[r];
      if (!Number.isInteger(t) || t < 0 || t >= vocab) throw new RangeError(`token ${t} at row ${r} is outside the vocabulary of ${vocab}`);
      rows.push(r - 1);
      targets.push(t);
    }
    if (rows.length === before) throw new EmptyLossMaskError(s, b - a);
  }
  return { rows: Uint32Array.from(rows), targets: Uint32Array.from(targets) };
}

export interface CrossEntropySpec {
  vocab: number;
  /** The most loss rows one batch has. */
  maxRows: number;
}

export interface CrossEntropyArgs {
  /** [rows, vocab]; forwardBackward overwrites it with ∂L/∂logits. */
  logits: Tensor;
  /** Outputs, one value per row: −log p(target), log Σ e^z, [argmax = target]. */
  nll: Tensor;
  lse: Tensor;
  correct: Tensor;
}

export class SoftmaxCrossEntropy {
  private rows = 0;

  private constructor(
    private readonly gpu: Gpu,
    readonly spec: CrossEntropySpec,
    private readonly fwd: GPUComputePipeline,
    private readonly fwdBwd: GPUComputePipeline,
    private readonly targets: Tensor<'u32'>,
  ) {}

  static async create(gpu: Gpu, spec: CrossEntropySpec): Promise<SoftmaxCrossEntropy> {
    assertCount(spec.vocab, 'cross-entropy vocabulary');
    assertCount(spec.maxRows, 'cross-entropy capacity (rows)');
    const p = (entryPoint: string) => gpu.pipeline({ shader: 'cross-entropy', entryPoint, constants: { WG } });
    const [f, fb] = await Promise.all([p('forward'), p('forward_backward')]);
    return new SoftmaxCrossEntropy(gpu, spec, f, fb, gpu.empty([spec.maxRows], 'u32', 'cross-entropy-targets'));
  }

  /** The batch's targets, one per loss row. An empty batch is refused: its mean loss does not exist. */
  setTargets(targets: ArrayLike<number>): void {
    assertWithin(targets.length, this.spec.maxRows, 'cross-entropy loss rows');
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i];
      if (!Number.isInteger(t) || t < 0 || t >= this.spec.vocab) throw new RangeError(`target ${t} of loss row ${i} is outside the vocabulary of ${this.spec.vocab}`);
    }
    this.gpu.write(this.targets, Uint32Array.from(targets as ArrayLike<number>));
    this.rows = targets.length;
  }

  get batchRows(): number {
    return this.rows;
  }

  private record(pipe: GPUComputePipeline, a: CrossEntropyArgs, scale: number, label: string): void {
    if (this.rows === 0) throw new Error('SoftmaxCrossEntropy: setTargets before recording');
    if (!Number.isFinite(scale)) throw new RangeError(`cross-entropy gradient scale must be finite, got ${scale}`);
    assertFits(a.logits, this.rows * this.spec.vocab, 'cross-entropy logits');
    for (const k of ['nll', 'lse', 'correct'] as const) assertFits(a[k], this.rows, `cross-entropy ${k}`);
    const u = this.gpu.uniforms([this.rows, this.spec.vocab, scale, 0], ['u32', 'u32', 'f32', 'u32']);
    this.gpu.dispatch(pipe, [u, this.targets, a.logits, a.nll, a.lse, a.correct], grid1d(this.rows, WG), { label });
  }

  /** Per-row statistics only (evaluation). */
  forward(a: CrossEntropyArgs): void {
    this.record(this.fwd, a, 0, 'cross-entropy-forward');
  }

  /**
   * Statistics, and logits ← ∂L/∂logits in place for L = scale·Σ nll. The default scale 1/rows makes
   * L the mean over the batch's loss rows; a caller splitting one batch into several passes sets
   * scale = 1/(all loss rows) for each.
   */
  forwardBackward(a: CrossEntropyArgs, scale = 1 / this.rows): void {
    this.record(this.fwdBwd, a, scale, 'cross-entropy-forward-backward');
  }

  destroy(): void {
    this.gpu.release(this.targets);
  }
}
