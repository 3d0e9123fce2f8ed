// The public face of the WebGPU layer.
export { Gpu, type Binding, type DispatchOptions } from './runtime';
export { acquireGpu, isNode, type GpuHandle, type AcquireOptions } from './device';
export { summarizeAdapter, describeAdapter, type AdapterSummary } from './adapter-info';
export { GpuUnavailableError, ShaderCompileError, PipelineError, DeviceLostError, GpuValidationError, type GpuUnavailableCause } from './errors';
export { PipelineCache, pipelineKey, type PipelineSpec, type Constants } from './pipeline-cache';
export { BufferPool, sizeClass } from './buffer-pool';
export { Profiler, summarizeProfile, type ProfileEntry } from './profiler';
export { numel, shapeString, tensorView, type Tensor, type DType, type TypedArrayOf } from './tensor';
export { shaderSource, bundledShaderNames, defineShaderConstants, expandedShader, type ExpandedShader } from './shader-source';
