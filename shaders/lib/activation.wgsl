// Activations fused into the matmul, dense and segment kernels, written once.
//
//   relu  f(z) = max(z, 0)              f′ = [y > 0]
//   tanh  f(z) = tanh z                 f′ = 1 − y²
//   gelu  f(z) = ½z(1 + tanh u),  u = √(2/π)(z + 0.044715 z³)   (the tanh approximation)
//         f′  = ½(1 + tanh u) + ½z(1 − tanh² u)·√(2/π)(1 + 3·0.044715 z²)
//   σ(g) = 1/(1 + e^{−g})   (SwiGLU's gate; e^{−g} = +inf for g < −88 gives σ = 0, the right limit)
//
// The codes ACT_* are ACTIVATION_CODE of src/kernels/matmul.ts, emitted as "activation.codes";
// kernels select one with an override (ACTIVATION), so the switch folds away at pipeline creation.

#include "lib/clamps"
#include "activation.codes"

const GELU_K: f32 = 0.7978845608028654;  // √(2/π)
const GELU_C: f32 = 0.044715;

fn tanhSafe(x: f32) -> f32 { return tanh(clamp(x, -TANH_CLAMP, TANH_CLAMP)); }

fn activation(code: u32, z: f32) -> f32 {
  switch code {
    case ACT_RELU: { return max(z, 0.0); }
    case ACT_TANH: { return tanhSafe(z); }
    case ACT_GELU: { return 0.5 * z * (1.0 + tanhSafe(GELU_K * (z + GELU_C * z * z * z))); }
    default: { return z; }
  }
}

fn activation4(code: u32, z: vec4f) -> vec4f {
  return vec4f(activation(code, z.x), activation(code, z.y), activation(code, z.z), activation(code, z.w));
}

// f′ from the stored value: the output y for relu and tanh, the input z for gelu.
fn activationGrad(code: u32, s: f32) -> f32 {
  switch code {
    case ACT_RELU: { return select(0.0, 1.0, s > 0.0); }
    case ACT_TANH: { return 1.0 - s * s; }
    case ACT_GELU: {
      let t = tanhSafe(GELU_K * (s + GELU_C * s * s * s));
      return 0.5 * (1.0 + t) + 0.5 * s * (1.0 - t * t) * GELU_K * (1.0 + 3.0 * GELU_C * s * s);
    }
    default: { return 1.0; }
  }
}

fn sigmoid(g: f32) -> f32 { return 1.0 / (1.0 + exp(-g)); }
