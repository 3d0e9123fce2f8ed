// Whole update steps, each recorded into the GPU's one command encoder: forward, loss, backward
// and the optimiser, with no readback in between. `record` is synchronous; metrics stay on the
// GPU until someone reads them (one small readback, whenever the caller wants).

import type { Gpu, Tensor } from '../gpu';
import { PreparedColsum } from '../kernels/colsum';
import { PPO_METRICS_SIZE, PreparedPpoLoss, ppoMetricsFrom, DEFAULT_PPO, type PpoConfig, type PpoMetricName, PPO_BATCH_STRIDE } from '../kernels/ppo';
import { CE_STRIDE, GRAD_STRIDE, PreparedSegmentedSoftmax } from '../kernels/segsoftmax';
import { PreparedSpaLoss, SPA_STAT_STRIDE, type Trajectories } from '../kernels/spa';
import { assertSize } from '../kernels/grid';
import type { PolicyAdapter, PolicyBatch, ProgressEstimator, ValueHead } from './heads';
import { AdamW, type OptimizerStatus } from './optimizer';

/** Estimator step: x = [φ(s_t); ψ(a_t)] per step, trajectories with final rewards. */
export class EstimatorTrainer {
  readonly metrics: Tensor;
  private loss: PreparedSpaLoss | null = null;
  private evalLoss: PreparedSpaLoss | null = null;
  private dc: Tensor | null = null;
  private shape: { steps: number; trajectories: number } | null = null;

  constructor(private readonly gpu: Gpu, readonly estimator: ProgressEstimator, readonly optimizer: AdamW) {
    this.metrics = gpu.zeros([SPA_STAT_STRIDE], 'f32', 'estimator-metrics');
  }

  async prepare(steps: number, trajectories: number): Promise<void> {
    if (this.shape?.steps === steps && this.shape.trajectories === trajectories) {
      await this.estimator.prepare(this.gpu, steps);
      return;
    }
    this.release();
    const [loss] = await Promise.all([PreparedSpaLoss.create(this.gpu, trajectories, true), this.estimator.prepare(this.gpu, steps)]);
    this.loss = loss;
    this.dc = this.gpu.empty([steps, 1], 'f32', 'estimator-dc');
    this.shape = { steps, trajectories };
  }

  /** Records forward, L = mean_i (Σ_t ĉ_t − R_i)², backward and AdamW. Metrics: MSE, MAE, mean Ĉ, mean R. */
  record(x: Tensor, traj: Trajectories): void {
    if (!this.loss || !this.dc || !this.shape) throw new Error('EstimatorTrainer: call prepare() first');
    if (this.estimator.mlp.rows !== this.shape.steps) throw new Error(`EstimatorTrainer: the estimator was last prepared for ${this.estimator.mlp.rows} steps (an evaluation batch); call prepare(${this.shape.steps}, ${this.shape.trajectories}) again before training`);
    const c = this.estimator.forward(x);
    this.loss.record(traj, c, this.metrics, this.dc);
    this.estimator.backward(this.dc);
    this.optimizer.record();
  }

  /**
   * Held-out evaluation (no gradient, no update): writes MSE, MAE, mean Ĉ, mean R into `out` and
   * returns ĉ per step. A batch of another size re-prepares the estimator for it; training then
   * needs prepare() again.
   */
  async evaluate(x: Tensor, traj: Trajectories, out: Tensor): Promise<Tensor> {
    if (this.estimator.mlp.rows !== traj.segments.total) await this.estimator.prepare(this.gpu, traj.segments.total);
    if (this.evalLoss?.trajectories !== traj.segments.count) {
      this.evalLoss?.destroy();
      this.evalLoss = await PreparedSpaLoss.create(this.gpu, traj.segments.count, false);
    }
    const c = this.estimator.forward(x);
    this.evalLoss.record(traj, c, out);
    return c;
  }

  async readMetrics(): Promise<{ mse: number; mae: number; meanPrediction: number; meanReward: number; optimizer: OptimizerStatus }> {
    const [m, s] = await this.gpu.readMany([this.metrics, this.optimizer.state]);
    return { mse: m[0], mae: m[1], meanPrediction: m[2], meanReward: m[3], optimizer: AdamW.statusFrom(s) };
  }

  private release(): void {
    this.loss?.destroy();
    if (this.dc) this.gpu.release(this.dc);
    this.loss = null;
    this.dc = null;
    this.shape = null;
  }

  destroy(): void {
    this.release();
    this.evalLoss?.destroy();
    this.gpu.release(this.metrics);
  }
}

/** Behaviour cloning of the policy adapter on expert choices: L = −mean_s log π(a*_s | s). */
export class BcTrainer {
  /** BC loss (nll), accuracy (argmax = expert), entropy, 0. */
  readonly metrics: Tensor;
  private k: { ce: PreparedSegmentedSoftmax; colsum: PreparedColsum; grads: Tensor; stats: Tensor } | null = null;
  private states = 0;

  constructor(private readonly gpu: Gpu, readonly adapter: PolicyAdapter, readonly optimizer: AdamW) {
    this.metrics = gpu.zeros([CE_STRIDE], 'f32', 'bc-metrics');
  }

  async prepare(states: number, candidates: number): Promise<void> {
    await this.adapter.prepare(this.gpu, states, candidates);
    if (this.k && this.states === states) return;
    this.release();
    const [ce, colsum] = await Promise.all([PreparedSegmentedSoftmax.create(this.gpu), PreparedColsum.create(this.gpu, { rows: states, cols: CE_STRIDE })]);
    this.k = { ce, colsum, grads: this.gpu.empty([states, GRAD_STRIDE]), stats: this.gpu.empty([states, CE_STRIDE]) };
    this.states = states;
  }

  record(batch: PolicyBatch): void {
    if (!this.k) throw new Error('BcTrainer: call prepare() first');
    const { setOut } = this.adapter.forward(batch);
    this.k.ce.crossEntropy(batch.sets, setOut, this.k.grads, this.k.stats);
    this.k.colsum.record(this.k.stats, this.metrics, { scale: 1 / this.states });
    this.adapter.backward(this.k.grads);
    this.optimizer.record();
  }

  async readMetrics(): Promise<{ loss: number; accuracy: number; entropy: number; optimizer: OptimizerStatus }> {
    const [m, s] = await this.gpu.readMany([this.metrics, this.optimizer.state]);
    return { loss: m[0], accuracy: m[1], entropy: m[2], optimizer: AdamW.statusFrom(s) };
  }

  private release(): void {
    if (!this.k) return;
    this.k.colsum.destroy();
    this.gpu.release(this.k.grads, this.k.stats);
    this.k = null;
  }

  destroy(): void {
    this.release();
    this.gpu.release(this.metrics);
  }
}

export interface PpoBatch extends PolicyBatch {
  /** PPO_BATCH_STRIDE floats per state: log π_old(a), advantage, V_old, return (see PPO_BATCH_COL). */
  rollout: Tensor;
}

/**
 * One PPO minibatch update of the policy adapter and the value head: both forwards, the PPO loss,
 * both backwards and every optimiser (one per ParamSet; one set may hold both heads).
 */
export class PpoTrainer {
  readonly metrics: Tensor;
  config: PpoConfig;
  private k: { loss: PreparedPpoLoss; grads: Tensor; dValues: Tensor } | null = null;
  private states = 0;

  constructor(private readonly gpu: Gpu, readonly adapter: PolicyAdapter, readonly value: ValueHead, readonly optimizers: AdamW[], config: Partial<PpoConfig> = {}) {
    this.metrics = gpu.zeros([PPO_METRICS_SIZE], 'f32', 'ppo-metrics');
    this.config = { ...DEFAULT_PPO, ...config };
  }

  async prepare(states: number, candidates: number): Promise<void> {
    await Promise.all([this.adapter.prepare(this.gpu, states, candidates), this.value.prepare(this.gpu, states)]);
    if (this.k && this.states === states) return;
    this.release();
    this.k = { loss: await PreparedPpoLoss.create(this.gpu, states), grads: this.gpu.empty([states, GRAD_STRIDE]), dValues: this.gpu.empty([states, 1]) };
    this.states = states;
  }

  record(batch: PpoBatch): void {
    if (!this.k) throw new Error('PpoTrainer: call prepare() first');
    assertSize(batch.rollout, this.states * PPO_BATCH_STRIDE, 'PPO rollout batch');
    const { setOut } = this.adapter.forward(batch);
    const values = this.value.forward(batch.phi);
    this.k.loss.record({ setOut, values, batch: batch.rollout, grads: this.k.grads, dValues: this.k.dValues, metrics: this.metrics }, this.config);
    this.value.backward(this.k.dValues);
    this.adapter.backward(this.k.grads);
    for (const o of this.optimizers) o.record();
  }

  async readMetrics(): Promise<Record<PpoMetricName, number> & { grad_norm: number[]; optimizer: OptimizerStatus[] }> {
    const out = await this.gpu.readMany([this.metrics, ...this.optimizers.map((o) => o.state)]);
    const optimizer = out.slice(1).map((s) => AdamW.statusFrom(s));
    return { ...ppoMetricsFrom(out[0]), grad_norm: optimizer.map((o) => o.gradNorm), optimizer };
  }

  private release(): void {
    if (!this.k) return;
    this.k.loss.destroy();
    this.gpu.release(this.k.grads, this.k.dValues);
    this.k = null;
  }

  destroy(): void {
    this.release();
    this.gpu.release(this.metrics);
  }
}
