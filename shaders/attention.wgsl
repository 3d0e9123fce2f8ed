// Causal multi-head self-attention over packed sequences, flash-attention style: scores are formed
// tile by tile with an online softmax, so no T×T matrix is ever stored; the backward pass
// recomputes them from the saved log-sum-exp.
//
// Rows are tokens; sequences are packed one after another and row i's sequence starts at row
// start[i]. Query head h reads key/value head h / group (grouped-query attention). Row i attends
// to the keys j with start[i] ≤ j ≤ i:
//
//   s_ij = scale · q_i·k_j                    scale = 1/√HD
//   lse_i = log Σ_j e^{s_ij},   P_ij = e^{s_ij − lse_i},   o_i = Σ_j P_ij v_j
//
// Backward, with dO = ∂L/∂o and D_i = dO_i·o_i (`backward_delta`):
//   dP_ij = dO_i·v_j,   dS_ij = P_ij (dP_ij − D_i)
//   ∂L/∂q_i = scale Σ_j dS_ij k_j             (`backward_dq`: one workgroup per query tile)
//   ∂L/∂k_j = scale Σ_i dS_ij q_i,  ∂L/∂v_j = Σ_i P_ij dO_i
//                                             (`backward_dkv`: one workgroup per key tile, summing
//                                              the query heads of its group; no atomics needed)
//
// q, k and v live in one row-major buffer (a fused qkv projection): row i's query head h starts at
// i·ld + qOff + h·HD, its kv head g at i·ld + kOff + g·HD and i·ld + vOff + g·HD. The gradients
// go to the same columns of dqkv. o and dO are [rows, heads·HD]. lse and D are [heads, rows].
//
// A workgroup holds TILE query rows (or key rows) with TPR invocations per row; invocation `lane`
// of a row owns the head dimensions lane, lane + TPR, … (HD / TPR ≤ MAX_DPT of them).

override HD: u32;
override TILE: u32;
override TPR: u32;
// MAX_DPT, the private accumulators' length, from src/kernels/attention.ts (the host keeps HD / TPR
// within it); LOWEST is the running max before any key.
#include "attention.layout"
#include "lib/float"

struct Params {
  rows: u32, heads: u32, group: u32, ld: u32,
  qOff: u32, kOff: u32, vOff: u32, scale: f32,
}

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> start: array<u32>;
@group(0) @binding(2) var<storage, read> qkv: array<f32>;
// forward
@group(0) @binding(3) var<storage, read_write> o: array<f32>;
@group(0) @binding(4) var<storage, read_write> lse: array<f32>;
// backward_dq / backward_dkv: 1 start, 2 qkv, then
@group(0) @binding(3) var<storage, read> dO: array<f32>;
@group(0) @binding(4) var<storage, read> lseIn: array<f32>;
@group(0) @binding(5) var<storage, read> delta: array<f32>;
@group(0) @binding(6) var<storage, read_write> dqkv: array<f32>;
// backward_delta
@group(0) @binding(1) var<storage, read> oIn: array<f32>;
@group(0) @binding(2) var<storage, read> dOd: array<f32>;
@group(0) @binding(3) var<storage, read_write> deltaOut: array<f32>;

var<workgroup> qT: array<f32, TILE * HD>;
var<workgroup> kT: array<f32, TILE * HD>;
var<workgroup> vT: array<f32, TILE * HD>;
var<workgroup> doT: array<f32, TILE * HD>;
var<workgroup> sT: array<f32, TILE * TILE>;    // scores (forward), dS (backward)
var<workgroup> pT: array<f32, TILE * TILE>;    // P (backward_dkv)
var<workgroup> lseT: array<f32, TILE>;
var<workgroup> deltaT: array<f32, TILE>;

fn dotQK(qi: u32, kj: u32) -> f32 {
  var s = 0.0;
  for (var c = 0u; c < HD; c++) { s += qT[qi * HD + c] * kT[kj * HD + c]; }
  return s;
}

fn dotOV(qi: u32, kj: u32) -> f32 {
  var s = 0.0;
  for (var c = 0u; c < HD; c++) { s += doT[qi * HD + c] * vT[kj * HD + c]; }
  return s;
}

/** Keys j0 … j0+TILE−1 (those ≤ last) of kv head g into kT and vT; zeros past the end. */
fn loadKeys(j0: u32, last: u32, g: u32, lid: u32) {
  for (var e = lid; e < TILE * HD; e += TILE * TPR) {
    let j = j0 + e / HD;
    let c = e % HD;
    var kv = 0.0; var vv = 0.0;
    if (j <= last) {
      kv = qkv[j * P.ld + P.kOff + g * HD + c];
      vv = qkv[j * P.ld + P.vOff + g * HD + c];
    }
    kT[e] = kv; vT[e] = vv;
  }
}

/** Query rows i0 … i0+TILE−1 of head h into qT; zeros past the end. */
fn loadQueries(i0: u32, h: u32, lid: u32) {
  for (var e = lid; e < TILE * HD; e += TILE * TPR) {
    let i = i0 + e / HD;
    var qv = 0.0;
    if (i < P.rows) { qv = qkv[i * P.ld + P.qOff + h * HD + e % HD]; }
    qT[e] = qv;
  }
}

/** The same rows' dO into doT, and their lse and D into lseT and deltaT. */
fn loadOutputGrads(i0: u32, h: u32, lid: u32) {
  for (var e = lid; e < TILE * HD; e += TILE * TPR) {
    let i = i0 + e / HD;
    var dv = 0.0;
    if (i < P.rows) { dv = dO[i * P.heads * HD + h * HD + e % HD]; }
    doT[e] = dv;
  }
  if (lid < TILE) {
    let i = i0 + lid;
    var l = 0.0; var d = 0.0;
    if (i < P.rows) { l = lseIn[h * P.rows + i]; d = delta[h * P.rows + i]; }
    lseT[lid] = l; deltaT[lid] = d;
  }
}

@compute @workgroup_size(TILE * TPR)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let h = wid.y;
  let g = h / P.group;
  let i0 = wid.x * TILE;
  let li = lid / TPR;
  let lane = lid % TPR;
  let i = i0 + li;
  let live = i < P.rows;
  let last = min(i0 + TILE, P.rows) - 1u;
  let myStart = start[min(i, last)];
  let dpt = HD / TPR;
  loadQueries(i0, h, lid);
  var m = LOWEST;
  var l = 0.0;
  var acc: array<f32, MAX_DPT>;
  for (var j0 = start[i0]; j0 <= last; j0 += TILE) {
    workgroupBarrier();   // the previous tile is no longer read
    loadKeys(j0, last, g, lid);
    workgroupBarrier();
    for (var jj = lane; jj < TILE; jj += TPR) { sT[li * TILE + jj] = P.scale * dotQK(li, jj); }
    workgroupBarrier();
    // Every lane of a row computes the same running max and sum; each scales its own dimensions.
    var mt = m;
    for (var jj = 0u; jj < TILE; jj++) {
      let j = j0 + jj;
      if (live && j >= myStart && j <= i) { mt = max(mt, sT[li * TILE + jj]); }
    }
    let alpha = exp(m - mt);
    l *= alpha;
    for (var k = 0u; k < dpt; k++) { acc[k] *= alpha; }
    for (var jj = 0u; jj < TILE; jj++) {
      let j = j0 + jj;
      if (live && j >= myStart && j <= i) {
        let p = exp(sT[li * TILE + jj] - mt);
        l += p;
        for (var k = 0u; k < dpt; k++) { acc[k] += p * vT[jj * HD + lane + k * TPR]; }
      }
    }
    m = mt;
  }
  if (live) {
    let inv = 1.0 / l;
    for (var k = 0u; k < dpt; k++) { o[i * P.heads * HD + h * HD + lane + k * TPR] = acc[k] * inv; }
    if (lane == 0u) { lse[h * P.rows + i] = m + log(l); }
  }
}

@compute @workgroup_size(TILE * TPR)
fn backward_delta(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let e = gid.x + gid.y * nwg.x * TILE * TPR;
  if (e >= P.rows * P.heads) { return; }
  let i = e / P.heads;
  let h = e - i * P.heads;
  let base = i * P.heads * HD + h * HD;
  var s = 0.0;
  for (var c = 0u; c < HD; c++) { s += oIn[base + c] * dOd[base + c]; }
  deltaOut[h * P.rows + i] = s;
}

@compute @workgroup_size(TILE * TPR)
fn backward_dq(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let h = wid.y;
  let g = h / P.group;
  let i0 = wid.x * TILE;
  let li = lid / TPR;
  let lane = lid % TPR;
  let i = i0 + li;
  let live = i < P.rows;
  let last = min(i0 + TILE, P.rows) - 1u;
  let myStart = start[min(i, last)];
  let dpt = HD / TPR;
  loadQueries(i0, h, lid);
  loadOutputGrads(i0, h, lid);
  var acc: array<f32, MAX_DPT>;
  for (var j0 = start[i0]; j0 <= last; j0 += TILE) {
    workgroupBarrier();
    loadKeys(j0, last, g, lid);
    workgroupBarrier();
    for (var jj = lane; jj < TILE; jj += TPR) {
      let j = j0 + jj;
      var ds = 0.0;
      if (live && j >= myStart && j <= i) {
        let p = exp(P.scale * dotQK(li, jj) - lseT[li]);
        ds = p * (dotOV(li, jj) - deltaT[li]);
      }
      sT[li * TILE + jj] = ds;
    }
    workgroupBarrier();
    for (var jj = 0u; jj < TILE; jj++) {
      let ds = sT[li * TILE + jj];
      for (var k = 0u; k < dpt; k++) { acc[k] += ds * kT[jj * HD + lane + k * TPR]; }
    }
  }
  if (live) {
    for (var k = 0u; k < dpt; k++) { dqkv[i * P.ld + P.qOff + h * HD + lane + k * TPR] = P.scale * acc[k]; }
  }
}

@compute @workgroup_size(TILE * TPR)
fn backward_dkv(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let g = wid.y;
  let j0 = wid.x * TILE;
  let lj = lid / TPR;
  let lane = lid % TPR;
  let j = j0 + lj;
  let live = j < P.rows;
  let last = min(j0 + TILE, P.rows) - 1u;
  let dpt = HD / TPR;
  loadKeys(j0, last, g, lid);
  var accK: array<f32, MAX_DPT>;
  var accV: array<f32, MAX_DPT>;
  for (var hh = 0u; hh < P.group; hh++) {
    let h = g * P.group + hh;
    // Queries before j0 cannot see these keys; sequences are packed in order, so once a tile's
    // first row starts after the last key, no later row sees them either.
    for (var i0 = j0; i0 < P.rows && start[i0] <= last; i0 += TILE) {
      workgroupBarrier();
      loadQueries(i0, h, lid);
      loadOutputGrads(i0, h, lid);
      workgroupBarrier();
      for (var ii = lane; ii < TILE; ii += TPR) {
        let i = i0 + ii;
        var p = 0.0; var ds = 0.0;
        if (live && i < P.rows && i >= j && start[i] <= j) {
          p = exp(P.scale * dotQK(ii, lj) - lseT[ii]);
          ds = p * (dotOV(ii, lj) - deltaT[ii]);
        }
        pT[lj * TILE + ii] = p;
        sT[lj * TILE + ii] = ds;
      }
      workgroupBarrier();
      for (var ii = 0u; ii < TILE; ii++) {
        let p = pT[lj * TILE + ii];
        let ds = sT[lj * TILE + ii];
        for (var k = 0u; k < dpt; k++) {
          let c = ii * HD + lane + k * TPR;
          accV[k] += p * doT[c];
          accK[k] += ds * qT[c];
        }
      }
    }
  }
  if (live) {
    for (var k = 0u; k < dpt; k++) {
      let c = g * HD + lane + k * TPR;
      dqkv[j * P.ld + P.kOff + c] = P.scale * accK[k];
      dqkv[j * P.ld + P.vOff + c] = accV[k];
    }
  }
}
