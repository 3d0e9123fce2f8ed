// Causal multi-head self-attention over packed sequences, flash-attention style: each query row
// runs an online softmax over its keys, so no T×T matrix is ever stored; the backward pass
// recomputes the scores from the saved log-sum-exp.
//
// Rows are tokens; sequences are packed one after another and row i's sequence starts at row
// start[i]. Query head h reads key/value head h / group (grouped-query attention). Row i attends
// to the keys j with start[i] ≤ j ≤ i:
//
//   s_ij = scale · q_i·k_j                    scale = 1/√(4·HD4)
//   lse_i = log Σ_j e^{s_ij},   P_ij = e^{s_ij − lse_i},   o_i = Σ_j P_ij v_j
//
// Backward, with dO = ∂L/∂o and D_i = dO_i·o_i:
//   dP_ij = dO_i·v_j,   dS_ij = P_ij (dP_ij − D_i)
//   ∂L/∂q_i = scale Σ_j dS_ij k_j             (`backward_dq`, one invocation per (row, head); it
//                                              also stores D_i for the next pass)
//   ∂L/∂k_j = scale Σ_i dS_ij q_i,  ∂L/∂v_j = Σ_i P_ij dO_i
//                                             (`backward_dkv`, one invocation per (row, kv head),
//                                              summing the query heads of its group; no atomics)
//
// q, k and v live in one row-major buffer (a fused qkv projection): row i's query head h starts at
// i·ld + qOff + h·HD, its kv head g at i·ld + kOff + g·HD and i·ld + vOff + g·HD. The gradients
// go to the same columns of dqkv. o and dO are [rows, heads·HD]. lse and D are [heads, rows].
//
// One invocation owns one (row, head) and keeps its whole head vector in registers, four
// dimensions per vec4 (HD and every column offset are multiples of 4; the host checks). No
// workgroup memory and no barriers: on software adapters a barrier switches every invocation of
// the workgroup, which cost more than the arithmetic at the head sizes used here, and on GPUs the
// rows of a workgroup read the same keys at the same time, which the caches serve.
// Every pass takes keys (or queries) four at a time, as the four components of a vec4: in the
// forward, one rescale of the running sum per four keys.

override HD4: u32;  // the head dimension in vec4s
override WG: u32;
// MAX_HD4: the private vectors' length in vec4s, from src/kernels/attention.ts (the host keeps
// HD / 4 within it). LOWEST is the running max before any key; LANE4 numbers the four keys
// (or queries) of a VEC4 step.
#include "attention.layout"
#include "lib/float"
#include "lib/lanes"

struct Params {
  rows: u32, heads: u32, group: u32, ld4: u32,
  qOff4: u32, kOff4: u32, vOff4: u32, scale: f32,
}

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> start: array<u32>;
@group(0) @binding(2) var<storage, read> qkv: array<vec4f>;
// forward
@group(0) @binding(3) var<storage, read_write> o: array<vec4f>;
@group(0) @binding(4) var<storage, read_write> lse: array<f32>;
// backward_dq: 1 start, 2 qkv, then
@group(0) @binding(3) var<storage, read> oIn: array<vec4f>;
@group(0) @binding(4) var<storage, read> dO: array<vec4f>;
@group(0) @binding(5) var<storage, read> lseIn: array<f32>;
@group(0) @binding(6) var<storage, read_write> deltaOut: array<f32>;
@group(0) @binding(7) var<storage, read_write> dqkv: array<vec4f>;
// backward_dkv: 1 start, 2 qkv, 3 dO, 4 lse, 5 D, 6 dqkv
@group(0) @binding(3) var<storage, read> dOk: array<vec4f>;
@group(0) @binding(4) var<storage, read> lseK: array<f32>;
@group(0) @binding(5) var<storage, read> deltaIn: array<f32>;
@group(0) @binding(6) var<storage, read_write> dqkvK: array<vec4f>;

/** Index (in vec4s) of row r's head vector at column offset off4 (in vec4s) + head·HD4. */
fn at(r: u32, off4: u32, head: u32) -> u32 { return r * P.ld4 + off4 + head * HD4; }
/** Index of row r, head h in o and dO. */
fn outAt(r: u32, h: u32) -> u32 { return (r * P.heads + h) * HD4; }

@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  let h = gid.y;
  if (i >= P.rows) { return; }
  let g = h / P.group;
  var q: array<vec4f, MAX_HD4>;
  var acc: array<vec4f, MAX_HD4>;
  let qb = at(i, P.qOff4, h);
  for (var c = 0u; c < HD4; c++) { q[c] = P.scale * qkv[qb + c]; }
  var m = LOWEST;
  var l = 0.0;
  for (var j0 = start[i]; j0 <= i; j0 += VEC4) {
    // Keys past i score LOWEST (weight e^{LOWEST − m} = 0); their reads are clamped to row i.
    let j = min(vec4u(j0) + LANE4, vec4u(i));
    let kb = vec4u(at(j.x, P.kOff4, g), at(j.y, P.kOff4, g), at(j.z, P.kOff4, g), at(j.w, P.kOff4, g));
    var s = vec4f(0.0);
    for (var c = 0u; c < HD4; c++) {
      let qc = q[c];
      s += vec4f(dot(qc, qkv[kb.x + c]), dot(qc, qkv[kb.y + c]), dot(qc, qkv[kb.z + c]), dot(qc, qkv[kb.w + c]));
    }
    s = select(vec4f(LOWEST), s, vec4u(j0) + LANE4 <= vec4u(i));
    let mt = max(m, max(max(s.x, s.y), max(s.z, s.w)));
    let alpha = exp(m - mt);
    let p = exp(s - vec4f(mt));
    l = l * alpha + (p.x + p.y) + (p.z + p.w);
    let vb = kb + vec4u(P.vOff4 - P.kOff4);
    for (var c = 0u; c < HD4; c++) {
      acc[c] = acc[c] * alpha + p.x * qkv[vb.x + c] + p.y * qkv[vb.y + c] + p.z * qkv[vb.z + c] + p.w * qkv[vb.w + c];
    }
    m = mt;
  }
  let inv = 1.0 / l;
  let ob = outAt(i, h);
  for (var c = 0u; c < HD4; c++) { o[ob + c] = acc[c] * inv; }
  lse[h * P.rows + i] = m + log(l);
}

@compute @workgroup_size(WG)
fn backward_dq(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  let h = gid.y;
  if (i >= P.rows) { return; }
  let g = h / P.group;
  var q: array<vec4f, MAX_HD4>;
  var d: array<vec4f, MAX_HD4>;
  var acc: array<vec4f, MAX_HD4>;
  let qb = at(i, P.qOff4, h);
  let ob = outAt(i, h);
  var dsum = vec4f(0.0);
  for (var c = 0u; c < HD4; c++) {
    q[c] = P.scale * qkv[qb + c];
    d[c] = dO[ob + c];
    dsum += d[c] * oIn[ob + c];
  }
  let delta = (dsum.x + dsum.y) + (dsum.z + dsum.w);
  deltaOut[h * P.rows + i] = delta;
  let li = lseIn[h * P.rows + i];
  // Keys four at a time; those past i get P = 0 (their reads are clamped to row i).
  for (var j0 = start[i]; j0 <= i; j0 += VEC4) {
    let j = min(vec4u(j0) + LANE4, vec4u(i));
    let kb = vec4u(at(j.x, P.kOff4, g), at(j.y, P.kOff4, g), at(j.z, P.kOff4, g), at(j.w, P.kOff4, g));
    let vb = kb + vec4u(P.vOff4 - P.kOff4);
    var s = vec4f(0.0);
    var dp = vec4f(0.0);
    for (var c = 0u; c < HD4; c++) {
      let qc = q[c];
      let dc = d[c];
      s += vec4f(dot(qc, qkv[kb.x + c]), dot(qc, qkv[kb.y + c]), dot(qc, qkv[kb.z + c]), dot(qc, qkv[kb.w + c]));
      dp += vec4f(dot(dc, qkv[vb.x + c]), dot(dc, qkv[vb.y + c]), dot(dc, qkv[vb.z + c]), dot(dc, qkv[vb.w + c]));
    }
    let p = select(vec4f(0.0), exp(s - vec4f(li)), vec4u(j0) + LANE4 <= vec4u(i));
    let ds = p * (dp - vec4f(delta));
    for (var c = 0u; c < HD4; c++) {
      acc[c] += ds.x * qkv[kb.x + c] + ds.y * qkv[kb.y + c] + ds.z * qkv[kb.z + c] + ds.w * qkv[kb.w + c];
    }
  }
  let db = at(i, P.qOff4, h);
  for (var c = 0u; c < HD4; c++) { dqkv[db + c] = P.scale * acc[c]; }
}

@compute @workgroup_size(WG)
fn backward_dkv(@builtin(global_invocation_id) gid: vec3u) {
  let j = gid.x;
  let g = gid.y;
  if (j >= P.rows) { return; }
  var k: array<vec4f, MAX_HD4>;
  var v: array<vec4f, MAX_HD4>;
  var dk: array<vec4f, MAX_HD4>;
  var dv: array<vec4f, MAX_HD4>;
  let kb = at(j, P.kOff4, g);
  let vb = at(j, P.vOff4, g);
  for (var c = 0u; c < HD4; c++) {
    k[c] = P.scale * qkv[kb + c];
    v[c] = qkv[vb + c];
  }
  // The queries that see key j: rows i ≥ j of its sequence (packed in order, so the first row whose
  // sequence starts after j ends the scan). Four at a time; rows past the sequence (or the batch)
  // get P = 0, their reads clamped to the last row.
  let last = P.rows - 1u;
  for (var hh = 0u; hh < P.group; hh++) {
    let h = g * P.group + hh;
    for (var i0 = j; i0 < P.rows && start[i0] <= j; i0 += VEC4) {
      let i = min(vec4u(i0) + LANE4, vec4u(last));
      let live = (vec4u(i0) + LANE4 <= vec4u(last)) & (vec4u(start[i.x], start[i.y], start[i.z], start[i.w]) <= vec4u(j));
      let qb = vec4u(at(i.x, P.qOff4, h), at(i.y, P.qOff4, h), at(i.z, P.qOff4, h), at(i.w, P.qOff4, h));
      let ob = vec4u(outAt(i.x, h), outAt(i.y, h), outAt(i.z, h), outAt(i.w, h));
      var s = vec4f(0.0);
      var dp = vec4f(0.0);
      for (var c = 0u; c < HD4; c++) {
        let kc = k[c];
        let vc = v[c];
        s += vec4f(dot(kc, qkv[qb.x + c]), dot(kc, qkv[qb.y + c]), dot(kc, qkv[qb.z + c]), dot(kc, qkv[qb.w + c]));
        dp += vec4f(dot(vc, dOk[ob.x + c]), dot(vc, dOk[ob.y + c]), dot(vc, dOk[ob.z + c]), dot(vc, dOk[ob.w + c]));
      }
      let r = h * P.rows;
      let lse4 = vec4f(lseK[r + i.x], lseK[r + i.y], lseK[r + i.z], lseK[r + i.w]);
      let d4 = vec4f(deltaIn[r + i.x], deltaIn[r + i.y], deltaIn[r + i.z], deltaIn[r + i.w]);
      let p = select(vec4f(0.0), exp(s - lse4), live);
      let ds = p * (dp - d4);
      for (var c = 0u; c < HD4; c++) {
        dv[c] += p.x * dOk[ob.x + c] + p.y * dOk[ob.y + c] + p.z * dOk[ob.z + c] + p.w * dOk[ob.w + c];
        dk[c] += ds.x * qkv[qb.x + c] + ds.y * qkv[qb.y + c] + ds.z * qkv[qb.z + c] + ds.w * qkv[qb.w + c];
      }
    }
  }
  for (var c = 0u; c < HD4; c++) {
    dqkvK[kb + c] = P.scale * dk[c];
    dqkvK[vb + c] = dv[c];
  }
}
