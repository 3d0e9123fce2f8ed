// Register-blocked matmul without workgroup memory:  C = act(A·B + bias)  (or C += A·B).
//
//   C[m, n] = act( Σ_k A(m, k) · B(k, n) + bias[n] )
//
// Each invocation owns an 8 × 16 block of C (REG_TM × 4·REG_TN4): eight rows, each held as a mat4x4f
// whose four columns are the vec4 column groups this invocation owns (n = c, c+WG, c+2·WG, c+3·WG,
// in units of vec4). With b_k = those 16 values of B's row k, a row's update is one line:
//
//   acc_r += b_k · A(r, k)        summed over k, four k at a time from one vec4 of A
//
// A and B stream straight from storage as vec4s; nothing is staged in workgroup memory and there
// are no barriers. On CPU Vulkan (SwiftShader) barriers turn invocations into coroutines and cost
// ~4×, and named mat4x4f accumulators stay in registers where a function-scope array would not
// (measured 3.5× slower). On real GPUs the tiled kernel usually wins; the autotuner picks.
//
// Three storage layouts, one entry point each (bindings alias between entry points):
//   nn:  A is M×K,  B is K×N   (forward:       Y  = X·W)      needs K%4 = 0, N%4 = 0
//   nt:  A is M×K,  B is N×K   (input grad:    dX = dY·Wᵀ)    needs K%4 = 0
//   tn:  A is K×M,  B is K×N   (weight grad:   dW = Xᵀ·dY)    needs M%4 = 0, N%4 = 0
// Rows and columns past the edge are clamped on load and skipped on store, so M and N are free.

// Block and workgroup sizes from src/kernels/matmul.ts: REG_TM rows and REG_TN4 vec4 column groups
// of C per invocation (the code below is written out for 8 and 4), REG_WG × REG_WG invocations.
#include "matmul.layout"
#include "lib/lanes"
#include "lib/activation"

override ACTIVATION: u32 = ACT_IDENTITY;
override HAS_BIAS: bool = false;
override ACCUMULATE: bool = false;  // C += A·B (gradient accumulation); bias/act not applied

struct Dims { M: u32, N: u32, K: u32, _pad: u32 }

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> A4: array<vec4f>;
@group(0) @binding(2) var<storage, read> B4: array<vec4f>;
@group(0) @binding(3) var<storage, read> bias4: array<vec4f>;
@group(0) @binding(3) var<storage, read> bias1: array<f32>;
@group(0) @binding(4) var<storage, read_write> C4: array<vec4f>;
@group(0) @binding(4) var<storage, read_write> C1: array<f32>;

// The 16 values of B's row k that this invocation's column groups cover.
fn brow(k: u32, cols: vec4u) -> mat4x4f {
  let o = k * (dims.N / VEC4);
  return mat4x4f(B4[o + cols.x], B4[o + cols.y], B4[o + cols.z], B4[o + cols.w]);
}

// Writes one accumulated row (four vec4 groups) of C through the epilogue.
fn store4(row: u32, cols: vec4u, acc: mat4x4f) {
  if (row >= dims.M) { return; }
  let Nv = dims.N / VEC4;
  for (var j = 0u; j < REG_TN4; j++) {
    let cv = cols[j];
    if (cv < Nv) {
      let i = row * Nv + cv;
      if (ACCUMULATE) { C4[i] = C4[i] + acc[j]; }
      else if (HAS_BIAS) { C4[i] = activation4(ACTIVATION, acc[j] + bias4[cv]); }
      else { C4[i] = activation4(ACTIVATION, acc[j]); }
    }
  }
}

// The same for layouts where N need not be a multiple of 4: element by element.
fn store1(row: u32, cols: vec4u, acc: mat4x4f) {
  if (row >= dims.M) { return; }
  let N = dims.N;
  for (var j = 0u; j < REG_TN4; j++) {
    for (var q = 0u; q < VEC4; q++) {
      let col = cols[j] * VEC4 + q;
      if (col < N) {
        let i = row * N + col;
        if (ACCUMULATE) { C1[i] = C1[i] + acc[j][q]; }
        else if (HAS_BIAS) { C1[i] = activation(ACTIVATION, acc[j][q] + bias1[col]); }
        else { C1[i] = activation(ACTIVATION, acc[j][q]); }
      }
    }
  }
}

fn columnGroups(wg: vec3u, lid: vec3u) -> vec4u {
  let c0 = wg.x * REG_WG * REG_TN4 + lid.x;
  return vec4u(c0) + LANE4 * REG_WG;
}

@compute @workgroup_size(REG_WG, REG_WG)
fn nn(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let Kv = dims.K / VEC4;
  let row0 = (wg.y * REG_WG + lid.y) * REG_TM;
  let cols = columnGroups(wg, lid);
  let cl = min(cols, vec4u(dims.N / VEC4 - 1u));
  let last = vec4u(dims.M - 1u);
  let r = min(vec4u(row0) + LANE4, last) * Kv;   // row offsets into A4, rows 0–3
  let s = min(vec4u(row0 + VEC4) + LANE4, last) * Kv;   // rows 4–7
  var acc0 = mat4x4f(); var acc1 = mat4x4f(); var acc2 = mat4x4f(); var acc3 = mat4x4f();
  var acc4 = mat4x4f(); var acc5 = mat4x4f(); var acc6 = mat4x4f(); var acc7 = mat4x4f();
  for (var kv = 0u; kv < Kv; kv++) {
    let k = vec4u(kv * VEC4) + LANE4;
    let b0 = brow(k.x, cl); let b1 = brow(k.y, cl); let b2 = brow(k.z, cl); let b3 = brow(k.w, cl);
    var a = A4[r.x + kv]; acc0 += b0 * a.x + b1 * a.y + b2 * a.z + b3 * a.w;
    a = A4[r.y + kv];     acc1 += b0 * a.x + b1 * a.y + b2 * a.z + b3 * a.w;
    a = A4[r.z + kv];     acc2 += b0 * a.x + b1 * a.y + b2 * a.z + b3 * a.w;
    a = A4[r.w + kv];     acc3 += b0 * a.x + b1 * a.y + b2 * a.z + b3 * a.w;
    a = A4[s.x + kv];     acc4 += b0 * a.x + b1 * a.y + b2 * a.z + b3 * a.w;
    a = A4[s.y + kv];     acc5 += b0 * a.x + b1 * a.y + b2 * a.z + b3 * a.w;
    a = A4[s.z + kv];     acc6 += b0 * a.x + b1 * a.y + b2 * a.z + b3 * a.w;
    a = A4[s.w + kv];     acc7 += b0 * a.x + b1 * a.y + b2 * a.z + b3 * a.w;
  }
  let lo = vec4u(row0) + LANE4; let hi = lo + VEC4;
  store4(lo.x, cols, acc0); store4(lo.y, cols, acc1); store4(lo.z, cols, acc2); store4(lo.w, cols, acc3);
  store4(hi.x, cols, acc4); store4(hi.y, cols, acc5); store4(hi.z, cols, acc6); store4(hi.w, cols, acc7);
}

// A·Bᵀ: a vec4 of B now runs along K for a single column of C. Group j's four columns form
// Bj = mat4x4f(col q = B(n_q, k..k+3)), and (a · Bj)_q = Σ_kk a_kk · B(n_q, k+kk) is exactly
// the update of those four outputs, so each row costs four vector-matrix products per four k.
@compute @workgroup_size(REG_WG, REG_WG)
fn nt(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let Kv = dims.K / VEC4;
  let row0 = (wg.y * REG_WG + lid.y) * REG_TM;
  let cols = columnGroups(wg, lid);
  let lastCol = vec4u(dims.N - 1u);
  let lastRow = vec4u(dims.M - 1u);
  // Offsets into B4 of the 16 columns (rows of stored B), clamped: group j covers 4·cols[j] + q.
  let n0 = min(vec4u(cols.x * VEC4) + LANE4, lastCol) * Kv;
  let n1 = min(vec4u(cols.y * VEC4) + LANE4, lastCol) * Kv;
  let n2 = min(vec4u(cols.z * VEC4) + LANE4, lastCol) * Kv;
  let n3 = min(vec4u(cols.w * VEC4) + LANE4, lastCol) * Kv;
  let r = min(vec4u(row0) + LANE4, lastRow) * Kv;
  let s = min(vec4u(row0 + VEC4) + LANE4, lastRow) * Kv;
  var acc0 = mat4x4f(); var acc1 = mat4x4f(); var acc2 = mat4x4f(); var acc3 = mat4x4f();
  var acc4 = mat4x4f(); var acc5 = mat4x4f(); var acc6 = mat4x4f(); var acc7 = mat4x4f();
  for (var kv = 0u; kv < Kv; kv++) {
    let B0 = mat4x4f(B4[n0.x + kv], B4[n0.y + kv], B4[n0.z + kv], B4[n0.w + kv]);
    let B1 = mat4x4f(B4[n1.x + kv], B4[n1.y + kv], B4[n1.z + kv], B4[n1.w + kv]);
    let B2 = mat4x4f(B4[n2.x + kv], B4[n2.y + kv], B4[n2.z + kv], B4[n2.w + kv]);
    let B3 = mat4x4f(B4[n3.x + kv], B4[n3.y + kv], B4[n3.z + kv], B4[n3.w + kv]);
    var a = A4[r.x + kv]; acc0 += mat4x4f(a * B0, a * B1, a * B2, a * B3);
    a = A4[r.y + kv];     acc1 += mat4x4f(a * B0, a * B1, a * B2, a * B3);
    a = A4[r.z + kv];     acc2 += mat4x4f(a * B0, a * B1, a * B2, a * B3);
    a = A4[r.w + kv];     acc3 += mat4x4f(a * B0, a * B1, a * B2, a * B3);
    a = A4[s.x + kv];     acc4 += mat4x4f(a * B0, a * B1, a * B2, a * B3);
    a = A4[s.y + kv];     acc5 += mat4x4f(a * B0, a * B1, a * B2, a * B3);
    a = A4[s.z + kv];     acc6 += mat4x4f(a * B0, a * B1, a * B2, a * B3);
    a = A4[s.w + kv];     acc7 += mat4x4f(a * B0, a * B1, a * B2, a * B3);
  }
  let lo = vec4u(row0) + LANE4; let hi = lo + VEC4;
  store1(lo.x, cols, acc0); store1(lo.y, cols, acc1); store1(lo.z, cols, acc2); store1(lo.w, cols, acc3);
  store1(hi.x, cols, acc4); store1(hi.y, cols, acc5); store1(hi.z, cols, acc6); store1(hi.w, cols, acc7);
}

// Aᵀ·B: A is stored K×M, so one vec4 of A holds four rows of C at a single k; each component
// scales B's row k into one row's accumulator.
@compute @workgroup_size(REG_WG, REG_WG)
fn tn(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let Mv = dims.M / VEC4;
  let row0 = (wg.y * REG_WG + lid.y) * REG_TM;   // a multiple of 8: rows come as two vec4s of A
  let rv0 = min(row0 / VEC4, Mv - 1u);
  let rv1 = min(row0 / VEC4 + 1u, Mv - 1u);
  let cols = columnGroups(wg, lid);
  let cl = min(cols, vec4u(dims.N / VEC4 - 1u));
  var acc0 = mat4x4f(); var acc1 = mat4x4f(); var acc2 = mat4x4f(); var acc3 = mat4x4f();
  var acc4 = mat4x4f(); var acc5 = mat4x4f(); var acc6 = mat4x4f(); var acc7 = mat4x4f();
  for (var k = 0u; k < dims.K; k++) {
    let a = A4[k * Mv + rv0];
    let c = A4[k * Mv + rv1];
    let b = brow(k, cl);
    acc0 += b * a.x; acc1 += b * a.y; acc2 += b * a.z; acc3 += b * a.w;
    acc4 += b * c.x; acc5 += b * c.y; acc6 += b * c.z; acc7 += b * c.w;
  }
  let lo = vec4u(row0) + LANE4; let hi = lo + VEC4;
  store4(lo.x, cols, acc0); store4(lo.y, cols, acc1); store4(lo.z, cols, acc2); store4(lo.w, cols, acc3);
  store4(hi.x, cols, acc4); store4(hi.y, cols, acc5); store4(hi.z, cols, acc6); store4(hi.w, cols, acc7);
}
