// Whole update steps, each recorded into the GPU's one command encoder: forward, loss, backward
// and the optimiser, with no readback in between. `record` is synchronous; metrics stay on the
// GPU until someone reads them (one small readback, whenever the caller wants).
//
// A trainer takes plans (see plan.ts): the training plan it records steps with and, for the
// estimator, an optional inference plan for held-out evaluation. Its own loss kernels are sized
// to the same capacity, so every batch up to it is recorded without allocating, compiling or
// tuning anything, and an evaluation never touches the training plan's buffers.

import type { Gpu, Tensor } from '../gpu';
import { PreparedColsum } from '../kernels/colsum';
import { assertFits } from '../kernels/grid';
import { PPO_METRICS_SIZE, PreparedPpoLoss, ppoMetricsFrom, DEFAULT_PPO, type PpoConfig, type PpoMetricName, PPO_BATCH_STRIDE } from '../kernels/ppo';
import { CE_STRIDE, GRAD_STRIDE, PreparedSegmentedSoftmax } from '../kernels/segsoftmax';
import { PreparedSpaLoss, SPA_STAT_STRIDE, TrajectoriesBuffer, type Trajectories } from '../kernels/spa';
import { PolicyBatchBuffer, type FeatureNorm, type PolicyBatch, type PolicyBatchCapacity, type PolicyBatchHost, type PolicyPlan } from './heads';
import type { MlpPlan } from './mlp';
import { AdamW, type OptimizerStatus } from './optimizer';

function requireBackward(plan: { capacity: { backward: boolean } }, who: string): void {
  if (!plan.capacity.backward) throw new Error(`${who}: the training plan must be made with backward: true`);
}

/** One estimator batch: x = [φ(s_t); ψ(a_t)] per step (≥ steps × inputDim), trajectories with final rewards. */
export interface EstimatorBatch {
  x: Tensor;
  traj: Trajectories;
}

/** GPU buffers for estimator batches of up to `maxSteps` steps, rewritten by each `load`. */
export class EstimatorBatchBuffer {
  readonly x: Tensor;
  private readonly traj: TrajectoriesBuffer;

  constructor(private readonly gpu: Gpu, readonly inputDim: number, readonly maxSteps: number) {
    this.x = gpu.empty([maxSteps, inputDim], 'f32', 'estimator-x');
    // Every trajectory has a step, so there are at most as many trajectories as steps.
    this.traj = new TrajectoriesBuffer(gpu, maxSteps, maxSteps);
  }

  load(x: Float32Array, offsets: ArrayLike<number>, rewards: ArrayLike<number>): EstimatorBatch {
    const steps = offsets[offsets.length - 1];
    if (x.length !== steps * this.inputDim) throw new RangeError(`estimator batch: x has ${x.length} floats, expected ${steps} steps × ${this.inputDim}`);
    const traj = this.traj.load(offsets, rewards, steps);
    this.gpu.write(this.x, x);
    return { x: this.x, traj };
  }

  destroy(): void {
    this.traj.destroy();
    this.gpu.release(this.x);
  }
}

export interface EstimatorPlans {
  /** Made with backward: true; its maxStates is the most steps per training batch. */
  train: MlpPlan;
  /** An inference plan (backward: false) for held-out batches; evaluate() needs one. */
  evaluate?: MlpPlan;
}

/** Estimator step: L = mean_i (Σ_t ĉ_t − R_i)², backward and AdamW. */
export class EstimatorTrainer {
  readonly metrics: Tensor;

  private constructor(
    private readonly gpu: Gpu,
    readonly plans: EstimatorPlans,
    readonly optimizer: AdamW,
    private readonly loss: PreparedSpaLoss,
    private readonly dc: Tensor,
    private readonly evalLoss: PreparedSpaLoss | undefined,
  ) {
    this.metrics = gpu.zeros([SPA_STAT_STRIDE], 'f32', 'estimator-metrics');
  }

  static async create(gpu: Gpu, plans: EstimatorPlans, optimizer: AdamW): Promise<EstimatorTrainer> {
    requireBackward(plans.train, 'EstimatorTrainer');
    const steps = plans.train.capacity.maxStates;
    const [loss, evalLoss] = await Promise.all([
      // A batch has at most as many trajectories as steps.
      PreparedSpaLoss.create(gpu, steps, true),
      plans.evaluate ? PreparedSpaLoss.create(gpu, plans.evaluate.capacity.maxStates, false) : undefined,
    ]);
    return new EstimatorTrainer(gpu, plans, optimizer, loss, gpu.empty([steps, 1], 'f32', 'estimator-dc'), evalLoss);
  }

  /** Records one update step. Metrics: MSE, MAE, mean Ĉ, mean R. */
  record(batch: EstimatorBatch): void {
    const steps = batch.traj.segments.total;
    const c = this.plans.train.forward(batch.x, steps);
    this.loss.record(batch.traj, c, this.metrics, this.dc);
    this.plans.train.backward(this.dc);
    this.optimizer.record();
  }

  /**
   * Held-out evaluation through the inference plan (no gradient, no update, the training plan
   * untouched): writes MSE, MAE, mean Ĉ, mean R into `out` and returns the plan's ĉ buffer (its
   * first `steps` elements are this batch's).
   */
  evaluate(batch: EstimatorBatch, out: Tensor): Tensor {
    const plan = this.plans.evaluate;
    if (!plan || !this.evalLoss) throw new Error('EstimatorTrainer: evaluate() needs an inference plan (create the trainer with plans.evaluate)');
    assertFits(out, SPA_STAT_STRIDE, 'evaluation metrics');
    const c = plan.forward(batch.x, batch.traj.segments.total);
    this.evalLoss.record(batch.traj, c, out);
    return c;
  }

  async readMetrics(): Promise<{ mse: number; mae: number; meanPrediction: number; meanReward: number; optimizer: OptimizerStatus }> {
    const [m, s] = await this.gpu.readMany([this.metrics, this.optimizer.state]);
    return { mse: m[0], mae: m[1], meanPrediction: m[2], meanReward: m[3], optimizer: AdamW.statusFrom(s) };
  }

  /** Releases the trainer's own kernels and buffers (the plans belong to the caller). */
  destroy(): void {
    this.loss.destroy();
    this.evalLoss?.destroy();
    this.gpu.release(this.dc, this.metrics);
  }
}

/** Behaviour cloning of the policy adapter on expert choices: L = −mean_s log π(a*_s | s). */
export class BcTrainer {
  /** BC loss (nll), accuracy (argmax = expert), entropy, 0. */
  readonly metrics: Tensor;

  private constructor(
    private readonly gpu: Gpu,
    readonly plan: PolicyPlan,
    readonly optimizer: AdamW,
    private readonly k: { ce: PreparedSegmentedSoftmax; colsum: PreparedColsum; grads: Tensor; stats: Tensor },
  ) {
    this.metrics = gpu.zeros([CE_STRIDE], 'f32', 'bc-metrics');
  }

  static async create(gpu: Gpu, plan: PolicyPlan, optimizer: AdamW): Promise<BcTrainer> {
    requireBackward(plan, 'BcTrainer');
    const states = plan.capacity.maxStates;
    const [ce, colsum] = await Promise.all([PreparedSegmentedSoftmax.create(gpu), PreparedColsum.create(gpu, { rows: states, cols: CE_STRIDE })]);
    return new BcTrainer(gpu, plan, optimizer, { ce, colsum, grads: gpu.empty([states, GRAD_STRIDE], 'f32', 'bc-grads'), stats: gpu.empty([states, CE_STRIDE], 'f32', 'bc-stats') });
  }

  record(batch: PolicyBatch): void {
    const states = batch.sets.segments.count;
    const { setOut } = this.plan.forward(batch);
    this.k.ce.crossEntropy(batch.sets, setOut, this.k.grads, this.k.stats);
    this.k.colsum.record(this.k.stats, this.metrics, { scale: 1 / states, rows: states });
    this.plan.backward(this.k.grads);
    this.optimizer.record();
  }

  async readMetrics(): Promise<{ loss: number; accuracy: number; entropy: number; optimizer: OptimizerStatus }> {
    const [m, s] = await this.gpu.readMany([this.metrics, this.optimizer.state]);
    return { loss: m[0], accuracy: m[1], entropy: m[2], optimizer: AdamW.statusFrom(s) };
  }

  destroy(): void {
    this.k.colsum.destroy();
    this.gpu.release(this.k.grads, this.k.stats, this.metrics);
  }
}

export interface PpoBatch extends PolicyBatch {
  /**
   * PPO_BATCH_STRIDE floats per state (≥ states × stride): log π_old(a), advantage, V_old, return
   * and log π_ref(a), the KL reference's log-probability of the chosen action (see PPO_BATCH_COL).
   */
  rollout: Tensor;
}

/** GPU buffers for PPO minibatches up to a capacity, rewritten by each `load`. */
export class PpoBatchBuffer {
  readonly rollout: Tensor;
  private readonly policy: PolicyBatchBuffer;

  constructor(private readonly gpu: Gpu, spec: { stateDim: number; actionDim: number }, capacity: PolicyBatchCapacity) {
    this.policy = new PolicyBatchBuffer(gpu, spec, capacity);
    this.rollout = gpu.empty([capacity.maxStates, PPO_BATCH_STRIDE], 'f32', 'batch-rollout');
  }

  /** A minibatch, φ and ψ standardised by `norm` (the adapter's) as PolicyBatchBuffer.load does. */
  load(h: PolicyBatchHost & { rollout: Float32Array }, norm: FeatureNorm | null = null): PpoBatch {
    const S = h.offsets.length - 1;
    if (h.rollout.length !== S * PPO_BATCH_STRIDE) throw new RangeError(`PPO batch: rollout has ${h.rollout.length} floats, expected ${S} states × ${PPO_BATCH_STRIDE}`);
    const batch = this.policy.load(h, norm);
    this.gpu.write(this.rollout, h.rollout);
    return { ...batch, rollout: this.rollout };
  }

  destroy(): void {
    this.policy.destroy();
    this.gpu.release(this.rollout);
  }
}

export interface PpoPlans {
  policy: PolicyPlan;
  value: MlpPlan;
}

/**
 * One PPO minibatch update of the policy adapter and the value head: both forwards, the PPO loss,
 * both backwards and every optimiser (one per ParamSet; one set may hold both heads).
 */
export class PpoTrainer {
  readonly metrics: Tensor;
  config: PpoConfig;

  private constructor(
    private readonly gpu: Gpu,
    readonly plans: PpoPlans,
    readonly optimizers: AdamW[],
    config: PpoConfig,
    private readonly k: { loss: PreparedPpoLoss; grads: Tensor; dValues: Tensor },
  ) {
    this.metrics = gpu.zeros([PPO_METRICS_SIZE], 'f32', 'ppo-metrics');
    this.config = config;
  }

  static async create(gpu: Gpu, plans: PpoPlans, optimizers: AdamW[], config: Partial<PpoConfig> = {}): Promise<PpoTrainer> {
    requireBackward(plans.policy, 'PpoTrainer (policy)');
    requireBackward(plans.value, 'PpoTrainer (value)');
    const states = plans.policy.capacity.maxStates;
    if (plans.value.capacity.maxStates < states) throw new RangeError(`PpoTrainer: the value plan holds ${plans.value.capacity.maxStates} states, the policy plan ${states}`);
    const loss = await PreparedPpoLoss.create(gpu, states);
    return new PpoTrainer(gpu, plans, optimizers, { ...DEFAULT_PPO, ...config }, {
      loss, grads: gpu.empty([states, GRAD_STRIDE], 'f32', 'ppo-grads'), dValues: gpu.empty([states, 1], 'f32', 'ppo-dvalues'),
    });
  }

  record(batch: PpoBatch): void {
    const states = batch.sets.segments.count;
    assertFits(batch.rollout, states * PPO_BATCH_STRIDE, 'PPO rollout batch');
    const { setOut } = this.plans.policy.forward(batch);
    const values = this.plans.value.forward(batch.phi, states);
    this.k.loss.record({ steps: states, setOut, values, batch: batch.rollout, grads: this.k.grads, dValues: this.k.dValues, metrics: this.metrics }, this.config);
    this.plans.value.backward(this.k.dValues);
    this.plans.policy.backward(this.k.grads);
    for (const o of this.optimizers) o.record();
  }

  async readMetrics(): Promise<Record<PpoMetricName, number> & { grad_norm: number[]; optimizer: OptimizerStatus[] }> {
    const out = await this.gpu.readMany([this.metrics, ...this.optimizers.map((o) => o.state)]);
    const optimizer = out.slice(1).map((s) => AdamW.statusFrom(s));
    return { ...ppoMetricsFrom(out[0]), grad_norm: optimizer.map((o) => o.gradNorm), optimizer };
  }

  destroy(): void {
    this.k.loss.destroy();
    this.gpu.release(this.k.grads, this.k.dValues, this.metrics);
  }
}
