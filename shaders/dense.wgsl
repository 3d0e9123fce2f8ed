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

override WG: u32 = 256u;
override ACTIVATION: u32 = 0u;   // 0 identity, 1 relu, 2 tanh, 3 gelu (same codes as matmul)

const GELU_K: f32 = 0.7978845608028654;  // √(2/π)
const GELU_C: f32 = 0.044715;

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

// SwiftShader's tanh returns NaN for |x| ≳ 89; tanh is ±1 in f32 well before |x| = 15.
fn tanhSafe(x: f32) -> f32 { return tanh(clamp(x, -15.0, 15.0)); }

fn f(z: f32) -> f32 {
  switch ACTIVATION {
    case 1u: { return max(z, 0.0); }
    case 2u: { return tanhSafe(z); }
    case 3u: { return 0.5 * z * (1.0 + tanhSafe(GELU_K * (z + GELU_C * z * z * z))); }
    default: { return z; }
  }
}

// f′ from the stored value: the output y for relu and tanh, the input z for gelu.
fn fprime(s: f32) -> f32 {
  switch ACTIVATION {
    case 1u: { return select(0.0, 1.0, s > 0.0); }
    case 2u: { return 1.0 - s * s; }
    case 3u: {
      let t = tanhSafe(GELU_K * (s + GELU_C * s * s * s));
      return 0.5 * (1.0 + t) + 0.5 * s * (1.0 - t * t) * GELU_K * (1.0 + 3.0 * GELU_C * s * s);
    }
    default: { return 1.0; }
  }
}

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

// One invocation per row; K = dims.cols. Four partial sums keep the adds independent.
@compute @workgroup_size(WG)
fn narrow(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let r = first(gid, nwg);
  if (r >= dims.rows) { return; }
  let K = dims.cols;
  let o = r * K;
  var s0 = 0.0; var s1 = 0.0; var s2 = 0.0; var s3 = 0.0;
  var k = 0u;
  for (; k + 3u < K; k += 4u) {
    s0 = fma(src[o + k], aux[k], s0);
    s1 = fma(src[o + k + 1u], aux[k + 1u], s1);
    s2 = fma(src[o + k + 2u], aux[k + 2u], s2);
    s3 = fma(src[o + k + 3u], aux[k + 3u], s3);
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
