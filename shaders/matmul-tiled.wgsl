// Workgroup-memory tiled matmul, any layout through strides:  C = act(A·B + bias)  (or C += A·B).
//
//   C[m, n] = act( Σ_k A(m, k) · B(k, n) + bias[n] ),   A(m, k) = A[m·sAm + k·sAk],
//                                                        B(k, n) = B[k·sBk + n·sBn]
//
// The classic GPU kernel: a workgroup stages a TILE_K-deep slab of A and B in workgroup memory,
// then each invocation accumulates a 4×4 block of C from it as a sum of outer products. Strides express the transposed
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

var<workgroup> As: array<vec4f, 256>;  // TILE_K × TILE, k-major, 4 rows per vec4
var<workgroup> Bs: array<vec4f, 256>;  // TILE_K × TILE, k-major, 4 columns per vec4

const GELU_K: f32 = 0.7978845608028654;  // √(2/π)
const GELU_C: f32 = 0.044715;

// SwiftShader's tanh returns NaN for |x| ≳ 89; tanh is ±1 in f32 well before |x| = 15.
fn tanhSafe(x: f32) -> f32 { return tanh(clamp(x, f32(-15.0), f32(15.0))); }

fn activate(x: f32) -> f32 {
  switch ACTIVATION {
    case 1u: { return max(x, 0.0); }
    case 2u: { return tanhSafe(x); }
    case 3u: { return 0.5 * x * (1.0 + tanhSafe(GELU_K * (x + GELU_C * x * x * x))); }
    default: { return x; }
  }
}

fn loadA(m: u32, k: u32) -> f32 {
  return select(0.0, A[m * dims.sAm + k * dims.sAk], m < dims.M && k < dims.K);
}
fn loadB(k: u32, n: u32) -> f32 {
  return select(0.0, B[k * dims.sBk + n * dims.sBn], n < dims.N && k < dims.K);
}

@compute @workgroup_size(WG, WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
        @builtin(local_invocation_index) li: u32) {
  let tileRow = wg.y * TILE;
  let tileCol = wg.x * TILE;
  // acc[r] holds row r of this invocation's 4×4 block of C, as a vec4 over its 4 columns:
  //   acc += outer(a_k, b_k) for each k of the slab, with a_k = A(rows, k) and b_k = B(k, cols).
  var acc = mat4x4f();

  for (var k0 = 0u; k0 < dims.K; k0 += TILE_K) {
    // 256 invocations stage the 16 × 64 slab of each operand: one vec4 of A and one of B each.
    let kk = li / (TILE / 4u);
    let i = (li % (TILE / 4u)) * 4u;
    let k = k0 + kk;
    let m = tileRow + i;
    let n = tileCol + i;
    As[li] = vec4f(loadA(m, k), loadA(m + 1u, k), loadA(m + 2u, k), loadA(m + 3u, k));
    Bs[li] = vec4f(loadB(k, n), loadB(k, n + 1u), loadB(k, n + 2u), loadB(k, n + 3u));
    workgroupBarrier();
    for (var t = 0u; t < TILE_K; t++) {
      let a = As[t * (TILE / 4u) + lid.y];
      let b = Bs[t * (TILE / 4u) + lid.x];
      acc += mat4x4f(b * a.x, b * a.y, b * a.z, b * a.w);
    }
    workgroupBarrier();
  }

  for (var r = 0u; r < TR; r++) {
    let m = tileRow + lid.y * TR + r;
    if (m >= dims.M) { break; }
    for (var c = 0u; c < TC; c++) {
      let n = tileCol + lid.x * TC + c;
      if (n < dims.N) {
        let i = m * dims.N + n;
        if (ACCUMULATE) { C[i] = C[i] + acc[r][c]; }
        else if (HAS_BIAS) { C[i] = activate(acc[r][c] + bias[n]); }
        else { C[i] = activate(acc[r][c]); }
      }
    }
  }
}
