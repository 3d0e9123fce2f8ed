// Matrix-vector product for a single row (M = 1):  y = act(x·B + bias)  (or y += x·B).
//
//   y[n] = act( Σ_k x[k] · B(k, n) + bias[n] ),   B(k, n) = B[k·sBk + n·sBn]
//
// One invocation per output. With B stored K×N (sBn = 1) neighbouring invocations read
// neighbouring words; with Bᵀ (sBk = 1) each invocation walks its own contiguous row.
// A matmul tile would waste 7/8 of its rows here.

override WG: u32 = 64u;
override ACTIVATION: u32 = 0u;  // 0 identity, 1 relu, 2 tanh, 3 gelu (tanh form)
override HAS_BIAS: bool = false;
override ACCUMULATE: bool = false;

struct Dims { M: u32, N: u32, K: u32, sAm: u32, sAk: u32, sBk: u32, sBn: u32, _pad: u32 }

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

const GELU_K: f32 = 0.7978845608028654;  // √(2/π)
const GELU_C: f32 = 0.044715;

// SwiftShader's tanh returns NaN for |x| ≳ 89; tanh is ±1 in f32 well before |x| = 15.
fn tanhSafe(x: f32) -> f32 { return tanh(clamp(x, f32(-15.0), f32(15.0))); }

fn activate(v: f32) -> f32 {
  switch ACTIVATION {
    case 1u: { return max(v, 0.0); }
    case 2u: { return tanhSafe(v); }
    case 3u: { return 0.5 * v * (1.0 + tanhSafe(GELU_K * (v + GELU_C * v * v * v))); }
    default: { return v; }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let n = gid.x;
  if (n >= dims.N) { return; }
  var s0 = 0.0; var s1 = 0.0; var s2 = 0.0; var s3 = 0.0;  // 4 chains hide fma latency
  let K = dims.K;
  var k = 0u;
  for (; k + 4u <= K; k += 4u) {
    s0 = fma(x[(k)      * dims.sAk], B[(k)      * dims.sBk + n * dims.sBn], s0);
    s1 = fma(x[(k + 1u) * dims.sAk], B[(k + 1u) * dims.sBk + n * dims.sBn], s1);
    s2 = fma(x[(k + 2u) * dims.sAk], B[(k + 2u) * dims.sBk + n * dims.sBn], s2);
    s3 = fma(x[(k + 3u) * dims.sAk], B[(k + 3u) * dims.sBk + n * dims.sBn], s3);
  }
  for (; k < K; k++) { s0 = fma(x[k * dims.sAk], B[k * dims.sBk + n * dims.sBn], s0); }
  let s = (s0 + s1) + (s2 + s3);
  if (ACCUMULATE) { y[n] = y[n] + s; return; }
  var v = s;
  if (HAS_BIAS) { v = v + bias[n]; }
  y[n] = activate(v);
}
