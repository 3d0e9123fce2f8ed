// Fused Adam / AdamW over one packed parameter buffer, with global gradient-norm clipping.
//
//   ‖g‖ = √(Σ g²)                                   (summed by reduce.wgsl into state[STATE_SUMSQ])
//   s   = min(1, max_norm / (‖g‖ + 1e-6))           (1 when clipping is off)
//   t ← t + 1
//   g'  = s·g  (+ λθ for Adam's coupled L2 decay)
//   m   ← β₁m + (1 − β₁)g'
//   v   ← β₂v + (1 − β₂)g'²
//   θ   ← θ·(1 − η·λ)                               (AdamW's decoupled decay)
//   θ   ← θ − η · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
// Weight decay applies to the first `decayEnd` elements (the packing puts weight matrices before
// biases). A non-finite ‖g‖ skips the step entirely (state[STATE_SKIPPED] = 1, t unchanged), so one bad
// batch cannot poison the moments.
// `prepare` (one invocation) turns the norm into the clip scale and advances t on the GPU: a
// training loop writes no uniforms per step and reads nothing back. It keeps the bias corrections
// by the recurrence 1 − βᵗ⁺¹ = (1 − β) + β(1 − βᵗ): every term is positive, so f32 loses nothing
// to cancellation, whereas 1 − pow(β, t) loses ~1e-4 relative for β = 0.999 (pow is
// exp2(t·log2 β) on most GPUs).

override WG: u32;

#include "lib/float"
// Slots of the state vector, from ADAM_STATE in src/kernels/adam.ts: STATE_SUMSQ, STATE_STEP,
// STATE_GRAD_NORM, STATE_CLIP_SCALE, STATE_SKIPPED, STATE_BIAS_CORRECTION1 (1 − β₁ᵗ) and
// STATE_BIAS_CORRECTION2 (1 − β₂ᵗ).
#include "adam.layout"
const NORM_EPS: f32 = 1e-6;

struct Params {
  n4: u32, decayEnd4: u32, decoupled: u32, clip: u32,
  beta1: f32, beta2: f32, eps: f32, weightDecay: f32,
  maxNorm: f32, _a: f32, _b: f32, _c: f32,
}
// η, written by the host when it changes (a schedule changes it every step; uniforms are cached
// by content, so keeping it there would make a new uniform buffer per step).
struct Rate { lr: f32, _a: f32, _b: f32, _c: f32 }

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read_write> state: array<f32>;
// update
@group(0) @binding(1) var<storage, read> stateIn: array<f32>;
@group(0) @binding(2) var<storage, read_write> theta: array<vec4f>;
@group(0) @binding(3) var<storage, read> grad: array<vec4f>;
@group(0) @binding(4) var<storage, read_write> m1: array<vec4f>;
@group(0) @binding(5) var<storage, read_write> m2: array<vec4f>;
@group(0) @binding(6) var<storage, read> rate: Rate;


@compute @workgroup_size(1)
fn prepare() {
  let norm = sqrt(state[STATE_SUMSQ]);
  state[STATE_GRAD_NORM] = norm;
  if (!isFinite(norm)) {
    state[STATE_SKIPPED] = 1.0;
    state[STATE_CLIP_SCALE] = 0.0;
    return;
  }
  state[STATE_SKIPPED] = 0.0;
  state[STATE_STEP] = state[STATE_STEP] + 1.0;
  state[STATE_BIAS_CORRECTION1] = (1.0 - P.beta1) + P.beta1 * state[STATE_BIAS_CORRECTION1];
  state[STATE_BIAS_CORRECTION2] = (1.0 - P.beta2) + P.beta2 * state[STATE_BIAS_CORRECTION2];
  var scale = 1.0;
  if (P.clip != 0u) { scale = min(1.0, P.maxNorm / (norm + NORM_EPS)); }
  state[STATE_CLIP_SCALE] = scale;
}

@compute @workgroup_size(WG)
fn update(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= P.n4 || stateIn[STATE_SKIPPED] != 0.0) { return; }
  let decay = i < P.decayEnd4;
  var th = theta[i];
  var g = grad[i] * stateIn[STATE_CLIP_SCALE];
  if (decay && P.decoupled == 0u) { g += P.weightDecay * th; }
  let m = P.beta1 * m1[i] + (1.0 - P.beta1) * g;
  let v = P.beta2 * m2[i] + (1.0 - P.beta2) * g * g;
  m1[i] = m;
  m2[i] = v;
  let lr = rate.lr;
  if (decay && P.decoupled != 0u) { th *= 1.0 - lr * P.weightDecay; }
  let mHat = m / stateIn[STATE_BIAS_CORRECTION1];
  let vHat = v / stateIn[STATE_BIAS_CORRECTION2];
  theta[i] = th - lr * mHat / (sqrt(vHat) + P.eps);
}
