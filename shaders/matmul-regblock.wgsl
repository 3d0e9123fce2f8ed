// Register-blocked matmul without workgroup memory:  C = act(A·B + bias)  (or C += A·B).
//
//   C[m, n] = act( Σ_k A(m, k) · B(k, n) + bias[n] )
//
// Each invocation owns a TM × (4·TN4) block of C (8 × 16) held in registers, and streams A and B
// straight from storage as vec4s, so every loaded vec4 feeds 4–8 fma()s. There are no barriers:
// on CPU Vulkan (SwiftShader) barriers turn invocations into coroutines and cost ~4×, while on
// real GPUs the tiled kernel (matmul-tiled.wgsl) usually wins. The autotuner picks per adapter.
//
// Three storage layouts, one entry point each (bindings alias between entry points):
//   nn:  A is M×K,  B is K×N   (forward:       Y  = X·W)         needs K%4 = 0, N%4 = 0
//   nt:  A is M×K,  B is N×K   (input grad:    dX = dY·Wᵀ)       needs K%4 = 0
//   tn:  A is K×M,  B is K×N   (weight grad:   dW = Xᵀ·dY)       needs M%4 = 0, N%4 = 0
// Rows/columns past the edge are clamped on load and skipped on store, so M and N are free.

const TM: u32 = 8u;         // rows of C per invocation
const TN4: u32 = 4u;        // vec4 column groups of C per invocation (16 columns)

override WG_X: u32 = 8u;    // invocations along N
override WG_Y: u32 = 8u;    // invocations along M
override ACTIVATION: u32 = 0u;  // 0 identity, 1 relu, 2 tanh, 3 gelu (tanh form)
override HAS_BIAS: bool = false;
override ACCUMULATE: bool = false;  // C += A·B (gradient accumulation); act/bias not applied

struct Dims { M: u32, N: u32, K: u32, _pad: u32 }

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> A4: array<vec4f>;
@group(0) @binding(2) var<storage, read> B4: array<vec4f>;
@group(0) @binding(3) var<storage, read> bias4: array<vec4f>;
@group(0) @binding(3) var<storage, read> bias1: array<f32>;
@group(0) @binding(4) var<storage, read_write> C4: array<vec4f>;
@group(0) @binding(4) var<storage, read_write> C1: array<f32>;

const GELU_K: f32 = 0.7978845608028654;  // √(2/π)
const GELU_C: f32 = 0.044715;

fn activate(x: vec4f) -> vec4f {
  switch ACTIVATION {
    case 1u: { return max(x, vec4f(0.0)); }
    case 2u: { return tanh(x); }
    case 3u: { return 0.5 * x * (1.0 + tanh(GELU_K * (x + GELU_C * x * x * x))); }
    default: { return x; }
  }
}

// Stores one vec4 of C for row `row`, vec4 column `cv`, through bias, activation or accumulation.
fn store4(row: u32, cv: u32, acc: vec4f) {
  let Nv = dims.N / 4u;
  let i = row * Nv + cv;
  if (ACCUMULATE) { C4[i] = C4[i] + acc; return; }
  var v = acc;
  if (HAS_BIAS) { v = v + bias4[cv]; }
  C4[i] = activate(v);
}

@compute @workgroup_size(WG_X, WG_Y)
fn nn(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let M = dims.M; let Nv = dims.N / 4u; let Kv = dims.K / 4u;
  let row0 = (wg.y * WG_Y + lid.y) * TM;
  let colv0 = wg.x * WG_X * TN4 + lid.x;
  var rows: array<u32, TM>;
  for (var r = 0u; r < TM; r++) { rows[r] = min(row0 + r, M - 1u) * Kv; }
  var cols: array<u32, TN4>;
  for (var j = 0u; j < TN4; j++) { cols[j] = min(colv0 + j * WG_X, Nv - 1u); }

  var acc: array<vec4f, 32>;  // TM × TN4
  for (var kv = 0u; kv < Kv; kv++) {
    let k = kv * 4u;
    var b: array<vec4f, 16>;  // 4 rows of B (k..k+3) × TN4 vec4 columns
    for (var j = 0u; j < TN4; j++) {
      b[j]       = B4[(k)      * Nv + cols[j]];
      b[4u + j]  = B4[(k + 1u) * Nv + cols[j]];
      b[8u + j]  = B4[(k + 2u) * Nv + cols[j]];
      b[12u + j] = B4[(k + 3u) * Nv + cols[j]];
    }
    for (var r = 0u; r < TM; r++) {
      let a = A4[rows[r] + kv];
      for (var j = 0u; j < TN4; j++) {
        var c = acc[r * TN4 + j];
        c = fma(vec4f(a.x), b[j], c);
        c = fma(vec4f(a.y), b[4u + j], c);
        c = fma(vec4f(a.z), b[8u + j], c);
        c = fma(vec4f(a.w), b[12u + j], c);
        acc[r * TN4 + j] = c;
      }
    }
  }
  for (var r = 0u; r < TM; r++) {
    let row = row0 + r;
    if (row >= M) { break; }
    for (var j = 0u; j < TN4; j++) {
      let cv = colv0 + j * WG_X;
      if (cv < Nv) { store4(row, cv, acc[r * TN4 + j]); }
    }
  }
}

// A·Bᵀ: B is stored N×K, so a vec4 load runs along K for one column of C. Four such loads are
// transposed in registers into one vec4 over four columns per k, and then used exactly as in nn.
@compute @workgroup_size(WG_X, WG_Y)
fn nt(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let M = dims.M; let N = dims.N; let Kv = dims.K / 4u;
  let row0 = (wg.y * WG_Y + lid.y) * TM;
  let colv0 = wg.x * WG_X * TN4 + lid.x;   // vec4 column group index
  var rows: array<u32, TM>;
  for (var r = 0u; r < TM; r++) { rows[r] = min(row0 + r, M - 1u) * Kv; }
  var cols: array<u32, 16>;  // the 16 columns of C (rows of B), clamped, as offsets into B4
  for (var j = 0u; j < TN4; j++) {
    for (var q = 0u; q < 4u; q++) { cols[j * 4u + q] = min((colv0 + j * WG_X) * 4u + q, N - 1u) * Kv; }
  }

  var acc: array<vec4f, 32>;
  for (var kv = 0u; kv < Kv; kv++) {
    var b: array<vec4f, 16>;  // b[kk*4 + j] = B(k+kk, 4 columns of group j)
    for (var j = 0u; j < TN4; j++) {
      let c0 = B4[cols[j * 4u] + kv];
      let c1 = B4[cols[j * 4u + 1u] + kv];
      let c2 = B4[cols[j * 4u + 2u] + kv];
      let c3 = B4[cols[j * 4u + 3u] + kv];
      b[j]       = vec4f(c0.x, c1.x, c2.x, c3.x);
      b[4u + j]  = vec4f(c0.y, c1.y, c2.y, c3.y);
      b[8u + j]  = vec4f(c0.z, c1.z, c2.z, c3.z);
      b[12u + j] = vec4f(c0.w, c1.w, c2.w, c3.w);
    }
    for (var r = 0u; r < TM; r++) {
      let a = A4[rows[r] + kv];
      for (var j = 0u; j < TN4; j++) {
        var c = acc[r * TN4 + j];
        c = fma(vec4f(a.x), b[j], c);
        c = fma(vec4f(a.y), b[4u + j], c);
        c = fma(vec4f(a.z), b[8u + j], c);
        c = fma(vec4f(a.w), b[12u + j], c);
        acc[r * TN4 + j] = c;
      }
    }
  }
  // N need not be a multiple of 4 here, so C is written element by element.
  for (var r = 0u; r < TM; r++) {
    let row = row0 + r;
    if (row >= M) { break; }
    for (var j = 0u; j < TN4; j++) {
      let v = acc[r * TN4 + j];
      for (var q = 0u; q < 4u; q++) {
        let col = (colv0 + j * WG_X) * 4u + q;
        if (col < N) {
          let i = row * N + col;
          if (ACCUMULATE) { C1[i] = C1[i] + v[q]; }
          else {
            var x = v[q];
            if (HAS_BIAS) { x = x + bias1[col]; }
            C1[i] = activate(vec4f(x)).x;
          }
        }
      }
    }
  }
}

// Aᵀ·B: A is stored K×M, so one vec4 load covers four rows of C at one k; each component is
// broadcast against the vec4 columns of B's row k.
@compute @workgroup_size(WG_X, WG_Y)
fn tn(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let Mv = dims.M / 4u; let Nv = dims.N / 4u; let K = dims.K;
  let row0 = (wg.y * WG_Y + lid.y) * TM;          // multiple of 8, so rows come in 2 vec4s
  let rv0 = min(row0 / 4u, Mv - 1u);
  let rv1 = min(row0 / 4u + 1u, Mv - 1u);
  let colv0 = wg.x * WG_X * TN4 + lid.x;
  var cols: array<u32, TN4>;
  for (var j = 0u; j < TN4; j++) { cols[j] = min(colv0 + j * WG_X, Nv - 1u); }

  var acc: array<vec4f, 32>;
  for (var k = 0u; k < K; k++) {
    let a0 = A4[k * Mv + rv0];
    let a1 = A4[k * Mv + rv1];
    var b: array<vec4f, 4>;
    for (var j = 0u; j < TN4; j++) { b[j] = B4[k * Nv + cols[j]]; }
    for (var j = 0u; j < TN4; j++) {
      acc[0u * TN4 + j] = fma(vec4f(a0.x), b[j], acc[0u * TN4 + j]);
      acc[1u * TN4 + j] = fma(vec4f(a0.y), b[j], acc[1u * TN4 + j]);
      acc[2u * TN4 + j] = fma(vec4f(a0.z), b[j], acc[2u * TN4 + j]);
      acc[3u * TN4 + j] = fma(vec4f(a0.w), b[j], acc[3u * TN4 + j]);
      acc[4u * TN4 + j] = fma(vec4f(a1.x), b[j], acc[4u * TN4 + j]);
      acc[5u * TN4 + j] = fma(vec4f(a1.y), b[j], acc[5u * TN4 + j]);
      acc[6u * TN4 + j] = fma(vec4f(a1.z), b[j], acc[6u * TN4 + j]);
      acc[7u * TN4 + j] = fma(vec4f(a1.w), b[j], acc[7u * TN4 + j]);
    }
  }
  for (var r = 0u; r < TM; r++) {
    let row = row0 + r;
    if (row >= dims.M) { break; }
    for (var j = 0u; j < TN4; j++) {
      let cv = colv0 + j * WG_X;
      if (cv < Nv) { store4(row, cv, acc[r * TN4 + j]); }
    }
  }
}
