// Softmax cross-entropy over the vocabulary for the loss-carrying rows, fused with its gradient.
// The logits are those of the rows whose next token carries the loss, already multiplied by the
// (tied) output matrix; row r's target is the token that follows it.
//
//   m = max_v z_v,  lse = m + log Σ_v e^{z_v − m}
//   nll = lse − z_t,   correct = [argmax_v z_v = t]      (ties go to the lowest index)
//   forward_backward, in place:  z_v ← scale·(e^{z_v − lse} − [v = t])
//   with scale = 1/M for the mean over the M loss rows of a batch (the host sets it).
//
// One invocation per row, in three sweeps over it (max and argmax; Σ e^{z−m}; the gradient), with
// no workgroup memory: a workgroup-wide tree per row spent its time in barriers on software
// adapters, and a row of the vocabulary stays in cache between sweeps. The sum keeps four
// interleaved partial sums (v ≡ 0, 1, 2, 3 mod 4), added pairwise at the end.

#include "lib/float"
#include "lib/lanes"

override WG: u32;

struct Params { rows: u32, vocab: u32, scale: f32, _pad: u32 }

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> targets: array<u32>;
@group(0) @binding(2) var<storage, read_write> z: array<f32>;
@group(0) @binding(3) var<storage, read_write> nll: array<f32>;
@group(0) @binding(4) var<storage, read_write> lse: array<f32>;
@group(0) @binding(5) var<storage, read_write> correct: array<f32>;

fn rowOf(gid: vec3u, nwg: vec3u) -> u32 { return gid.x + gid.y * nwg.x * WG; }

/** Fills nll, lse and correct for row r; returns lse. */
fn rowStatistics(r: u32) -> f32 {
  let base = r * P.vocab;
  var m = LOWEST; var arg = NO_INDEX;
  for (var v = 0u; v < P.vocab; v++) {
    let zv = z[base + v];
    if (zv > m) { m = zv; arg = v; }   // strict: ties keep the lowest index
  }
  var s = vec4f(0.0);
  var v = 0u;
  for (; v + VEC4 <= P.vocab; v += VEC4) {
    let k = vec4u(base + v) + LANE4;
    s += exp(vec4f(z[k.x], z[k.y], z[k.z], z[k.w]) - vec4f(m));
  }
  for (; v < P.vocab; v++) { s.x += exp(z[base + v] - m); }
  let l = m + log((s.x + s.y) + (s.z + s.w));
  let t = targets[r];
  nll[r] = l - z[base + t];
  lse[r] = l;
  correct[r] = select(0.0, 1.0, arg == t);
  return l;
}

@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let r = rowOf(gid, nwg);
  if (r >= P.rows) { return; }
  rowStatistics(r);
}

@compute @workgroup_size(WG)
fn forward_backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let r = rowOf(gid, nwg);
  if (r >= P.rows) { return; }
  let l = rowStatistics(r);
  let base = r * P.vocab;
  let t = targets[r];
  for (var v = 0u; v < P.vocab; v++) {
    z[base + v] = P.scale * (exp(z[base + v] - l) - select(0.0, 1.0, v == t));
  }
}
