// Ragged sets of rows given by offsets: set s owns rows offsets[s] … offsets[s+1] − 1 (the
// candidates of one state, the steps of one trajectory). C columns per row.
//
//   broadcast:  Z[j, c] = A[j, c] + S[s, c],  Y[j, c] = f(Z[j, c])   for every row j of set s
//   sum:        T[s, c] = Σ_{j in set s} G[j, c]
//
// `broadcast` is the policy adapter's first layer: f(W·[φ(s); ψ(a)] + b) computed as
// f(ψ(a)·W_ψ + b + φ(s)·W_φ), so the state half is multiplied once per state instead of once
// per candidate. Z overwrites A in place (GELU's backward needs it). `sum` is its backward:
// the state half's gradient is the sum of its candidates' gradients.
// One invocation per (set, column): neighbouring invocations touch neighbouring columns.

#include "lib/activation"

override WG: u32;
override ACTIVATION: u32 = ACT_IDENTITY;

struct Dims { sets: u32, cols: u32, _a: u32, _b: u32 }

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> offsets: array<u32>;
@group(0) @binding(2) var<storage, read> S: array<f32>;          // broadcast: per-set rows
@group(0) @binding(3) var<storage, read_write> A: array<f32>;    // broadcast: per-row, becomes Z
@group(0) @binding(4) var<storage, read_write> Y: array<f32>;    // broadcast: f(Z)
@group(0) @binding(2) var<storage, read> G: array<f32>;          // sum: per-row input
@group(0) @binding(3) var<storage, read_write> T: array<f32>;    // sum: per-set output

fn f(z: f32) -> f32 { return activation(ACTIVATION, z); }

fn setAndColumn(gid: vec3u, nwg: vec3u) -> vec2u {
  let i = gid.x + gid.y * nwg.x * WG;
  return vec2u(i / dims.cols, i % dims.cols);
}

@compute @workgroup_size(WG)
fn broadcast(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let sc = setAndColumn(gid, nwg);
  if (sc.x >= dims.sets) { return; }
  let C = dims.cols;
  let state = S[sc.x * C + sc.y];
  for (var j = offsets[sc.x]; j < offsets[sc.x + 1u]; j++) {
    let z = A[j * C + sc.y] + state;
    A[j * C + sc.y] = z;
    Y[j * C + sc.y] = f(z);
  }
}

@compute @workgroup_size(WG)
fn sum(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let sc = setAndColumn(gid, nwg);
  if (sc.x >= dims.sets) { return; }
  let C = dims.cols;
  var s = 0.0;
  for (var j = offsets[sc.x]; j < offsets[sc.x + 1u]; j++) { s += G[j * C + sc.y]; }
  T[sc.x * C + sc.y] = s;
}
