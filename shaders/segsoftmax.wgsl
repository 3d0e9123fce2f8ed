// Softmax over ragged candidate sets: the policy π(a|s) over the admissible actions of each state.
//
//   z_j = κ·ℓ_j + f_j                         ℓ: frozen prior log-likelihood, f: adapter score
//   log π_j = z_j − logsumexp_{k in set} z_k    (max-shifted, so huge logits stay finite)
//   H = −Σ_j π_j log π_j                       entropy
//   π⁰ = softmax(κ·ℓ)                           the frozen prior policy
//   KL = Σ_j π_j (log π_j − log π⁰_j)          exact KL(π ‖ π⁰) over the set
//
// Backward, for upstream gradients g_lp = ∂L/∂log π(a*), g_H = ∂L/∂H, g_KL = ∂L/∂KL of a set:
//   ∂L/∂z_j = g_lp (1[j = a*] − π_j) − g_H π_j (log π_j + H) + g_KL π_j ((log π_j − log π⁰_j) − KL)
// and ∂z_j/∂f_j = 1. Terms with π_j = 0 are dropped (0·log 0 = 0).
//
// Cross-entropy (behaviour cloning): L = −(1/S) Σ_s log π(a*_s | s), so g_lp = −1/S.
// One invocation per set; sets hold 1 … a few hundred candidates.

override WG: u32;

// Per-set layouts, from src/kernels/segsoftmax.ts: SET_STRIDE floats out of `forward` per set
// (SET_LP_CHOSEN, SET_ENTROPY, …), the upstream gradients GRAD_STRIDE per set (g_lp, g_H, g_KL)
// and the cross-entropy statistics CE_STRIDE per set (nll, correct, entropy).
#include "segsoftmax.layout"

struct Params { sets: u32, kappa: f32, scale: f32, _pad: u32 }

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> offsets: array<u32>;
@group(0) @binding(2) var<storage, read> chosen: array<u32>;       // index of a* inside its set
@group(0) @binding(3) var<storage, read> prior: array<f32>;        // ℓ per candidate
@group(0) @binding(4) var<storage, read> score: array<f32>;        // f per candidate (forward)
@group(0) @binding(5) var<storage, read_write> logp: array<f32>;   // log π per candidate (forward)
@group(0) @binding(6) var<storage, read_write> setOut: array<f32>; // per set (forward)
// backward: 1 offsets, 2 chosen, 3 prior, then
@group(0) @binding(4) var<storage, read> logpIn: array<f32>;
@group(0) @binding(5) var<storage, read> setIn: array<f32>;
@group(0) @binding(6) var<storage, read> grads: array<f32>;
@group(0) @binding(7) var<storage, read_write> dscore: array<f32>;
// cross_entropy:
@group(0) @binding(1) var<storage, read> ceSetIn: array<f32>;
@group(0) @binding(2) var<storage, read_write> ceGrads: array<f32>;
@group(0) @binding(3) var<storage, read_write> ceStats: array<f32>;

fn setIndex(gid: vec3u, nwg: vec3u) -> u32 { return gid.x + gid.y * nwg.x * WG; }

@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let s = setIndex(gid, nwg);
  if (s >= P.sets) { return; }
  let a = offsets[s];
  let b = offsets[s + 1u];
  let star = a + chosen[s];
  // Pass 1: maxima of z and of the prior's logits z⁰ = κℓ, and the argmax of z.
  var m = P.kappa * prior[a] + score[a];
  var m0 = P.kappa * prior[a];
  var best = a;
  for (var j = a + 1u; j < b; j++) {
    let z = P.kappa * prior[j] + score[j];
    if (z > m) { m = z; best = j; }
    m0 = max(m0, P.kappa * prior[j]);
  }
  // Pass 2: the normalisers.
  var se = 0.0; var se0 = 0.0;
  for (var j = a; j < b; j++) {
    se += exp(P.kappa * prior[j] + score[j] - m);
    se0 += exp(P.kappa * prior[j] - m0);
  }
  let lse = m + log(se);
  let lse0 = m0 + log(se0);
  // Pass 3: log π, entropy and KL to the prior.
  var H = 0.0; var KL = 0.0;
  for (var j = a; j < b; j++) {
    let lp = P.kappa * prior[j] + score[j] - lse;
    logp[j] = lp;
    let p = exp(lp);
    if (p > 0.0) {
      H -= p * lp;
      KL += p * (lp - (P.kappa * prior[j] - lse0));
    }
  }
  let o = s * SET_STRIDE;
  setOut[o + SET_LP_CHOSEN] = P.kappa * prior[star] + score[star] - lse;
  setOut[o + SET_ENTROPY] = H;
  setOut[o + SET_PRIOR_LP_CHOSEN] = P.kappa * prior[star] - lse0;
  setOut[o + SET_KL_PRIOR] = KL;
  setOut[o + SET_PRIOR_LSE] = lse0;
  setOut[o + SET_ARGMAX_IS_CHOSEN] = select(0.0, 1.0, best == star);
}

@compute @workgroup_size(WG)
fn backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let s = setIndex(gid, nwg);
  if (s >= P.sets) { return; }
  let star = offsets[s] + chosen[s];
  let o = s * SET_STRIDE;
  let H = setIn[o + SET_ENTROPY];
  let KL = setIn[o + SET_KL_PRIOR];
  let lse0 = setIn[o + SET_PRIOR_LSE];
  let g = s * GRAD_STRIDE;
  let gLp = grads[g + GRAD_LP]; let gH = grads[g + GRAD_ENTROPY]; let gKL = grads[g + GRAD_KL];
  for (var j = offsets[s]; j < offsets[s + 1u]; j++) {
    let lp = logpIn[j];
    let p = exp(lp);
    var d = select(0.0, gLp, j == star);
    if (p > 0.0) {
      d += -gLp * p - gH * p * (lp + H) + gKL * p * ((lp - (P.kappa * prior[j] - lse0)) - KL);
    }
    dscore[j] = d;
  }
}

@compute @workgroup_size(WG)
fn cross_entropy(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let s = setIndex(gid, nwg);
  if (s >= P.sets) { return; }
  let o = s * SET_STRIDE;
  let g = s * GRAD_STRIDE;
  ceGrads[g + GRAD_LP] = -P.scale;
  ceGrads[g + GRAD_ENTROPY] = 0.0;
  ceGrads[g + GRAD_KL] = 0.0;
  ceGrads[g + GRAD_PAD] = 0.0;
  let c = s * CE_STRIDE;
  ceStats[c + CE_NLL] = -ceSetIn[o + SET_LP_CHOSEN];
  ceStats[c + CE_CORRECT] = ceSetIn[o + SET_ARGMAX_IS_CHOSEN];
  ceStats[c + CE_ENTROPY] = ceSetIn[o + SET_ENTROPY];
  ceStats[c + CE_PAD] = 0.0;
}
