// The width of a vec4 and its lane indices, for kernels that move data four floats at a time and
// unroll loops into four independent chains.
const VEC4: u32 = 4u;
const LANE4 = vec4u(0u, 1u, 2u, 3u);
