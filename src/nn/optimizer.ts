// AdamW over a whole ParamSet: first and second moments packed like the parameters, the step
// count and gradient norm in a small state vector on the GPU (see kernels/adam.ts).

import type { Gpu, Tensor } from '../gpu';
import { ADAM_STATE, ADAM_STATE_SIZE, DEFAULT_ADAM, PreparedAdam, validateAdamConfig, type AdamConfig } from '../kernels/adam';
import type { ParamSet } from './params';

export interface OptimizerStatus {
  step: number;
  gradNorm: number;
  clipScale: number;
  skipped: boolean;
}

export class AdamW {
  readonly m: Tensor;
  readonly v: Tensor;
  readonly state: Tensor;
  config: AdamConfig;

  private constructor(private readonly gpu: Gpu, readonly params: ParamSet, private readonly adam: PreparedAdam, config: AdamConfig) {
    this.m = gpu.zeros([params.size], 'f32', 'adam-m');
    this.v = gpu.zeros([params.size], 'f32', 'adam-v');
    this.state = gpu.zeros([ADAM_STATE_SIZE], 'f32', 'adam-state');
    this.config = config;
  }

  static async create(gpu: Gpu, params: ParamSet, config: Partial<AdamConfig> = {}): Promise<AdamW> {
    if (!params.built) throw new Error('AdamW: build the ParamSet first');
    const c = { ...DEFAULT_ADAM, ...config };
    validateAdamConfig(c);
    return new AdamW(gpu, params, await PreparedAdam.create(gpu, params.size, params.decayEnd), c);
  }

  /**
   * Sets the learning rate of the next recorded updates (a queue write: call it before recording a
   * step, so the step stays one command buffer). `record` uses config.lr, kept in step with this.
   */
  setLearningRate(lr: number): void {
    this.adam.setLearningRate(lr);
    this.config = { ...this.config, lr };
  }

  /** Records one update of every parameter in the set from the current gradients. */
  record(): void {
    this.adam.record({ params: this.params.packed('params'), grads: this.params.packed('grads'), m: this.m, v: this.v, state: this.state }, this.config);
  }

  static statusFrom(state: ArrayLike<number>): OptimizerStatus {
    return { step: state[ADAM_STATE.step], gradNorm: state[ADAM_STATE.gradNorm], clipScale: state[ADAM_STATE.clipScale], skipped: state[ADAM_STATE.skipped] !== 0 };
  }

  async status(): Promise<OptimizerStatus> {
    return AdamW.statusFrom(await this.gpu.read(this.state));
  }

  destroy(): void {
    this.adam.destroy();
    this.gpu.release(this.m, this.v, this.state);
  }
}
