// Workgroup-memory tiled matmul, any layout through strides:  C = act(A·B + bias)  (or C += A·B).
//
//   C[m, n] = act( Σ_k A(m, k) · B(k, n) + bias[n] ),   A(m, k) = A[m·sAm + k·sAk],
//                                                        B(k, n) = B[k·sBk + n·sBn]
//
// The classic GPU kernel: a workgroup stages a TILE_K-deep slab of A and B in workgroup memory,
// then each invocation accumulates a 4×4 block of C from it. Strides express the transposed
// forms (Aᵀ: sAm = 1, sAk = M; Bᵀ: sBk = 1, sBn = K), and every load is bounds-checked, so this
// kernel also serves any shape the register-blocked kernel cannot take.

const TR: u32 = 4u;             // rows of C per invocation
const TC: u32 = 4u;             // columns of C per invocation
const WG: u32 = 16u;            // invocations per side of the workgroup
const TILE: u32 = 64u;          // = WG · TR = WG · TC, the C tile per workgroup
const TILE_K: u32 = 16u;        // depth of each staged slab

override ACTIVATION: u32 = 0u;  // 0 identity, 1 relu, 2 tanh, 3 gelu (tanh form)
override HAS_BIAS: bool = false;
override ACCUMULATE: bool = false;

struct Dims { M: u32, N: u32, K: u32, sAm: u32, sAk: u32, sBk: u32, sBn: u32, _pad: u32 }

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> C: array<f32>;

var<workgroup> As: array<f32, 1024>;  // TILE_K × TILE, k-major
var<workgroup> Bs: array<f32, 1024>;  // TILE_K × TILE, k-major

const GELU_K: f32 = 0.7978845608028654;  // √(2/π)
const GELU_C: f32 = 0.044715;

fn activate(x: f32) -> f32 {
  switch ACTIVATION {
    case 1u: { return max(x, 0.0); }
    case 2u: { return tanh(x); }
    case 3u: { return 0.5 * x * (1.0 + tanh(GELU_K * (x + GELU_C * x * x * x))); }
    default: { return x; }
  }
}

@compute @workgroup_size(WG, WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
        @builtin(local_invocation_index) li: u32) {
  let M = dims.M; let N = dims.N; let K = dims.K;
  let tileRow = wg.y * TILE;
  let tileCol = wg.x * TILE;
  var acc: array<f32, 16>;  // TR × TC

  for (var k0 = 0u; k0 < K; k0 += TILE_K) {
    // 256 invocations stage 1024 values of each slab: 4 each.
    for (var e = li; e < TILE_K * TILE; e += WG * WG) {
      let kk = e / TILE; let i = e % TILE;
      let m = tileRow + i; let n = tileCol + i; let k = k0 + kk;
      As[e] = select(0.0, A[m * dims.sAm + k * dims.sAk], m < M && k < K);
      Bs[e] = select(0.0, B[k * dims.sBk + n * dims.sBn], n < N && k < K);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TILE_K; kk++) {
      var a: array<f32, 4>;
      var b: array<f32, 4>;
      for (var r = 0u; r < TR; r++) { a[r] = As[kk * TILE + lid.y * TR + r]; }
      for (var c = 0u; c < TC; c++) { b[c] = Bs[kk * TILE + lid.x * TC + c]; }
      for (var r = 0u; r < TR; r++) {
        for (var c = 0u; c < TC; c++) { acc[r * TC + c] = fma(a[r], b[c], acc[r * TC + c]); }
      }
    }
    workgroupBarrier();
  }

  for (var r = 0u; r < TR; r++) {
    let m = tileRow + lid.y * TR + r;
    if (m >= M) { break; }
    for (var c = 0u; c < TC; c++) {
      let n = tileCol + lid.x * TC + c;
      if (n < N) {
        let i = m * N + n;
        if (ACCUMULATE) { C[i] = C[i] + acc[r * TC + c]; }
        else {
          var v = acc[r * TC + c];
          if (HAS_BIAS) { v = v + bias[n]; }
          C[i] = activate(v);
        }
      }
    }
  }
}
