// Stage 5's update: from one iteration's trajectories to PPO steps on the policy adapter and the
// value head. The reward variant assigns rewards (or critic-free advantages), step-level GAE turns
// them into advantages and returns (rl/advantages.ts, its float64 path, so the batch is exact and
// can be cut into minibatches on the host), and each epoch walks a seeded shuffle of the steps in
// minibatches through PpoTrainer. Metrics are averaged over the minibatches of the last epoch and
// carry verl's names.
//
// The KL term's reference (k1/k3; settings.klReference): 'bc' anchors the policy to itself as BC
// left it (PolicyModel.freezeReference), the policy RL starts from, as verl anchors to the SFT'd
// policy; 'prior' to the frozen prior softmax(κ·ℓ), the backbone's scores before BC. A model
// without a frozen reference (BC not run, or a checkpoint from before references) uses the prior.

import { Mulberry32 } from '../core/random';
import type { KlEstimator, PpoConfig } from '../kernels/ppo';
import { PPO_BATCH_COL, PPO_BATCH_STRIDE } from '../kernels/ppo';
import { AdamW, PpoBatchBuffer, PpoTrainer, type MlpPlan, type PolicyPlan } from '../nn';
import { stepAdvantagesCpu } from './advantages';
import { chunkByCapacity, policyHost, PriorHeads, type Episode, type HeadsCapacity, type PolicyModel } from './policy-model';
import type { HeadScorer } from './rollout-heads';
import type { StepFeatures } from './rollout-decider';
import { assignRewards, type RewardParams, type RewardVariant } from './rewards';

export interface PpoSettings {
  epochs: number;
  /** Steps per minibatch. */
  minibatch: number;
  lr: number;
  gamma: number;
  lambda: number;
  clip: number;
  /** 0: the plain squared value error. */
  valueClip: number;
  vfCoef: number;
  entCoef: number;
  klCoef: number;
  klEstimator: KlEstimator;
  /**
   * What the k1/k3 KL anchors to: 'bc', the policy frozen at the end of BC (the prior when the
   * model has none), or 'prior', softmax(κ·ℓ). The exact estimator is always to the prior.
   */
  klReference: KlReference;
  /** 0: no gradient clipping. */
  maxGradNorm: number;
  /** Whiten GAE advantages over the iteration's batch (default true; see rl/advantages.ts). */
  whiten?: boolean;
}

/** What the k1/k3 KL anchors to (config ppo.klReference): the BC-frozen policy or the prior. */
export type KlReference = 'bc' | 'prior';

export function ppoKernelConfig(s: PpoSettings): PpoConfig {
  return {
    clipLow: s.clip, clipHigh: s.clip, dualClip: null, valueClip: s.valueClip > 0 ? s.valueClip : null,
    vfCoef: s.vfCoef, entCoef: s.entCoef, klCoef: s.klCoef, klEstimator: s.klEstimator,
  };
}

export function adamConfig(lr: number, maxGradNorm: number) {
  return { lr, maxGradNorm: maxGradNorm > 0 ? maxGradNorm : null };
}

/** The PPO metrics of one update, verl/TRL names. */
export type PpoMetrics = Record<string, number>;

/** The update's plans, trainer and optimisers, made once and used every iteration. */
export class PpoUpdater {
  private constructor(
    readonly model: PolicyModel,
    readonly optimizers: { policy: AdamW; value: AdamW },
    private readonly plans: { policy: PolicyPlan; value: MlpPlan },
    private readonly trainer: PpoTrainer,
    private readonly input: PpoBatchBuffer,
    private readonly cap: HeadsCapacity,
    readonly settings: PpoSettings,
  ) {}

  static async create(model: PolicyModel, s: PpoSettings): Promise<PpoUpdater> {
    if (s.klEstimator === 'exact' && s.klReference === 'bc') {
      throw new RangeError('PPO settings: klEstimator "exact" sums the KL over every candidate and is only available to the prior; set klReference to "prior" or use k1/k3');
    }
    const gpu = model.gpu;
    const cap = { maxStates: Math.min(s.minibatch, model.capacity.maxStates), maxCandidates: model.capacity.maxCandidates };
    const [policy, value, pOpt, vOpt] = await Promise.all([
      model.adapter.plan(gpu, { ...cap, backward: true }),
      model.value.plan(gpu, { maxStates: cap.maxStates, backward: true }),
      AdamW.create(gpu, model.sets.policy, adamConfig(s.lr, s.maxGradNorm)),
      AdamW.create(gpu, model.sets.value, adamConfig(s.lr, s.maxGradNorm)),
    ]);
    const trainer = await PpoTrainer.create(gpu, { policy, value }, [pOpt, vOpt], ppoKernelConfig(s));
    const d = model.spec.featureDim;
    return new PpoUpdater(model, { policy: pOpt, value: vOpt }, { policy, value }, trainer, new PpoBatchBuffer(gpu, { stateDim: d, actionDim: d }, cap), cap, s);
  }

  /**
   * One iteration's update. Returns null for a variant without an RL signal (bc). `key` seeds the
   * minibatch shuffles (run seed and iteration), so a redone iteration shuffles the same way.
   */
  async update(
    episodes: readonly Episode[], variant: RewardVariant, rewards: RewardParams, key: string, checkpoint?: () => Promise<void>,
  ): Promise<PpoMetrics | null> {
    const trajs = episodes.map((e) => e.trajectory);
    const assignment = assignRewards(variant, trajs, rewards);
    if (assignment.kind === 'none') return null;
    const adv = stepAdvantagesCpu(trajs, assignment, { gamma: this.settings.gamma, lambda: this.settings.lambda, whiten: this.settings.whiten ?? true });
    const feats: StepFeatures[] = [];
    const chosen: number[] = [];
    for (const e of episodes) e.trajectory.steps.forEach((s, t) => { feats.push(e.features[t]); chosen.push(s.action); });
    const T = feats.length;
    // log π_old(a_t) is recomputed here, with the policy as it stands before this update, through
    // the same adapter and candidate sets the minibatches use, rather than taken from the rollout's
    // record: the rollout stores the log-probability it sampled with, log softmax(log π / T), and
    // at an exploration temperature T ≠ 1 that is not the π_θ the loss differentiates, so the
    // ratio would start away from 1 and the clip would act on a mismatch, not on the update.
    const lpOld = await this.logpOfChosen(await this.model.heads(), feats, chosen);
    // log π_ref(a_t) for the k1/k3 KL, from the frozen reference's own plans (no gradients) or the
    // prior on the host; it is fixed for the whole update, like log π_old.
    const ref = await this.klReferenceHeads();
    const lpRef = await this.logpOfChosen(ref.heads, feats, chosen);
    for (let i = 0; i < T; i++) {
      adv.batch[i * PPO_BATCH_STRIDE + PPO_BATCH_COL.lpOld] = lpOld[i];
      adv.batch[i * PPO_BATCH_STRIDE + PPO_BATCH_COL.lpRef] = lpRef[i];
    }
    const sums: Record<string, number> = {};
    let rows = 0;
    const idx = Array.from({ length: T }, (_, i) => i);
    for (let epoch = 0; epoch < this.settings.epochs; epoch++) {
      const last = epoch === this.settings.epochs - 1;
      const order = Mulberry32.of(`ppo:${key}:${epoch}`).shuffle(idx);
      for (const mb of chunkByCapacity(order, (i) => feats[i].prior.length, this.cap)) {
        await checkpoint?.();
        const rollout = new Float32Array(mb.length * PPO_BATCH_STRIDE);
        mb.forEach((i, k) => rollout.set(adv.batch.subarray(i * PPO_BATCH_STRIDE, (i + 1) * PPO_BATCH_STRIDE), k * PPO_BATCH_STRIDE));
        this.trainer.record(this.input.load({ ...policyHost(mb.map((i) => feats[i]), mb.map((i) => chosen[i])), rollout }, this.model.adapter.norm));
        // Only the last epoch's metrics are reported, so earlier minibatches are not read back: a
        // readback waits for the GPU, and skipping it let the host pack the next minibatch while
        // this one runs (the update took ~45% less time on SwiftShader). The next load's queue write
        // is ordered after this minibatch's commands (Gpu.write flushes them first), so nothing races.
        if (!last) continue;
        const m = await this.trainer.readMetrics();
        // Each minibatch's metrics are means over its steps; weight them by its size.
        const add = (k: string, v: number) => { sums[k] = (sums[k] ?? 0) + v * mb.length; };
        add('actor/pg_loss', m.pg_loss);
        add('critic/vf_loss', m.vf_loss);
        add('actor/entropy', m.entropy);
        add('actor/kl_loss', m.kl);
        add('actor/approx_kl', m.approx_kl);
        add('actor/ppo_kl', m.ppo_kl);
        add('actor/pg_clipfrac', m.clipfrac);
        add('actor/pg_clipfrac_lower', m.clipfrac_lower);
        add('critic/vf_clipfrac', m.vf_clipfrac);
        add('critic/explained_var', m.explained_var);
        add('actor/grad_norm', m.grad_norm[0]);
        add('critic/grad_norm', m.grad_norm[1]);
        add('actor/loss', m.loss);
        rows += mb.length;
      }
    }
    const out: PpoMetrics = {};
    for (const [k, v] of Object.entries(sums)) out[k] = v / rows;
    out['critic/returns_mean'] = mean(adv.returns);
    out['critic/advantages_mean'] = mean(adv.raw);
    out['critic/values_mean'] = mean(Float64Array.from(trajs.flatMap((t) => t.steps.map((s) => s.value))));
    out['critic/rewards_mean'] = assignment.kind === 'rewards' ? mean(Float64Array.from(assignment.rewards.flatMap((r) => Array.from(r)))) : NaN;
    out['actor/lr'] = this.settings.lr;
    // 1: the KL (k1/k3) went to the policy frozen at the end of BC; 0: to the prior softmax(κ·ℓ).
    out['actor/kl_reference_bc'] = ref.bc ? 1 : 0;
    out['ppo/steps'] = T;
    return out;
  }

  /** The heads whose log π(a) the k1/k3 KL compares with, and whether they are the BC-frozen policy. */
  private async klReferenceHeads(): Promise<{ heads: HeadScorer; bc: boolean }> {
    // The exact estimator reads no log π_ref (create() refuses it with 'bc').
    const frozen = this.settings.klReference === 'bc' && this.settings.klEstimator !== 'exact' ? await this.model.referenceHeads() : null;
    if (frozen) return { heads: frozen, bc: true };
    const a = this.model.adapter;
    return { heads: new PriorHeads(a.spec.stateDim, a.spec.actionDim, a.kappa), bc: false };
  }

  /** log π(a_t|s_t) of each step's chosen action under `heads` (the current adapter's inference plans, the reference's or the prior). */
  private async logpOfChosen(heads: HeadScorer, feats: readonly StepFeatures[], chosen: readonly number[]): Promise<Float64Array> {
    const out = new Float64Array(feats.length);
    const idx = Array.from({ length: feats.length }, (_, i) => i);
    for (const chunk of chunkByCapacity(idx, (i) => feats[i].prior.length, this.model.capacity)) {
      const h = policyHost(chunk.map((i) => feats[i]), chunk.map((i) => chosen[i]));
      const { logp } = await heads.score(h);
      chunk.forEach((i, k) => { out[i] = logp[h.offsets[k] + chosen[i]]; });
    }
    return out;
  }

  destroy(): void {
    this.input.destroy();
    this.trainer.destroy();
    this.optimizers.policy.destroy();
    this.optimizers.value.destroy();
    this.plans.policy.destroy();
    this.plans.value.destroy();
  }
}

function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return xs.length ? s / xs.length : NaN;
}
