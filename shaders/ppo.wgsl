// PPO loss per step, its gradients, and per-step statistics for GPU-reduced metrics.
//
// For step s (N steps in the minibatch, every sum below is a mean over them):
//   Δ = clamp(log π − log π_old, −20, 20),  ρ = e^Δ                       importance ratio
//   pg = max(−A·ρ, −A·clip(ρ, 1−ε_lo, 1+ε_hi))                           clipped surrogate
//        and, with dual-clip c > 1 and A < 0:  pg = min(pg, −A·c)
//   vf = ½·max((V − G)², (V_old + clip(V − V_old, −ε_v, ε_v) − G)²)      clipped value loss
//        (½(V − G)² when value clipping is off)
//   kl = log π − log π_ref                  k1
//      = e^δ − δ − 1, δ = log π_ref − log π k3 (clamped to ±10, as verl's low_var_kl)
//      = Σ_a π (log π − log π⁰)             exact, over the whole candidate set, to the prior
//   log π_ref(a) is the batch's B_LP_REF column (the BC-frozen policy's or the prior's, as the
//   caller chose); the exact KL needs every candidate's reference logit, so it stays to the prior.
//   ℓ  = pg + c_vf·vf − c_ent·H + c_kl·kl,   L = (1/N) Σ_s ℓ_s
//
// Gradients (written per step, scaled by 1/N):
//   ∂pg/∂log π = −A·ρ when the unclipped branch is active, else 0
//   ∂vf/∂V     = V − G, or (V_clip − G) when the clipped branch wins and V is inside the clip
//   ∂kl/∂log π = 1 (k1), 1 − e^δ (k3);  the exact KL's gradient flows through ∂L/∂KL instead
//   ∂L/∂H      = −c_ent/N
// The per-set triple (∂L/∂log π(a*), ∂L/∂H, ∂L/∂KL) is what the segmented-softmax backward takes.
//
// Metrics, as verl/TRL name them: clipfrac = mean[pg₂ > pg₁], clipfrac_lower = dual-clip share,
// vf_clipfrac, approx_kl = mean ½Δ² (TRL), ppo_kl = mean(−Δ) (verl), ratio mean and variance,
// explained_var = 1 − Var(G − V)/Var(G) (0 when the returns do not vary), values_mean = mean V,
// returns_var = Var(G).

override WG: u32;

#include "lib/clamps"
// Layouts from src/kernels/segsoftmax.ts (per-set outputs SET_*, gradients GRAD_*) and
// src/kernels/ppo.ts (rollout columns B_*, per-step statistics S_*, metric slots M_*, KL_* codes).
#include "segsoftmax.layout"
#include "ppo.layout"

struct Params {
  steps: u32, klEstimator: u32, valueClip: u32, _pad: u32,
  clipLow: f32, clipHigh: f32, dualClip: f32, valueClipRange: f32,
  vfCoef: f32, entCoef: f32, klCoef: f32, invN: f32,
}

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> setOut: array<f32>;
@group(0) @binding(2) var<storage, read> values: array<f32>;
@group(0) @binding(3) var<storage, read> batch: array<f32>;
@group(0) @binding(4) var<storage, read_write> grads: array<f32>;
@group(0) @binding(5) var<storage, read_write> dValues: array<f32>;
@group(0) @binding(6) var<storage, read_write> stats: array<f32>;
// finalize (no uniforms)
@group(0) @binding(0) var<storage, read> means: array<f32>;
@group(0) @binding(1) var<storage, read_write> metrics: array<f32>;

@compute @workgroup_size(WG)
fn loss(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let s = gid.x + gid.y * nwg.x * WG;
  if (s >= P.steps) { return; }
  let lp = setOut[s * SET_STRIDE + SET_LP_CHOSEN];
  let H = setOut[s * SET_STRIDE + SET_ENTROPY];
  let lpOld = batch[s * BATCH_STRIDE + B_LP_OLD];
  let A = batch[s * BATCH_STRIDE + B_ADVANTAGE];
  let Vold = batch[s * BATCH_STRIDE + B_VALUE_OLD];
  let G = batch[s * BATCH_STRIDE + B_RET];
  let lpRef = batch[s * BATCH_STRIDE + B_LP_REF];
  let V = values[s];

  // Clipped surrogate, with optional dual clip.
  let delta = clamp(lp - lpOld, -LOG_RATIO_CLAMP, LOG_RATIO_CLAMP);
  let ratio = exp(delta);
  let pg1 = -A * ratio;
  let pg2 = -A * clamp(ratio, 1.0 - P.clipLow, 1.0 + P.clipHigh);
  let clipped = max(pg1, pg2);
  var pg = clipped;
  var dualActive = false;
  if (P.dualClip > 1.0 && A < 0.0) {
    let pg3 = -A * P.dualClip;
    dualActive = pg3 < clipped;
    pg = min(clipped, pg3);
  }
  let unclipped = pg1 >= pg2 && !dualActive;
  let dpg = select(0.0, -A * ratio, unclipped && abs(lp - lpOld) < LOG_RATIO_CLAMP);

  // Value loss, optionally clipped around the rollout's values.
  let vf1 = (V - G) * (V - G);
  var vf = 0.5 * vf1;
  var dvf = V - G;
  var vfClipped = false;
  if (P.valueClip != 0u) {
    let Vc = Vold + clamp(V - Vold, -P.valueClipRange, P.valueClipRange);
    let vf2 = (Vc - G) * (Vc - G);
    vfClipped = vf2 > vf1;
    vf = 0.5 * max(vf1, vf2);
    if (vfClipped) { dvf = select(0.0, Vc - G, abs(V - Vold) < P.valueClipRange); }
  }

  // KL to the reference (k1, k3) or to the frozen prior (exact).
  var kl = 0.0; var dkl = 0.0; var gKL = 0.0;
  switch P.klEstimator {
    case KL_K1: { kl = lp - lpRef; dkl = 1.0; }
    case KL_K3: {
      let d = clamp(lpRef - lp, -LOG_RATIO_CLAMP, LOG_RATIO_CLAMP);
      let k3 = exp(d) - d - 1.0;
      kl = clamp(k3, -K3_CLAMP, K3_CLAMP);
      dkl = select(0.0, 1.0 - exp(d), abs(k3) < K3_CLAMP);
    }
    default: { kl = setOut[s * SET_STRIDE + SET_KL_PRIOR]; gKL = P.klCoef * P.invN; }
  }

  let g = s * GRAD_STRIDE;
  grads[g + GRAD_LP] = P.invN * (dpg + P.klCoef * dkl);
  grads[g + GRAD_ENTROPY] = -P.entCoef * P.invN;
  grads[g + GRAD_KL] = gKL;
  grads[g + GRAD_PAD] = 0.0;
  dValues[s] = P.invN * P.vfCoef * dvf;

  let o = s * STAT_STRIDE;
  stats[o + S_PG] = pg;
  stats[o + S_VF] = vf;
  stats[o + S_ENTROPY] = H;
  stats[o + S_KL] = kl;
  stats[o + S_APPROX_KL] = 0.5 * delta * delta;
  stats[o + S_PPO_KL] = -delta;
  stats[o + S_CLIPFRAC] = select(0.0, 1.0, pg2 > pg1);
  stats[o + S_CLIPFRAC_LOWER] = select(0.0, 1.0, dualActive);
  stats[o + S_VF_CLIPFRAC] = select(0.0, 1.0, vfClipped);
  stats[o + S_RATIO] = ratio;
  stats[o + S_RATIO2] = ratio * ratio;
  stats[o + S_RET] = G;
  stats[o + S_RET2] = G * G;
  stats[o + S_RESID] = G - V;
  stats[o + S_RESID2] = (G - V) * (G - V);
  stats[o + S_LOSS] = pg + P.vfCoef * vf - P.entCoef * H + P.klCoef * kl;
}

// One invocation: turns column means into the named metrics.
@compute @workgroup_size(1)
fn finalize() {
  metrics[M_LOSS] = means[S_LOSS];
  metrics[M_PG_LOSS] = means[S_PG];
  metrics[M_VF_LOSS] = means[S_VF];
  metrics[M_ENTROPY] = means[S_ENTROPY];
  metrics[M_KL] = means[S_KL];
  metrics[M_APPROX_KL] = means[S_APPROX_KL];
  metrics[M_PPO_KL] = means[S_PPO_KL];
  metrics[M_CLIPFRAC] = means[S_CLIPFRAC];
  metrics[M_CLIPFRAC_LOWER] = means[S_CLIPFRAC_LOWER];
  metrics[M_VF_CLIPFRAC] = means[S_VF_CLIPFRAC];
  metrics[M_RATIO_MEAN] = means[S_RATIO];
  metrics[M_RATIO_VAR] = max(means[S_RATIO2] - means[S_RATIO] * means[S_RATIO], 0.0);
  let varG = max(means[S_RET2] - means[S_RET] * means[S_RET], 0.0);
  let varResid = max(means[S_RESID2] - means[S_RESID] * means[S_RESID], 0.0);
  metrics[M_EXPLAINED_VAR] = select(0.0, 1.0 - varResid / varG, varG > 0.0);
  metrics[M_RETURNS_MEAN] = means[S_RET];
  metrics[M_VALUES_MEAN] = means[S_RET] - means[S_RESID];
  metrics[M_RETURNS_VAR] = varG;
}
