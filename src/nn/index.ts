// The trainable side of Stepwise: packed parameters, MLP heads on the backbone's features, the
// optimiser, whole-step trainers (one submit per update), and safetensors checkpoints.
export { ParamSet, Param, PARAM_ALIGN, type ParamOptions, type ParamLayoutEntry } from './params';
export { fanInUniform, activationGain, type Init } from './init';
export { type PlanCapacity } from './plan';
export { Mlp, MlpPlan, type MlpSpec, type MlpPlanOptions } from './mlp';
export { PairMlp, PairMlpPlan, type PairMlpSpec } from './pair-mlp';
export { PolicyAdapter, PolicyPlan, PolicyBatchBuffer, featureNormFrom, standardiseRows, encodeFeatureNorm, decodeFeatureNorm, FEATURE_NORM_MIN_SCALE, type FeatureNorm, ValueHead, ProgressEstimator, type PolicyAdapterSpec, type PolicyBatch, type PolicyBatchHost, type PolicyBatchCapacity, type HeadSpec } from './heads';
export { AdamW, type OptimizerStatus } from './optimizer';
export { EstimatorTrainer, BcTrainer, PpoTrainer, EstimatorBatchBuffer, PpoBatchBuffer, type PpoBatch, type EstimatorBatch, type EstimatorPlans, type PpoPlans } from './trainers';
export { saveCheckpoint, loadCheckpoint, CheckpointError, CHECKPOINT_FORMAT } from './checkpoint';
export { encodeSafetensors, decodeSafetensors, SafetensorsError, type SafeTensor, type SafeDType } from './safetensors';
export { Transformer, TransformerPlan, createTransformer, type TransformerInit, type TransformerOptions, type TransformerCapacity, type StepResult, type EvalResult } from './transformer';
export { fusedParameters, fuseWeights, splitWeights, encodeTransformerWeights, decodeTransformerWeights, type NamedTensor, type TransformerWeights } from './transformer-params';
export { transformerParameterShapes, transformerStepRef, type TransformerConfig, type TransformerBatch } from './transformer.ref';
export { learningRateAt, validateLrSchedule, type LrSchedule } from './lr-schedule';
