// Dense-layer pieces that are not matrix products (those go through matmul-*.wgsl):
//
//   activate:      Y = f(Z)                              (GELU keeps Z for its backward)
//   act_backward:  dZ = dY ⊙ f′(S)                       S = Y for relu/tanh, Z for gelu
//   narrow:        y[r] = f(Σ_k X[r, k]·w[k] + b)        a layer with one output
//   outer:         dX[r, k] = dz[r]·w[k]                 its input gradient (dz · wᵀ)
//   outer_act:     dZₓ[r, k] = dz[r]·w[k]·f′(Sₓ[r, k])    the same, through the activation that
//                                                        produced X (one pass instead of two)
//
// f and f′:  relu  max(z, 0),  f′ = [y > 0]
//            tanh  tanh z,     f′ = 1 − y²
//            gelu  ½z(1 + tanh u),  u = √(2/π)(z + 0.044715 z³),
//                  f′ = ½(1 + tanh u) + ½z(1 − tanh² u)·√(2/π)(1 + 3·0.044715 z²)
// Elementwise entries loop with a grid stride, so any length fits in one dispatch.

#include "lib/lanes"
#include "lib/activation"

override WG: u32;
override ACTIVATION: u32 = ACT_IDENTITY;

struct Dims { n: u32, rows: u32, cols: u32, _pad: u32 }

// Each entry point binds 0…n−1 contiguously; variables that share a binding belong to
// different entry points.
@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> src: array<f32>;        // Z (activate), S (act_backward), X (narrow), dz (outer)
@group(0) @binding(2) var<storage, read> aux: array<f32>;        // dY (act_backward), w (narrow, outer)
@group(0) @binding(2) var<storage, read_write> out2: array<f32>; // Y (activate)
@group(0) @binding(3) var<storage, read> bias: array<f32>;       // b (narrow)
@group(0) @binding(3) var<storage, read_write> out3: array<f32>; // dZ (act_backward), dX (outer)
@group(0) @binding(4) var<storage, read_write> out4: array<f32>; // y (narrow), dZₓ (outer_act)
@group(0) @binding(3) var<storage, read> savedIn: array<f32>;    // Sₓ (outer_act)

fn f(z: f32) -> f32 { return activation(ACTIVATION, z); }
fn fprime(s: f32) -> f32 { return activationGrad(ACTIVATION, s); }

fn stride(nwg: vec3u) -> u32 { return nwg.x * nwg.y * WG; }
fn first(gid: vec3u, nwg: vec3u) -> u32 { return gid.x + gid.y * nwg.x * WG; }

@compute @workgroup_size(WG)
fn activate(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  for (var i = first(gid, nwg); i < dims.n; i += stride(nwg)) { out2[i] = f(src[i]); }
}

@compute @workgroup_size(WG)
fn act_backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  for (var i = first(gid, nwg); i < dims.n; i += stride(nwg)) { out3[i] = aux[i] * fprime(src[i]); }
}

// One invocation per row; K = dims.cols. VEC4 partial sums keep the adds independent.
@compute @workgroup_size(WG)
fn narrow(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let r = first(gid, nwg);
  if (r >= dims.rows) { return; }
  let K = dims.cols;
  let o = r * K;
  var s0 = 0.0; var s1 = 0.0; var s2 = 0.0; var s3 = 0.0;
  var k = 0u;
  for (; k + VEC4 <= K; k += VEC4) {
    let ks = vec4u(k) + LANE4;
    s0 = fma(src[o + ks.x], aux[ks.x], s0);
    s1 = fma(src[o + ks.y], aux[ks.y], s1);
    s2 = fma(src[o + ks.z], aux[ks.z], s2);
    s3 = fma(src[o + ks.w], aux[ks.w], s3);
  }
  for (; k < K; k++) { s0 = fma(src[o + k], aux[k], s0); }
  out4[r] = f((s0 + s1) + (s2 + s3) + bias[0]);
}

@compute @workgroup_size(WG)
fn outer(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  for (var i = first(gid, nwg); i < dims.n; i += stride(nwg)) {
    out3[i] = src[i / dims.cols] * aux[i % dims.cols];
  }
}

// ACTIVATION here is that of the layer that produced X.
@compute @workgroup_size(WG)
fn outer_act(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  for (var i = first(gid, nwg); i < dims.n; i += stride(nwg)) {
    out4[i] = src[i / dims.cols] * aux[i % dims.cols] * fprime(savedIn[i]);
  }
}
