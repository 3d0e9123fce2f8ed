// Row gather and its transpose, the scatter-add: the token embedding (forward and backward), and
// picking the loss-carrying rows out of the hidden states (and putting their gradients back).
//
//   gather:      out[r, c] = table[index[r], c]                        r < rows, c < cols
//   scatter_add: table[uniq[k], c] += Σ_{m = starts[k]}^{starts[k+1]−1} src[order[m], c]
//
// The scatter needs no float atomics: the host groups the rows by their index when it uploads a
// batch (the indices are token ids or mask positions it already holds). Group k lists the source
// rows order[starts[k] .. starts[k+1]) that all target table row uniq[k]. One invocation owns one
// (group, column) and adds its rows in order, so the result is deterministic.

override WG: u32;

struct Params { rows: u32, cols: u32, groups: u32, _pad: u32 }

@group(0) @binding(0) var<uniform> P: Params;
// gather
@group(0) @binding(1) var<storage, read> index: array<u32>;
@group(0) @binding(2) var<storage, read> table: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
// scatter_add
@group(0) @binding(1) var<storage, read> uniq: array<u32>;
@group(0) @binding(2) var<storage, read> starts: array<u32>;
@group(0) @binding(3) var<storage, read> order: array<u32>;
@group(0) @binding(4) var<storage, read> src: array<f32>;
@group(0) @binding(5) var<storage, read_write> dtable: array<f32>;

fn flatIndex(gid: vec3u, nwg: vec3u) -> u32 { return gid.x + gid.y * nwg.x * WG; }

@compute @workgroup_size(WG)
fn gather(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let e = flatIndex(gid, nwg);
  if (e >= P.rows * P.cols) { return; }
  let r = e / P.cols;
  let c = e - r * P.cols;
  out[e] = table[index[r] * P.cols + c];
}

@compute @workgroup_size(WG)
fn scatter_add(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let e = flatIndex(gid, nwg);
  if (e >= P.groups * P.cols) { return; }
  let k = e / P.cols;
  let c = e - k * P.cols;
  var s = 0.0;
  for (var m = starts[k]; m < starts[k + 1u]; m++) { s += src[order[m] * P.cols + c]; }
  let t = uniq[k] * P.cols + c;
  dtable[t] = dtable[t] + s;
}
