// Softmax cross-entropy over the vocabulary for the loss-carrying rows, fused with its gradient.
// The logits are those of the rows whose next token carries the loss, already multiplied by the
// (tied) output matrix; row r's target is the token that follows it.
//
//   m = max_v z_v,  lse = m + log Σ_v e^{z_v − m}        (one pass: running max with a rescaled sum)
//   nll = lse − z_t,   correct = [argmax_v z_v = t]      (ties go to the lowest index)
//   forward_backward, in place:  z_v ← scale·(e^{z_v − lse} − [v = t])
//   with scale = 1/M for the mean over the M loss rows of a batch (the host sets it).
//
// One workgroup per row; invocations stride over the vocabulary, then fold (max, sum, argmax)
// triples with a tree in workgroup memory.

#include "lib/float"

override WG: u32;   // a power of two (the tree halves it)

struct Params { rows: u32, vocab: u32, scale: f32, _pad: u32 }

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> targets: array<u32>;
@group(0) @binding(2) var<storage, read_write> z: array<f32>;
@group(0) @binding(3) var<storage, read_write> nll: array<f32>;
@group(0) @binding(4) var<storage, read_write> lse: array<f32>;
@group(0) @binding(5) var<storage, read_write> correct: array<f32>;

var<workgroup> treeMax: array<f32, WG>;
var<workgroup> treeSum: array<f32, WG>;
var<workgroup> treeArg: array<u32, WG>;

fn rowOf(wid: vec3u, nwg: vec3u) -> u32 { return wid.x + wid.y * nwg.x; }

/** Fills nll, lse and correct for row r; returns lse to every invocation. */
fn rowStatistics(r: u32, lid: u32) -> f32 {
  let base = r * P.vocab;
  var m = LOWEST; var s = 0.0; var arg = NO_INDEX;
  for (var v = lid; v < P.vocab; v += WG) {
    let zv = z[base + v];
    if (zv > m) { s = s * exp(m - zv) + 1.0; m = zv; arg = v; } else { s += exp(zv - m); }
  }
  treeMax[lid] = m; treeSum[lid] = s; treeArg[lid] = arg;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (lid < half) {
      let m1 = treeMax[lid]; let m2 = treeMax[lid + half];
      let mm = max(m1, m2);
      treeSum[lid] = treeSum[lid] * exp(m1 - mm) + treeSum[lid + half] * exp(m2 - mm);
      let a1 = treeArg[lid]; let a2 = treeArg[lid + half];
      if (m2 > m1 || (m2 == m1 && a2 < a1)) { treeArg[lid] = a2; }
      treeMax[lid] = mm;
    }
    workgroupBarrier();
  }
  let l = treeMax[0] + log(treeSum[0]);
  let t = targets[r];
  if (lid == 0u) {
    nll[r] = l - z[base + t];
    lse[r] = l;
    correct[r] = select(0.0, 1.0, treeArg[0] == t);
  }
  return l;
}

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = rowOf(wid, nwg);
  if (r >= P.rows) { return; }
  rowStatistics(r, lid);
}

@compute @workgroup_size(WG)
fn forward_backward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = rowOf(wid, nwg);
  if (r >= P.rows) { return; }
  let l = rowStatistics(r, lid);
  storageBarrier();   // z_t has been read before anyone overwrites the row
  let base = r * P.vocab;
  let t = targets[r];
  for (var v = lid; v < P.vocab; v += WG) {
    z[base + v] = P.scale * (exp(z[base + v] - l) - select(0.0, 1.0, v == t));
  }
}
