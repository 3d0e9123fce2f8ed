// The SwiGLU activation of the Llama MLP, forward and backward, on the fused gate|up product.
//
//   gu[r] = [g_0 … g_{I−1} | u_0 … u_{I−1}]   (one row of x·[W_gate; W_up]ᵀ, 2I columns)
//   σ(g) = 1/(1 + e^{−g}),   silu(g) = g·σ(g)
//   forward:   a[r, c] = silu(g_c)·u_c
//   backward:  ∂L/∂g_c = ∂L/∂a_c · u_c · σ(g_c)·(1 + g_c·(1 − σ(g_c)))
//              ∂L/∂u_c = ∂L/∂a_c · silu(g_c)
//
// One invocation per (row, c < I). σ comes from lib/activation (no clamp is needed: e^{−g}
// overflows to +inf for g < −88, giving σ = 0 exactly, the correct limit).

#include "lib/activation"

override WG: u32;

struct Params { rows: u32, inner: u32, _p0: u32, _p1: u32 }

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> gu: array<f32>;
@group(0) @binding(2) var<storage, read_write> act: array<f32>;
// backward: 1 gu, then
@group(0) @binding(2) var<storage, read> dact: array<f32>;
@group(0) @binding(3) var<storage, read_write> dgu: array<f32>;

@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let e = gid.x + gid.y * nwg.x * WG;
  if (e >= P.rows * P.inner) { return; }
  let r = e / P.inner;
  let c = e - r * P.inner;
  let g = gu[r * 2u * P.inner + c];
  let u = gu[r * 2u * P.inner + P.inner + c];
  act[e] = g * sigmoid(g) * u;
}

@compute @workgroup_size(WG)
fn backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let e = gid.x + gid.y * nwg.x * WG;
  if (e >= P.rows * P.inner) { return; }
  let r = e / P.inner;
  let c = e - r * P.inner;
  let ig = r * 2u * P.inner + c;
  let g = gu[ig];
  let u = gu[ig + P.inner];
  let sg = sigmoid(g);
  let d = dact[e];
  dgu[ig] = d * u * sg * (1.0 + g * (1.0 - sg));
  dgu[ig + P.inner] = d * g * sg;
}
