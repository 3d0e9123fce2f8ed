// The trainable side of one run on the GPU: the policy adapter f_θ, the value head V and the
// progress estimator E (DESIGN.md §2), each in its own ParamSet so that each optimiser updates
// only the head its stage trains (BC and PPO the adapter, PPO the value head, the estimator stage
// E). It hands out inference (π, V, ĉ) in batches of any size, chunked to its plans' capacity,
// and saves and loads all three heads with their optimiser state as checkpoint blobs.

import type { Gpu } from '../gpu';
import { offsetsFromSizes } from '../kernels/segments';
import { AdamW, loadCheckpoint, ParamSet, PolicyAdapter, PolicyBatchBuffer, ProgressEstimator, saveCheckpoint, ValueHead, type MlpPlan, type PolicyPlan } from '../nn';
import type { DecisionFeatures } from './features';

export interface HeadsSpec {
  /** Width of φ and ψ (the backbone's feature size). */
  featureDim: number;
  /** Hidden widths of the adapter and the value head. */
  hidden: number[];
  /** Hidden width of the estimator (config estimator.hidden). */
  estimatorHidden: number;
  /** Weight of the prior ℓ in the policy logit κ·ℓ + f_θ. */
  kappa: number;
  /** Seeds the initial weights. */
  seed: number;
}

/**
 * κ = 1 keeps the policy logit exactly as DESIGN.md §2 writes it, so the first policy is
 * softmax(ℓ): the length-normalised action likelihoods of TWOSOME/GLAM.
 */
export const DEFAULT_KAPPA = 1;
export const DEFAULT_HEAD_HIDDEN = [64];

/** Capacity of every plan: states per chunk and candidates over a chunk's states. */
export interface HeadsCapacity {
  maxStates: number;
  maxCandidates: number;
}

export const DEFAULT_CAPACITY: HeadsCapacity = { maxStates: 64, maxCandidates: 4096 };

/** What the policy says about one decision. */
export interface PolicyOutput {
  /** log π over the candidates. */
  logp: Float64Array;
  /** V(s). */
  value: number;
}

export type HeadName = 'policy' | 'value' | 'estimator';
export const HEAD_NAMES: readonly HeadName[] = ['policy', 'value', 'estimator'];

/**
 * Splits items into consecutive chunks of at most maxStates items and maxCandidates candidates
 * (an item with more candidates than that is an error: no plan could hold it).
 */
export function chunkByCapacity<T>(items: readonly T[], candidatesOf: (x: T) => number, cap: HeadsCapacity): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let n = 0;
  for (const x of items) {
    const c = candidatesOf(x);
    if (c > cap.maxCandidates) throw new RangeError(`a decision has ${c} candidates; the heads are planned for at most ${cap.maxCandidates} per batch`);
    if (cur.length && (cur.length === cap.maxStates || n + c > cap.maxCandidates)) {
      out.push(cur);
      cur = [];
      n = 0;
    }
    cur.push(x);
    n += c;
  }
  if (cur.length) out.push(cur);
  return out;
}

/** Host arrays of a policy batch from decisions' features (chosen: the taken or expert index). */
export function policyHost(feats: readonly DecisionFeatures[], chosen?: readonly number[]) {
  const dim = feats.length ? feats[0].phi.length : 0;
  const sizes = feats.map((f) => f.prior.length);
  const offsets = offsetsFromSizes(sizes);
  const N = offsets[feats.length];
  const phi = new Float32Array(feats.length * dim), psi = new Float32Array(N * dim), prior = new Float32Array(N);
  feats.forEach((f, s) => {
    phi.set(f.phi, s * dim);
    psi.set(f.psi, offsets[s] * dim);
    prior.set(f.prior, offsets[s]);
  });
  return { phi, psi, prior, offsets, chosen: chosen ? Uint32Array.from(chosen) : undefined };
}

export class PolicyModel {
  readonly sets: Record<HeadName, ParamSet>;
  readonly adapter: PolicyAdapter;
  readonly value: ValueHead;
  readonly estimator: ProgressEstimator;
  private infer: { policy: PolicyPlan; value: MlpPlan; estimator: MlpPlan; input: PolicyBatchBuffer } | null = null;

  constructor(readonly gpu: Gpu, readonly spec: HeadsSpec, readonly capacity: HeadsCapacity = DEFAULT_CAPACITY) {
    const d = spec.featureDim;
    this.sets = { policy: new ParamSet(), value: new ParamSet(), estimator: new ParamSet() };
    this.adapter = new PolicyAdapter(this.sets.policy, 'policy', { stateDim: d, actionDim: d, hidden: spec.hidden, activation: 'tanh', kappa: spec.kappa });
    this.value = new ValueHead(this.sets.value, 'value', { inputDim: d, hidden: spec.hidden, activation: 'tanh' });
    this.estimator = new ProgressEstimator(this.sets.estimator, 'estimator', { inputDim: 2 * d, hidden: [spec.estimatorHidden], activation: 'tanh' });
    // Distinct seeds per head so that no two heads start from correlated weights.
    HEAD_NAMES.forEach((h, i) => this.sets[h].build(gpu, (spec.seed * 3 + i) >>> 0));
  }

  private async plans() {
    if (!this.infer) {
      const { maxStates, maxCandidates } = this.capacity;
      const [policy, value, estimator] = await Promise.all([
        this.adapter.plan(this.gpu, { maxStates, maxCandidates, backward: false }),
        this.value.plan(this.gpu, { maxStates, backward: false }),
        // The estimator scores steps, so its rows are states × (one chosen action each).
        this.estimator.plan(this.gpu, { maxStates: maxCandidates, backward: false }),
      ]);
      const d = this.spec.featureDim;
      this.infer = { policy, value, estimator, input: new PolicyBatchBuffer(this.gpu, { stateDim: d, actionDim: d }, this.capacity) };
    }
    return this.infer;
  }

  /** log π over every candidate and V(s), per decision (one submit and one readback per chunk). */
  async act(feats: readonly DecisionFeatures[]): Promise<PolicyOutput[]> {
    const p = await this.plans();
    const out: PolicyOutput[] = [];
    for (const chunk of chunkByCapacity(feats, (f) => f.prior.length, this.capacity)) {
      const batch = p.input.load(policyHost(chunk));
      const { logp } = p.policy.forward(batch);
      const values = p.value.forward(batch.phi, chunk.length);
      const [lp, v] = await this.gpu.readMany([logp, values]);
      const offsets = batch.sets.segments.host;
      chunk.forEach((_, s) => out.push({ logp: Float64Array.from(lp.subarray(offsets[s], offsets[s + 1])), value: v[s] }));
    }
    return out;
  }

  /** ĉ = E([φ(s); ψ(a)]) for rows of 2·featureDim floats each. */
  async progress(x: Float32Array): Promise<Float32Array> {
    const p = await this.plans();
    const width = 2 * this.spec.featureDim;
    const rows = x.length / width;
    const out = new Float32Array(rows);
    const max = this.capacity.maxCandidates;
    const input = this.gpu.empty([max, width], 'f32', 'progress-x');
    try {
      for (let at = 0; at < rows; at += max) {
        const n = Math.min(max, rows - at);
        this.gpu.write(input, x.subarray(at * width, (at + n) * width));
        const [c] = await this.gpu.readMany([p.estimator.forward(input, n)]);
        out.set(c.subarray(0, n), at);
      }
    } finally {
      this.gpu.release(input);
    }
    return out;
  }

  /** Safetensors blobs of every head, with the optimiser of a head when one is given. */
  async save(optimizers: Partial<Record<HeadName, AdamW>> = {}): Promise<Record<string, Uint8Array>> {
    const blobs: Record<string, Uint8Array> = {};
    for (const h of HEAD_NAMES) blobs[`${h}.safetensors`] = await saveCheckpoint(this.gpu, this.sets[h], optimizers[h]);
    return blobs;
  }

  /** Loads what `save` wrote (optimisers only where given and stored). */
  load(blobs: Record<string, Uint8Array>, optimizers: Partial<Record<HeadName, AdamW>> = {}): void {
    for (const h of HEAD_NAMES) {
      const b = blobs[`${h}.safetensors`];
      if (!b) throw new Error(`the checkpoint has no ${h} head`);
      loadCheckpoint(this.gpu, b, this.sets[h], optimizers[h]);
    }
  }

  destroy(): void {
    if (this.infer) {
      this.infer.input.destroy();
      this.infer.policy.destroy();
      this.infer.value.destroy();
      this.infer.estimator.destroy();
      this.infer = null;
    }
    this.adapter.destroy();
    this.value.destroy();
    this.estimator.destroy();
    for (const h of HEAD_NAMES) this.sets[h].destroy();
  }
}
