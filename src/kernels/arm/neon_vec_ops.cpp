// NEON element-wise operations of the forward pass (ARMv8-A baseline): the same exps as
// x86/avx2_vec_ops.cpp at 4 lanes. exp4 is the Cephes scheme (see x86/avx512_vec_ops.cpp),
// exp4_fast computes ref::exp_fast's approximation operation for operation (ContextParams::
// fast_math). vfmaq_f32(a, b, c) is a + b * c with one rounding, like std::fma(b, c, a).
#include <arm_neon.h>

#include "kernels/arm/kernels_arm.h"
#include "kernels/gemm.h"

namespace pocket::arm {
namespace {

constexpr float kExpLo = -87.3365478515625f;  // ln FLT_MIN: below it 2^n would not be normal

// 2^n for integral n in [-126, 127]: (n + 127) << 23 is a normal float's bits.
inline float32x4_t pow2i(float32x4_t n) {
  return vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(vcvtq_s32_f32(n), vdupq_n_s32(127)), 23));
}

inline float32x4_t exp4(float32x4_t x) {
  x = vmaxq_f32(vminq_f32(x, vdupq_n_f32(88.0f)), vdupq_n_f32(kExpLo));
  const float32x4_t n = vrndnq_f32(vmulq_f32(x, vdupq_n_f32(1.44269504088896341f)));
  float32x4_t r = vfmsq_f32(x, n, vdupq_n_f32(0.693359375f));
  r = vfmsq_f32(r, n, vdupq_n_f32(-2.12194440e-4f));
  float32x4_t p = vdupq_n_f32(1.9875691500e-4f);
  p = vfmaq_f32(vdupq_n_f32(1.3981999507e-3f), p, r);
  p = vfmaq_f32(vdupq_n_f32(8.3334519073e-3f), p, r);
  p = vfmaq_f32(vdupq_n_f32(4.1665795894e-2f), p, r);
  p = vfmaq_f32(vdupq_n_f32(1.6666665459e-1f), p, r);
  p = vfmaq_f32(vdupq_n_f32(5.0000001201e-1f), p, r);
  p = vfmaq_f32(vaddq_f32(r, vdupq_n_f32(1.0f)), vmulq_f32(p, r), r);
  return vmulq_f32(p, pow2i(n));
}

// 0 where !(x >= kExpLo) (-inf and NaN included), v elsewhere.
inline float32x4_t zero_below(float32x4_t x, float32x4_t v) {
  const uint32x4_t keep = vcgeq_f32(x, vdupq_n_f32(kExpLo));
  return vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(v), keep));
}

inline float32x4_t exp4_fast(float32x4_t x) {
  const float32x4_t xc = vmaxq_f32(vminq_f32(x, vdupq_n_f32(88.0f)), vdupq_n_f32(kExpLo));
  const float32x4_t log2e = vdupq_n_f32(1.44269504088896341f);
  const float32x4_t n = vrndnq_f32(vmulq_f32(xc, log2e));
  const float32x4_t f = vfmaq_f32(vnegq_f32(n), xc, log2e);
  float32x4_t p = vfmaq_f32(vdupq_n_f32(2.4261112e-1f), vdupq_n_f32(5.5171669e-2f), f);
  p = vfmaq_f32(vdupq_n_f32(6.9326099e-1f), p, f);
  p = vfmaq_f32(vdupq_n_f32(9.9992807e-1f), p, f);
  return zero_below(x, vmulq_f32(p, pow2i(n)));
}

template <bool kFast>
inline float32x4_t silu_mul4(float32x4_t g, float32x4_t u) {
  const float32x4_t e = kFast ? exp4_fast(vnegq_f32(g)) : exp4(vnegq_f32(g));
  return vmulq_f32(vdivq_f32(g, vaddq_f32(vdupq_n_f32(1.0f), e)), u);
}

template <bool kFast>
void silu_mul_neon(const float* gate, const float* up, float* out, int64_t n) {
  int64_t i = 0;
  for (; i + 4 <= n; i += 4)
    vst1q_f32(out + i, silu_mul4<kFast>(vld1q_f32(gate + i), vld1q_f32(up + i)));
  for (; i < n; ++i) {  // tail through the same vector code, one lane used
    const float32x4_t o = silu_mul4<kFast>(vdupq_n_f32(gate[i]), vdupq_n_f32(up[i]));
    out[i] = vgetq_lane_f32(o, 0);
  }
}

template <bool kFast>
void exp_sub_neon(const float* in, float sub, float* out, int64_t n) {
  const float32x4_t s = vdupq_n_f32(sub);
  auto exp = [](float32x4_t x) { return kFast ? exp4_fast(x) : zero_below(x, exp4(x)); };
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) vst1q_f32(out + i, exp(vsubq_f32(vld1q_f32(in + i), s)));
  for (; i < n; ++i) out[i] = vgetq_lane_f32(exp(vsubq_f32(vdupq_n_f32(in[i]), s)), 0);
}

}  // namespace

void neon_register_vec_ops(KernelSet& set) {
  set.silu_mul = silu_mul_neon<false>;
  set.exp = exp_sub_neon<false>;
  set.silu_mul_fast = silu_mul_neon<true>;
  set.exp_fast = exp_sub_neon<true>;
}

}  // namespace pocket::arm
