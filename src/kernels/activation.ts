// The activations the fused kernels apply (shaders/lib/activation.wgsl), and the codes that
// select one: declared here once and emitted into that WGSL part as ACT_IDENTITY, ACT_RELU, ….
// Every kernel whose shader includes lib/activation imports this module, which declares the part.

import { defineShaderConstants } from '../gpu';
import { slotConstants } from './shader-layout';

export type Activation = 'identity' | 'relu' | 'tanh' | 'gelu';

export const ACTIVATION_CODE: Record<Activation, number> = { identity: 0, relu: 1, tanh: 2, gelu: 3 };

defineShaderConstants('activation.codes', slotConstants('ACT', ACTIVATION_CODE));
