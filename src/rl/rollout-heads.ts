// The trainable heads at rollout time: for a batch of states with their candidates, log π over
// every candidate and V(s) per state, on the GPU through inference plans (no gradients), one
// upload, one submit and one readback per decision step.
//
//   π(a|s) = softmax over a ∈ A(s) of (κ·ℓ(a|s) + f_θ(φ(s), ψ(a)))      (PolicyPlan)
//   V(s)   = MLP(φ(s))                                                 (ValueHead plan)

import type { Gpu } from '../gpu';
import { PolicyBatchBuffer, type PolicyAdapter, type PolicyPlan, type ValueHead } from '../nn/heads';
import type { MlpPlan } from '../nn/mlp';

/** One decision step's inputs: S states, N candidates in all, ragged by `offsets` (S + 1 entries). */
export interface HeadBatch {
  /** φ(s), S × stateDim. */
  phi: Float32Array;
  /** ψ(a), N × actionDim. */
  psi: Float32Array;
  /** ℓ(a|s), N. */
  prior: Float32Array;
  offsets: Uint32Array;
}

export interface HeadOutputs {
  /** log π(a|s) per candidate (N). */
  logp: Float32Array;
  /** V(s) per state (S). */
  values: Float32Array;
}

/** What the rollout engine needs from the heads; the GPU plans below are the implementation. */
export interface HeadScorer {
  readonly stateDim: number;
  readonly actionDim: number;
  score(batch: HeadBatch): Promise<HeadOutputs>;
}

export interface HeadCapacity {
  maxStates: number;
  maxCandidates: number;
}

/**
 * Inference plans of the policy adapter and the value head, sized for a capacity and grown
 * (doubled) when a step exceeds it; growth re-plans, so size the first capacity for the run.
 */
export class GpuHeadScorer implements HeadScorer {
  private policy!: PolicyPlan;
  private value!: MlpPlan;
  private buffer!: PolicyBatchBuffer;
  private capacity: HeadCapacity = { maxStates: 0, maxCandidates: 0 };
  /** Re-plans so far (a growing capacity costs compilation and tuning once each). */
  regrowths = 0;

  private constructor(
    private readonly gpu: Gpu,
    readonly adapter: PolicyAdapter,
    readonly valueHead: ValueHead,
  ) {}

  get stateDim(): number {
    return this.adapter.spec.stateDim;
  }

  get actionDim(): number {
    return this.adapter.spec.actionDim;
  }

  static async create(gpu: Gpu, adapter: PolicyAdapter, valueHead: ValueHead, capacity: HeadCapacity): Promise<GpuHeadScorer> {
    if (valueHead.mlp.inDim !== adapter.spec.stateDim) {
      throw new RangeError(`value head takes ${valueHead.mlp.inDim} inputs but φ(s) has ${adapter.spec.stateDim}`);
    }
    const s = new GpuHeadScorer(gpu, adapter, valueHead);
    await s.plan(capacity);
    return s;
  }

  private async plan(capacity: HeadCapacity): Promise<void> {
    const old = this.capacity.maxStates ? { policy: this.policy, value: this.value, buffer: this.buffer } : null;
    const [policy, value] = await Promise.all([
      this.adapter.plan(this.gpu, { ...capacity, backward: false }),
      this.valueHead.plan(this.gpu, { maxStates: capacity.maxStates, backward: false }),
    ]);
    this.policy = policy;
    this.value = value;
    this.buffer = new PolicyBatchBuffer(this.gpu, this.adapter.spec, capacity);
    this.capacity = { ...capacity };
    if (old) {
      old.policy.destroy();
      old.value.destroy();
      old.buffer.destroy();
    }
  }

  async score(batch: HeadBatch): Promise<HeadOutputs> {
    const S = batch.offsets.length - 1;
    const N = batch.offsets[S];
    if (S > this.capacity.maxStates || N > this.capacity.maxCandidates) {
      this.regrowths++;
      await this.plan({ maxStates: Math.max(S, this.capacity.maxStates * 2), maxCandidates: Math.max(N, this.capacity.maxCandidates * 2) });
    }
    // Loaded with the adapter's standardisation; the value head reads the same standardised φ.
    const b = this.buffer.load({ phi: batch.phi, psi: batch.psi, prior: batch.prior, offsets: batch.offsets }, this.adapter.norm);
    const { logp } = this.policy.forward(b);
    const v = this.value.forward(b.phi, S);
    const [lp, vv] = await this.gpu.readMany([logp, v]);
    return { logp: (lp as Float32Array).slice(0, N), values: (vv as Float32Array).slice(0, S) };
  }

  destroy(): void {
    if (!this.capacity.maxStates) return;
    this.policy.destroy();
    this.value.destroy();
    this.buffer.destroy();
    this.capacity = { maxStates: 0, maxCandidates: 0 };
  }
}
