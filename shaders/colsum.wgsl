// Column sums of a row-major R × C matrix, optionally weighted per row and scaled:
//
//   out[c] (+)= scale · Σ_r w[r] · X[r, c]          (w ≡ 1 unless WEIGHTED)
//
// Bias gradients (db = Σ_r dZ[r, :]), the weight gradient of a one-output layer
// (dw = Xᵀ·dz = Σ_r dz[r] · X[r, :]) and per-batch metric means (rows = samples, columns =
// metrics) are all this one reduction.
//
// Two passes, neither with a barrier (SwiftShader turns barriers into coroutine switches):
//   partial:  partials[p, c] = Σ_{r in chunk p} w[r] · X[r, c]    one invocation per (p, c)
//   combine:  out[c] = scale · Σ_p partials[p, c]  (+ out[c])      one invocation per c
// Neighbouring invocations take neighbouring columns, so every row read is contiguous.

override WG: u32;
override WEIGHTED: bool = false;
override ACCUMULATE: bool = false;

struct Dims { R: u32, C: u32, P: u32, rowsPerChunk: u32, scale: f32, _a: u32, _b: u32, _c: u32 }

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read_write> partials: array<f32>;
@group(0) @binding(1) var<storage, read> partialsIn: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

fn rowWeight(r: u32) -> f32 {
  if (WEIGHTED) { return w[r]; }
  return 1.0;
}

@compute @workgroup_size(WG)
fn partial(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= dims.P * dims.C) { return; }
  let c = i % dims.C;
  let p = i / dims.C;
  let r0 = p * dims.rowsPerChunk;
  let r1 = min(r0 + dims.rowsPerChunk, dims.R);
  var s0 = 0.0; var s1 = 0.0;   // two chains: half the add latency on the critical path
  var r = r0;
  for (; r + 1u < r1; r += 2u) {
    s0 += rowWeight(r) * X[r * dims.C + c];
    s1 += rowWeight(r + 1u) * X[(r + 1u) * dims.C + c];
  }
  if (r < r1) { s0 += rowWeight(r) * X[r * dims.C + c]; }
  partials[p * dims.C + c] = s0 + s1;
}

@compute @workgroup_size(WG)
fn combine(@builtin(global_invocation_id) gid: vec3u) {
  let c = gid.x;
  if (c >= dims.C) { return; }
  var s = 0.0;
  for (var p = 0u; p < dims.P; p++) { s += partialsIn[p * dims.C + c]; }
  if (ACCUMULATE) { out[c] = out[c] + dims.scale * s; }
  else { out[c] = dims.scale * s; }
}
