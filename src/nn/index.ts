// The trainable side of Stepwise: packed parameters, MLP heads on the backbone's features, the
// optimiser, whole-step trainers (one submit per update), and safetensors checkpoints.
export { ParamSet, Param, PARAM_ALIGN, type ParamOptions, type ParamLayoutEntry } from './params';
export { fanInUniform, activationGain, type Init } from './init';
export { Mlp, type MlpSpec, type MlpPrepareOptions } from './mlp';
export { PairMlp, type PairMlpSpec } from './pair-mlp';
export { PolicyAdapter, ValueHead, ProgressEstimator, type PolicyAdapterSpec, type PolicyBatch, type HeadSpec } from './heads';
export { AdamW, type OptimizerStatus } from './optimizer';
export { EstimatorTrainer, BcTrainer, PpoTrainer, type PpoBatch } from './trainers';
export { saveCheckpoint, loadCheckpoint, CheckpointError, CHECKPOINT_FORMAT } from './checkpoint';
export { encodeSafetensors, decodeSafetensors, SafetensorsError, type SafeTensor, type SafeDType } from './safetensors';
