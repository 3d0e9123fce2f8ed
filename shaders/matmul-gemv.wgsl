// Matrix-vector product for a single row (M = 1):  y = act(x·B + bias)  (or y += x·B).
//
//   y[n] = act( Σ_k x[k] · B(k, n) + bias[n] ),   B(k, n) = B[k·sBk + n·sBn]
//
// One invocation per output. With B stored K×N (sBn = 1) neighbouring invocations read
// neighbouring words; with Bᵀ (sBk = 1) each invocation walks its own contiguous row.
// A matmul tile would waste 7/8 of its rows here.

#include "lib/lanes"
#include "lib/activation"

override WG: u32;
override ACTIVATION: u32 = ACT_IDENTITY;
override HAS_BIAS: bool = false;
override ACCUMULATE: bool = false;

struct Dims { M: u32, N: u32, K: u32, sAm: u32, sAk: u32, sBk: u32, sBn: u32, _pad: u32 }

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let n = gid.x;
  if (n >= dims.N) { return; }
  var s0 = 0.0; var s1 = 0.0; var s2 = 0.0; var s3 = 0.0;  // VEC4 chains hide fma latency
  let K = dims.K;
  var k = 0u;
  for (; k + VEC4 <= K; k += VEC4) {
    let ks = vec4u(k) + LANE4;
    s0 = fma(x[ks.x * dims.sAk], B[ks.x * dims.sBk + n * dims.sBn], s0);
    s1 = fma(x[ks.y * dims.sAk], B[ks.y * dims.sBk + n * dims.sBn], s1);
    s2 = fma(x[ks.z * dims.sAk], B[ks.z * dims.sBk + n * dims.sBn], s2);
    s3 = fma(x[ks.w * dims.sAk], B[ks.w * dims.sBk + n * dims.sBn], s3);
  }
  for (; k < K; k++) { s0 = fma(x[k * dims.sAk], B[k * dims.sBk + n * dims.sBn], s0); }
  let s = (s0 + s1) + (s2 + s3);
  if (ACCUMULATE) { y[n] = y[n] + s; return; }
  var v = s;
  if (HAS_BIAS) { v = v + bias[n]; }
  y[n] = activation(ACTIVATION, v);
}
