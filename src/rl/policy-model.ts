// The trainable side of one run on the GPU: the policy adapter f_θ, the value head V and the
// progress estimator E (DESIGN.md §2), each in its own ParamSet so that each optimiser updates
// only the head its stage trains (BC and PPO the adapter, PPO the value head, the estimator stage
// E). It hands the rollout engine its head scorer (π and V through inference plans), runs ĉ in
// batches of any size, and saves and loads all three heads with their optimiser state as
// checkpoint blobs. The frozen prior alone (PriorHeads) needs no GPU at all.
//
// It also holds PPO's KL reference once BC has run (freezeReference): a copy of the policy adapter
// frozen at the end of BC, the policy RL starts from, as verl's reference is the SFT'd policy.

import type { Gpu } from '../gpu';
import { AdamW, decodeFeatureNorm, encodeFeatureNorm, loadCheckpoint, ParamSet, PolicyAdapter, ProgressEstimator, saveCheckpoint, ValueHead, type FeatureNorm, type MlpPlan } from '../nn';
import { packHeadBatch, type StepFeatures } from './rollout-decider';
import { GpuHeadScorer, type HeadBatch, type HeadOutputs, type HeadScorer } from './rollout-heads';
import type { Trajectory } from './trajectory';

/** A trajectory with the features of each of its decisions (what the estimator and PPO read). */
export interface Episode {
  trajectory: Trajectory;
  /** features[t]: step t's φ, ψ and ℓ. */
  features: StepFeatures[];
}

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

/** The adapter's input standardisation (heads.ts FeatureNorm), stored beside the heads when set. */
export const POLICY_NORM_BLOB = 'policy-norm.json';
/** The policy adapter frozen at the end of BC (PPO's KL reference), stored when the model has one. */
export const REFERENCE_BLOB = 'reference.safetensors';

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

/** Host arrays of a policy batch (chosen: the taken or expert index per state). */
export function policyHost(feats: readonly StepFeatures[], chosen: readonly number[]): HeadBatch & { chosen: Uint32Array } {
  const d = feats[0].phi.length;
  return { ...packHeadBatch([...feats], d, feats[0].psi.length / feats[0].prior.length), chosen: Uint32Array.from(chosen) };
}

/** π = softmax(κ·ℓ) over each state's candidates and V = 0: the frozen prior, no trained heads, no GPU. */
export class PriorHeads implements HeadScorer {
  constructor(readonly stateDim: number, readonly actionDim: number, readonly kappa = DEFAULT_KAPPA) {}

  async score(batch: HeadBatch): Promise<HeadOutputs> {
    const S = batch.offsets.length - 1;
    const logp = new Float32Array(batch.prior.length);
    for (let s = 0; s < S; s++) {
      const lo = batch.offsets[s], hi = batch.offsets[s + 1];
      let max = -Infinity;
      for (let i = lo; i < hi; i++) max = Math.max(max, this.kappa * batch.prior[i]);
      let z = 0;
      for (let i = lo; i < hi; i++) z += Math.exp(this.kappa * batch.prior[i] - max);
      const lse = max + Math.log(z);
      for (let i = lo; i < hi; i++) logp[i] = this.kappa * batch.prior[i] - lse;
    }
    return { logp, values: new Float32Array(S) };
  }
}

/**
 * A frozen copy of the policy adapter: its own ParamSet (no optimiser ever updates it) and adapter
 * of the same spec, reading the normaliser the policy adapter had when it was frozen (the one BC
 * fitted; batches for it are loaded with `adapter.norm`, its own, as PolicyPlan checks).
 */
interface FrozenPolicy {
  set: ParamSet;
  adapter: PolicyAdapter;
  /** Inference plans, made on first use. */
  scorer: GpuHeadScorer | null;
}

export class PolicyModel {
  readonly sets: Record<HeadName, ParamSet>;
  readonly adapter: PolicyAdapter;
  readonly value: ValueHead;
  readonly estimator: ProgressEstimator;
  private estimatorPlan: MlpPlan | null = null;
  private scorer: GpuHeadScorer | null = null;
  private frozen: FrozenPolicy | null = null;

  constructor(readonly gpu: Gpu, readonly spec: HeadsSpec, readonly capacity: HeadsCapacity = DEFAULT_CAPACITY) {
    const d = spec.featureDim;
    this.sets = { policy: new ParamSet(), value: new ParamSet(), estimator: new ParamSet() };
    this.adapter = new PolicyAdapter(this.sets.policy, 'policy', { stateDim: d, actionDim: d, hidden: spec.hidden, activation: 'tanh', kappa: spec.kappa });
    this.value = new ValueHead(this.sets.value, 'value', { inputDim: d, hidden: spec.hidden, activation: 'tanh' });
    this.estimator = new ProgressEstimator(this.sets.estimator, 'estimator', { inputDim: 2 * d, hidden: [spec.estimatorHidden], activation: 'tanh' });
    // Distinct seeds per head so that no two heads start from correlated weights.
    HEAD_NAMES.forEach((h, i) => this.sets[h].build(gpu, (spec.seed * 3 + i) >>> 0));
  }

  /** π and V for the rollout engine, through inference plans of this model's heads (made once). */
  async heads(): Promise<HeadScorer> {
    this.scorer ??= await GpuHeadScorer.create(this.gpu, this.adapter, this.value, this.capacity);
    return this.scorer;
  }

  /** The KL reference adapter (the policy frozen by freezeReference), or null when there is none. */
  get reference(): PolicyAdapter | null {
    return this.frozen?.adapter ?? null;
  }

  /**
   * Freezes the policy adapter as it stands now (called at the end of BC) as PPO's KL reference:
   * its weights are copied through checkpoint bytes into the reference's own ParamSet, and the
   * reference reads the adapter's current normaliser. Calling it again refreezes.
   */
  async freezeReference(): Promise<void> {
    this.setReference(await saveCheckpoint(this.gpu, this.sets.policy), this.adapter.norm);
  }

  /**
   * π over each state's candidates under the frozen reference (and the value head's V, unused by
   * the KL), through its own inference plans; null when the model has no reference.
   */
  async referenceHeads(): Promise<HeadScorer | null> {
    const f = this.frozen;
    if (!f) return null;
    // GpuHeadScorer also runs V(s); the value head's forward is cheap beside the adapter's and
    // sharing the scorer keeps one implementation of the batching, growth and normaliser rule.
    f.scorer ??= await GpuHeadScorer.create(this.gpu, f.adapter, this.value, this.capacity);
    return f.scorer;
  }

  private setReference(bytes: Uint8Array, norm: FeatureNorm | null): void {
    if (!this.frozen) {
      const set = new ParamSet();
      const adapter = new PolicyAdapter(set, 'policy', this.adapter.spec);
      set.build(this.gpu, this.spec.seed * 3);
      this.frozen = { set, adapter, scorer: null };
    }
    loadCheckpoint(this.gpu, bytes, this.frozen.set);
    this.frozen.adapter.setNorm(norm);
  }

  private dropReference(): void {
    const f = this.frozen;
    if (!f) return;
    this.frozen = null;
    f.scorer?.destroy();
    f.adapter.destroy();
    f.set.destroy();
  }

  /** ĉ = E([φ(s); ψ(a)]) for rows of 2·featureDim floats each. */
  async progress(x: Float32Array): Promise<Float32Array> {
    this.estimatorPlan ??= await this.estimator.plan(this.gpu, { maxStates: this.capacity.maxCandidates, backward: false });
    const plan = this.estimatorPlan;
    const width = 2 * this.spec.featureDim;
    const rows = x.length / width;
    const out = new Float32Array(rows);
    const max = this.capacity.maxCandidates;
    const input = this.gpu.empty([max, width], 'f32', 'progress-x');
    try {
      for (let at = 0; at < rows; at += max) {
        const n = Math.min(max, rows - at);
        this.gpu.write(input, x.subarray(at * width, (at + n) * width));
        const [c] = await this.gpu.readMany([plan.forward(input, n)]);
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
    const norm = this.adapter.norm;
    if (norm) blobs[POLICY_NORM_BLOB] = encodeFeatureNorm(norm);
    if (this.frozen) blobs[REFERENCE_BLOB] = await saveCheckpoint(this.gpu, this.frozen.set);
    return blobs;
  }

  /**
   * Loads what `save` wrote (optimisers only where given and stored). A checkpoint without a
   * normaliser (written before BC standardised the features, or before BC ran) leaves the adapter
   * reading raw features, as it did when that checkpoint was written. The KL reference is restored
   * when stored (it shares the stored normaliser, which BC fixed before it was frozen); a
   * checkpoint without one (written before BC ended, or before references existed) leaves the
   * model without one, and PPO then anchors its KL to the prior.
   */
  load(blobs: Record<string, Uint8Array>, optimizers: Partial<Record<HeadName, AdamW>> = {}): void {
    for (const h of HEAD_NAMES) {
      const b = blobs[`${h}.safetensors`];
      if (!b) throw new Error(`the checkpoint has no ${h} head`);
      loadCheckpoint(this.gpu, b, this.sets[h], optimizers[h]);
    }
    const norm = blobs[POLICY_NORM_BLOB];
    this.adapter.setNorm(norm ? decodeFeatureNorm(norm) : null);
    const ref = blobs[REFERENCE_BLOB];
    if (ref) this.setReference(ref, this.adapter.norm);
    else this.dropReference();
  }

  destroy(): void {
    this.dropReference();
    this.scorer?.destroy();
    this.estimatorPlan?.destroy();
    this.scorer = null;
    this.estimatorPlan = null;
    this.adapter.destroy();
    this.value.destroy();
    this.estimator.destroy();
    for (const h of HEAD_NAMES) this.sets[h].destroy();
  }
}
