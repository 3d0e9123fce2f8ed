// Workgroup-memory tiled matmul, any layout through strides:  C = act(A·B + bias)  (or C += A·B).
//
//   C[m, n] = act( Σ_k A(m, k) · B(k, n) + bias[n] ),   A(m, k) = A[m·sAm + k·sAk],
//                                                        B(k, n) = B[k·sBk + n·sBn]
//
// The classic GPU kernel: a workgroup stages a TILE_K-deep slab of A and B in workgroup memory,
// then each invocation accumulates a 4×4 block of C from it as a sum of outer products. Strides express the transposed
// forms (Aᵀ: sAm = 1, sAk = M; Bᵀ: sBk = 1, sBn = K), and every load is bounds-checked, so this
// kernel also serves any shape the register-blocked kernel cannot take.

// Tile sizes from src/kernels/matmul.ts: TILED_TR × TILED_TC outputs per invocation (a 4×4 block,
// held as a mat4x4f), TILED_WG × TILED_WG invocations, so a TILED_TILE = TILED_WG·4 square of C per
// workgroup, staged TILED_TILE_K deep.
#include "matmul.layout"
#include "lib/lanes"
#include "lib/activation"

override ACTIVATION: u32 = ACT_IDENTITY;
override HAS_BIAS: bool = false;
override ACCUMULATE: bool = false;

struct Dims { M: u32, N: u32, K: u32, sAm: u32, sAk: u32, sBk: u32, sBn: u32, _pad: u32 }

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> C: array<f32>;

// TILED_TILE_K × TILED_TILE each, k-major, VEC4 rows (As) or columns (Bs) per vec4.
const SLAB: u32 = TILED_TILE_K * TILED_TILE / VEC4;
var<workgroup> As: array<vec4f, SLAB>;
var<workgroup> Bs: array<vec4f, SLAB>;

fn loadA(m: u32, k: u32) -> f32 {
  return select(0.0, A[m * dims.sAm + k * dims.sAk], m < dims.M && k < dims.K);
}
fn loadB(k: u32, n: u32) -> f32 {
  return select(0.0, B[k * dims.sBk + n * dims.sBn], n < dims.N && k < dims.K);
}

@compute @workgroup_size(TILED_WG, TILED_WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
        @builtin(local_invocation_index) li: u32) {
  let tileRow = wg.y * TILED_TILE;
  let tileCol = wg.x * TILED_TILE;
  // acc[r] holds row r of this invocation's 4×4 block of C, as a vec4 over its 4 columns:
  //   acc += outer(a_k, b_k) for each k of the slab, with a_k = A(rows, k) and b_k = B(k, cols).
  var acc = mat4x4f();

  for (var k0 = 0u; k0 < dims.K; k0 += TILED_TILE_K) {
    // The workgroup's SLAB invocations stage the slab of each operand: one vec4 of A and one of B each.
    let kk = li / (TILED_TILE / VEC4);
    let i = (li % (TILED_TILE / VEC4)) * VEC4;
    let k = k0 + kk;
    let m = tileRow + i;
    let n = tileCol + i;
    let ms = vec4u(m) + LANE4; let ns = vec4u(n) + LANE4;
    As[li] = vec4f(loadA(ms.x, k), loadA(ms.y, k), loadA(ms.z, k), loadA(ms.w, k));
    Bs[li] = vec4f(loadB(k, ns.x), loadB(k, ns.y), loadB(k, ns.z), loadB(k, ns.w));
    workgroupBarrier();
    for (var t = 0u; t < TILED_TILE_K; t++) {
      let a = As[t * (TILED_TILE / VEC4) + lid.y];
      let b = Bs[t * (TILED_TILE / VEC4) + lid.x];
      acc += mat4x4f(b * a.x, b * a.y, b * a.z, b * a.w);
    }
    workgroupBarrier();
  }

  for (var r = 0u; r < TILED_TR; r++) {
    let m = tileRow + lid.y * TILED_TR + r;
    if (m >= dims.M) { break; }
    for (var c = 0u; c < TILED_TC; c++) {
      let n = tileCol + lid.x * TILED_TC + c;
      if (n < dims.N) {
        let i = m * dims.N + n;
        if (ACCUMULATE) { C[i] = C[i] + acc[r][c]; }
        else if (HAS_BIAS) { C[i] = activation(ACTIVATION, acc[r][c] + bias[n]); }
        else { C[i] = activation(ACTIVATION, acc[r][c]); }
      }
    }
  }
}
