// Rotary position embedding in Hugging Face's rotate_half layout, in place on `heads` consecutive
// head vectors of each row (the q and k heads of a fused qkv row are consecutive, so one dispatch
// rotates both).
//
//   For row r at position p = pos[r], head h, pair i < half = HD/2, with v = the head's HD values:
//     (a, b) = (v[i], v[i + half]),  (c, s) = (cos θ, sin θ),  θ = p · invFreq_i,  invFreq_i = theta^(−2i/HD)
//     forward:   v[i] ← a·c − b·s,   v[i + half] ← b·c + a·s
//     backward:  the transpose, i.e. the same with s → −s (it maps ∂L/∂rotated to ∂L/∂v)
//
// cos θ and sin θ come from a table the host fills in float64 (one vec2 per position and pair):
// GPU sin/cos lose accuracy far from zero, and θ reaches thousands of radians at long positions.
// One invocation per (row, head, pair); each owns both values of its pair, so in place is safe.

override WG: u32;

struct Params { rows: u32, heads: u32, half: u32, ld: u32, offset: u32, sign: f32, _p0: u32, _p1: u32 }

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> pos: array<u32>;
@group(0) @binding(2) var<storage, read> cosSin: array<vec2f>;   // [position][pair]
@group(0) @binding(3) var<storage, read_write> v: array<f32>;

@compute @workgroup_size(WG)
fn rotate(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let e = gid.x + gid.y * nwg.x * WG;
  let perRow = P.heads * P.half;
  if (e >= P.rows * perRow) { return; }
  let r = e / perRow;
  let rest = e - r * perRow;
  let h = rest / P.half;
  let i = rest - h * P.half;
  let cs = cosSin[pos[r] * P.half + i];
  let s = P.sign * cs.y;
  let ia = r * P.ld + P.offset + h * 2u * P.half + i;
  let ib = ia + P.half;
  let a = v[ia];
  let b = v[ib];
  v[ia] = a * cs.x - b * s;
  v[ib] = b * cs.x + a * s;
}
