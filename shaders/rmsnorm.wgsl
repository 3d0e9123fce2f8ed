// RMSNorm over the last dimension (Llama's, no mean subtraction and no bias), forward and backward.
//
//   forward:   ρ_r = 1/√((1/D)·Σ_c x[r,c]² + ε)          y[r,c] = x[r,c]·ρ_r·w[c]
//   backward:  g_c = dy[r,c]·w[c]
//              dx[r,c] = ρ_r·(g_c − x[r,c]·ρ_r²·(1/D)·Σ_j g_j·x[r,j])    (added to dx when accumulate ≠ 0)
//              dw[c]   = Σ_r dy[r,c]·x[r,c]·ρ_r                         (added to dw when accumulate ≠ 0)
//
// `forward` and `backward_input` run one invocation per row: rows are short (the model width), and
// a workgroup-wide tree per row spent its time in barriers on software adapters. Row sums keep
// four interleaved partial sums (columns c ≡ 0, 1, 2, 3 mod 4), added pairwise at the end. The
// weight gradient, a column sum over rows, is one pass too (`weight`): one invocation per column
// sums every row, four interleaved partial sums again (rows r ≡ 0, 1, 2, 3 mod 4). A batch has a
// few thousand rows at most, and one pass needs no scratch and no second dispatch.

override WG: u32;

// VEC4 and LANE4: the width of a four-at-a-time step and its lane numbers.
#include "lib/lanes"

struct Params { rows: u32, dim: u32, eps: f32, accumulate: u32 }

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
// forward
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<storage, read_write> rstd: array<f32>;
// backward_input
@group(0) @binding(3) var<storage, read> rstdIn: array<f32>;
@group(0) @binding(4) var<storage, read> dy: array<f32>;
@group(0) @binding(5) var<storage, read_write> dx: array<f32>;
// weight: 1 x, 2 dy, 3 rstd, 4 dw
@group(0) @binding(2) var<storage, read> dyW: array<f32>;
@group(0) @binding(3) var<storage, read> rstdW: array<f32>;
@group(0) @binding(4) var<storage, read_write> dw: array<f32>;

fn rowOf(gid: vec3u, nwg: vec3u) -> u32 { return gid.x + gid.y * nwg.x * WG; }

/** The four partial sums of a row, added pairwise. */
fn fold(v: vec4f) -> f32 { return (v.x + v.y) + (v.z + v.w); }

@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let r = rowOf(gid, nwg);
  if (r >= P.rows) { return; }
  let base = r * P.dim;
  var ss = vec4f(0.0);
  var c = 0u;
  for (; c + VEC4 <= P.dim; c += VEC4) {
    let k = vec4u(base + c) + LANE4;
    let v = vec4f(x[k.x], x[k.y], x[k.z], x[k.w]);
    ss += v * v;
  }
  for (; c < P.dim; c++) { let v = x[base + c]; ss.x += v * v; }
  let rho = inverseSqrt(fold(ss) / f32(P.dim) + P.eps);
  for (var k = 0u; k < P.dim; k++) { y[base + k] = x[base + k] * rho * w[k]; }
  rstd[r] = rho;
}

@compute @workgroup_size(WG)
fn backward_input(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let r = rowOf(gid, nwg);
  if (r >= P.rows) { return; }
  let base = r * P.dim;
  let rho = rstdIn[r];
  var gx = vec4f(0.0);
  var c = 0u;
  for (; c + VEC4 <= P.dim; c += VEC4) {
    let k = vec4u(base + c) + LANE4;
    let j = vec4u(c) + LANE4;
    let d = vec4f(dy[k.x], dy[k.y], dy[k.z], dy[k.w]);
    let ww = vec4f(w[j.x], w[j.y], w[j.z], w[j.w]);
    let xx = vec4f(x[k.x], x[k.y], x[k.z], x[k.w]);
    gx += d * ww * xx;
  }
  for (; c < P.dim; c++) { gx.x += dy[base + c] * w[c] * x[base + c]; }
  let k = rho * rho * rho * fold(gx) / f32(P.dim);
  for (var j = 0u; j < P.dim; j++) {
    let d = rho * dy[base + j] * w[j] - k * x[base + j];
    if (P.accumulate != 0u) { dx[base + j] += d; } else { dx[base + j] = d; }
  }
}

@compute @workgroup_size(WG)
fn weight(@builtin(global_invocation_id) gid: vec3u) {
  let c = gid.x;
  if (c >= P.dim) { return; }
  let D = P.dim;
  var s = vec4f(0.0);
  var r = 0u;
  for (; r + VEC4 <= P.rows; r += VEC4) {
    let i = vec4u(r) + LANE4;
    let g = vec4f(dyW[i.x * D + c], dyW[i.y * D + c], dyW[i.z * D + c], dyW[i.w * D + c]);
    let xx = vec4f(x[i.x * D + c], x[i.y * D + c], x[i.z * D + c], x[i.w * D + c]);
    s += g * xx * vec4f(rstdW[i.x], rstdW[i.y], rstdW[i.z], rstdW[i.w]);
  }
  for (; r < P.rows; r++) { s.x += dyW[r * D + c] * x[r * D + c] * rstdW[r]; }
  let t = fold(s);
  if (P.accumulate != 0u) { dw[c] += t; } else { dw[c] = t; }
}
