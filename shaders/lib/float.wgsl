// Bit-level tests on f32 values.

// All exponent bits set means ±inf or NaN.
const F32_EXPONENT_MASK: u32 = 0x7f800000u;

fn isFinite(x: f32) -> bool {
  return (bitcast<u32>(x) & F32_EXPONENT_MASK) != F32_EXPONENT_MASK;
}

// The most negative finite f32: a running maximum before any element.
const LOWEST: f32 = -0x1.fffffep+127f;
// The largest u32: "no index yet" for a running argmax (it loses every tie on the lowest index).
const NO_INDEX: u32 = 0xffffffffu;
