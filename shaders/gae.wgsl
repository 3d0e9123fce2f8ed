// Step-level generalised advantage estimation over ragged trajectories, and masked whitening.
//
// GAE, backwards over the steps t of trajectory i (V_{T} = bootstrap_i: 0 when the episode
// ended, the critic's value of the next state when it was cut off):
//   δ_t = r_t + γ·V_{t+1} − V_t
//   A_t = δ_t + γλ·A_{t+1}          (A_T = 0)
//   G_t = A_t + V_t                  (the value target, "returns")
// One invocation per trajectory: the recursion is sequential in t, trajectories are independent.
//
// Whitening with a mask m ∈ {0, 1} (n = Σ m):
//   μ = Σ m·x / n,   σ² = Σ m·(x − μ)² / (n − 1)   (unbiased, as verl's masked_whiten)
//   x̂ = m·(x − μ) / √(σ² + 1e-8)
// in two passes over the data (mean first, then the centred sum of squares: no cancellation).
// Chunked partial sums and single-invocation combines, no barriers.

override WG: u32;
const WHITEN_EPS: f32 = 1e-8;
// Whitening statistics, from WHITEN_STATS in src/kernels/gae.ts: STAT_MEAN, STAT_VARIANCE,
// STAT_COUNT, STAT_STD.
#include "gae.layout"

// outStride/outOffset place the result of `gae` (returns) and `apply` (x̂) at out[i·stride + offset],
// so both can write straight into a column of the PPO rollout batch.
struct Params { n: u32, chunk: u32, chunks: u32, _pad: u32, gamma: f32, lambda: f32, outStride: u32, outOffset: u32 }

@group(0) @binding(0) var<uniform> P: Params;
// gae
@group(0) @binding(1) var<storage, read> offsets: array<u32>;
@group(0) @binding(2) var<storage, read> rewards: array<f32>;
@group(0) @binding(3) var<storage, read> values: array<f32>;
@group(0) @binding(4) var<storage, read> bootstrap: array<f32>;
@group(0) @binding(5) var<storage, read_write> advantages: array<f32>;
@group(0) @binding(6) var<storage, read_write> returns: array<f32>;
// whitening passes
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> mask: array<f32>;
@group(0) @binding(3) var<storage, read_write> partials: array<f32>;   // moments
@group(0) @binding(3) var<storage, read> statsIn: array<f32>;          // centred, apply
@group(0) @binding(4) var<storage, read_write> partialsOut: array<f32>; // centred
@group(0) @binding(4) var<storage, read_write> y: array<f32>;          // apply
// combine_mean, combine_var
@group(0) @binding(1) var<storage, read> partialsIn: array<f32>;
@group(0) @binding(2) var<storage, read_write> stats: array<f32>;

fn index(gid: vec3u, nwg: vec3u) -> u32 { return gid.x + gid.y * nwg.x * WG; }

@compute @workgroup_size(WG)
fn gae(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = index(gid, nwg);
  if (i >= P.n) { return; }
  var nextValue = bootstrap[i];
  var nextAdv = 0.0;
  let a = offsets[i];
  for (var t = offsets[i + 1u]; t > a; t--) {
    let s = t - 1u;
    let delta = rewards[s] + P.gamma * nextValue - values[s];
    let adv = delta + P.gamma * P.lambda * nextAdv;
    advantages[s] = adv;
    returns[s * P.outStride + P.outOffset] = adv + values[s];
    nextValue = values[s];
    nextAdv = adv;
  }
}

// Pass 1: per chunk, (Σ m·x, Σ m).
@compute @workgroup_size(WG)
fn moments(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let p = index(gid, nwg);
  if (p >= P.chunks) { return; }
  var sx = 0.0; var sm = 0.0;
  for (var j = p * P.chunk; j < min((p + 1u) * P.chunk, P.n); j++) {
    sx += mask[j] * x[j];
    sm += mask[j];
  }
  partials[2u * p] = sx;
  partials[2u * p + 1u] = sm;
}

@compute @workgroup_size(1)
fn combine_mean() {
  var sx = 0.0; var sm = 0.0;
  for (var p = 0u; p < P.chunks; p++) { sx += partialsIn[2u * p]; sm += partialsIn[2u * p + 1u]; }
  stats[STAT_MEAN] = select(0.0, sx / sm, sm > 0.0);
  stats[STAT_COUNT] = sm;
}

// Pass 2: per chunk, Σ m·(x − μ)².
@compute @workgroup_size(WG)
fn centred(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let p = index(gid, nwg);
  if (p >= P.chunks) { return; }
  let mu = statsIn[STAT_MEAN];
  var s = 0.0;
  for (var j = p * P.chunk; j < min((p + 1u) * P.chunk, P.n); j++) {
    let d = x[j] - mu;
    s += mask[j] * d * d;
  }
  partialsOut[p] = s;
}

@compute @workgroup_size(1)
fn combine_var() {
  var s = 0.0;
  for (var p = 0u; p < P.chunks; p++) { s += partialsIn[p]; }
  let n = stats[STAT_COUNT];
  let v = select(0.0, s / (n - 1.0), n > 1.0);
  stats[STAT_VARIANCE] = v;
  stats[STAT_STD] = sqrt(v);
}

@compute @workgroup_size(WG)
fn apply(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let j = index(gid, nwg);
  if (j >= P.n) { return; }
  let scale = inverseSqrt(statsIn[STAT_VARIANCE] + WHITEN_EPS);
  y[j * P.outStride + P.outOffset] = mask[j] * (x[j] - statsIn[STAT_MEAN]) * scale;
}
