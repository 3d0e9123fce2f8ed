// Stepwise Progress Attribution: the progress estimator's loss over ragged trajectories.
//
//   ĉ_t = E(s_t, a_t)                       per-step contributions (the estimator's outputs)
//   Ĉ_i = Σ_{t in trajectory i} ĉ_t         predicted task completion
//   L   = (1/B) Σ_i (Ĉ_i − R_i)²            R_i: the trajectory's final reward
//   ∂L/∂ĉ_t = 2(Ĉ_i − R_i)/B                 the same for every step of trajectory i
//
// Per-trajectory statistics (STAT_STRIDE floats): (Ĉ−R)², |Ĉ−R|, Ĉ, R. Their column means are
// the MSE, the MAE, the mean prediction and the mean reward (held-out evaluation uses the same
// kernel with GRAD off). One invocation per trajectory.

override WG: u32;
override GRAD: bool = true;

// STAT_STRIDE and the columns STAT_MSE, STAT_MAE, STAT_MEAN_PREDICTION, STAT_MEAN_REWARD, from
// src/kernels/spa.ts (SPA_STAT_STRIDE, SPA_METRIC).
#include "spa.layout"

struct Params { trajectories: u32, gradScale: f32, _a: u32, _b: u32 }   // gradScale = 2/B

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> offsets: array<u32>;
@group(0) @binding(2) var<storage, read> c: array<f32>;          // ĉ per step
@group(0) @binding(3) var<storage, read> R: array<f32>;          // final reward per trajectory
@group(0) @binding(4) var<storage, read_write> dc: array<f32>;   // ∂L/∂ĉ per step
@group(0) @binding(5) var<storage, read_write> stats: array<f32>;

@compute @workgroup_size(WG)
fn loss(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= P.trajectories) { return; }
  let a = offsets[i];
  let b = offsets[i + 1u];
  var C = 0.0;
  for (var t = a; t < b; t++) { C += c[t]; }
  let err = C - R[i];
  if (GRAD) {
    let g = P.gradScale * err;
    for (var t = a; t < b; t++) { dc[t] = g; }
  }
  let o = i * STAT_STRIDE;
  stats[o + STAT_MSE] = err * err;
  stats[o + STAT_MAE] = abs(err);
  stats[o + STAT_MEAN_PREDICTION] = C;
  stats[o + STAT_MEAN_REWARD] = R[i];
}
