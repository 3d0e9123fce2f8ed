// Full reductions of a vector to one number, in two dispatches:
//
//   sum:    s = Σ_i x[i]          sumsq:  s = Σ_i x[i]²          (SQUARE selects)
//
// `partial`: P invocations each sum the strided slice x[i], x[i+P], x[i+2P], … (neighbouring
// invocations read neighbouring words), with VEC4 independent chains to hide add latency.
// `combine`: one workgroup folds the P partials with a tree in workgroup memory. Only one
// workgroup ever waits on barriers, so SwiftShader's barrier cost does not matter here.

#include "lib/lanes"

override WG: u32;       // invocations per workgroup in both passes
override SQUARE: bool = false;

struct Dims { n: u32, P: u32, outIndex: u32, _pad: u32 }

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> partials: array<f32>;
@group(0) @binding(1) var<storage, read> partialsIn: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

fn term(v: f32) -> f32 {
  if (SQUARE) { return v * v; }
  return v;
}

@compute @workgroup_size(WG)
fn partial(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= dims.P) { return; }
  let P = dims.P; let n = dims.n;
  var s0 = 0.0; var s1 = 0.0; var s2 = 0.0; var s3 = 0.0;
  var j = i;
  for (; j + (VEC4 - 1u) * P < n; j += VEC4 * P) {
    let js = vec4u(j) + LANE4 * P;
    s0 += term(x[js.x]); s1 += term(x[js.y]); s2 += term(x[js.z]); s3 += term(x[js.w]);
  }
  for (; j < n; j += P) { s0 += term(x[j]); }
  partials[i] = (s0 + s1) + (s2 + s3);
}

var<workgroup> tree: array<f32, WG>;

@compute @workgroup_size(WG)
fn combine(@builtin(local_invocation_id) lid: vec3u) {
  var s = 0.0;
  for (var j = lid.x; j < dims.P; j += WG) { s += partialsIn[j]; }
  tree[lid.x] = s;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (lid.x < half) { tree[lid.x] += tree[lid.x + half]; }
    workgroupBarrier();
  }
  if (lid.x == 0u) { out[dims.outIndex] = tree[0]; }
}
