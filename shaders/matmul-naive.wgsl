// The textbook matmul, kept only as the benchmark's floor:  C[m, n] = Σ_k A[m, k] · B[k, n].
// One invocation per output, scalar loads, no blocking.

override WG: u32;  // invocations per side of the square workgroup

struct Dims { M: u32, N: u32, K: u32, _pad: u32 }

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;

@compute @workgroup_size(WG, WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let m = gid.y; let n = gid.x;
  if (m >= dims.M || n >= dims.N) { return; }
  var s = 0.0;
  for (var k = 0u; k < dims.K; k++) { s += A[m * dims.K + k] * B[k * dims.N + n]; }
  C[m * dims.N + n] = s;
}
