// Clamps shared by the kernels, each written once. They keep exp and tanh inside f32's range on
// every backend; the float64 references (src/kernels/*.ref.ts) apply the same bounds.

// log-ratios (PPO's log π − log π_old, the k3 KL's log π⁰ − log π) before exp: e^20 ≈ 4.9e8.
const LOG_RATIO_CLAMP: f32 = 20.0;
// The k3 KL estimate itself (verl's low_var_kl clamps it to ±10).
const K3_CLAMP: f32 = 10.0;
// tanh's argument: SwiftShader's tanh returns NaN for |x| ≳ 89, and tanh is ±1 in f32 well before 15.
const TANH_CLAMP: f32 = 15.0;
