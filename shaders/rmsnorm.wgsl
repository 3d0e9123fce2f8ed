// RMSNorm over the last dimension (Llama's, no mean subtraction and no bias), forward and backward.
//
//   forward:   ρ_r = 1/√((1/D)·Σ_c x[r,c]² + ε)          y[r,c] = x[r,c]·ρ_r·w[c]
//   backward:  g_c = dy[r,c]·w[c]
//              dx[r,c] = ρ_r·(g_c − x[r,c]·ρ_r²·(1/D)·Σ_j g_j·x[r,j])    (added to dx when accumulate ≠ 0)
//              dw[c]   = Σ_r dy[r,c]·x[r,c]·ρ_r                         (added to dw when accumulate ≠ 0)
//
// `forward` and `backward_input` run one workgroup per row: its invocations stride over the D
// columns and fold their partial sums with a tree in workgroup memory. The weight gradient is a
// column sum over rows, done in two passes: `weight_partial` sums chunks of rowsPerChunk rows
// per column, `weight_combine` folds the chunks.

override WG: u32;   // a power of two (the tree halves it)

struct Params { rows: u32, dim: u32, eps: f32, accumulate: u32, rowsPerChunk: u32, chunks: u32, _p0: u32, _p1: u32 }

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
// weight_partial: 1 x, 2 dy, 3 rstd, 4 partials
@group(0) @binding(2) var<storage, read> dyW: array<f32>;
@group(0) @binding(3) var<storage, read> rstdW: array<f32>;
@group(0) @binding(4) var<storage, read_write> partials: array<f32>;
// weight_combine
@group(0) @binding(1) var<storage, read> partialsIn: array<f32>;
@group(0) @binding(2) var<storage, read_write> dw: array<f32>;

var<workgroup> tree: array<f32, WG>;

fn rowOf(wid: vec3u, nwg: vec3u) -> u32 { return wid.x + wid.y * nwg.x; }

/** Sum of `v` over the workgroup; every invocation gets the result. */
fn workgroupSum(v: f32, lid: u32) -> f32 {
  tree[lid] = v;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (lid < half) { tree[lid] += tree[lid + half]; }
    workgroupBarrier();
  }
  let s = tree[0];
  workgroupBarrier();   // the tree is reused by the next call
  return s;
}

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = rowOf(wid, nwg);
  if (r >= P.rows) { return; }   // uniform across the workgroup
  let base = r * P.dim;
  var ss = 0.0;
  for (var c = lid; c < P.dim; c += WG) { let v = x[base + c]; ss += v * v; }
  let rho = inverseSqrt(workgroupSum(ss, lid) / f32(P.dim) + P.eps);
  for (var c = lid; c < P.dim; c += WG) { y[base + c] = x[base + c] * rho * w[c]; }
  if (lid == 0u) { rstd[r] = rho; }
}

@compute @workgroup_size(WG)
fn backward_input(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = rowOf(wid, nwg);
  if (r >= P.rows) { return; }
  let base = r * P.dim;
  let rho = rstdIn[r];
  var gx = 0.0;
  for (var c = lid; c < P.dim; c += WG) { gx += dy[base + c] * w[c] * x[base + c]; }
  let k = rho * rho * rho * workgroupSum(gx, lid) / f32(P.dim);
  for (var c = lid; c < P.dim; c += WG) {
    let d = rho * dy[base + c] * w[c] - k * x[base + c];
    if (P.accumulate != 0u) { dx[base + c] += d; } else { dx[base + c] = d; }
  }
}

@compute @workgroup_size(WG)
fn weight_partial(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let e = gid.x + gid.y * nwg.x * WG;
  if (e >= P.chunks * P.dim) { return; }
  let p = e / P.dim;
  let c = e - p * P.dim;
  let r1 = min(P.rows, (p + 1u) * P.rowsPerChunk);
  var s = 0.0;
  for (var r = p * P.rowsPerChunk; r < r1; r++) { s += dyW[r * P.dim + c] * x[r * P.dim + c] * rstdW[r]; }
  partials[e] = s;
}

@compute @workgroup_size(WG)
fn weight_combine(@builtin(global_invocation_id) gid: vec3u) {
  let c = gid.x;
  if (c >= P.dim) { return; }
  var s = 0.0;
  for (var p = 0u; p < P.chunks; p++) { s += partialsIn[p * P.dim + c]; }
  if (P.accumulate != 0u) { dw[c] += s; } else { dw[c] = s; }
}
