// Per-token activation quantization with NEON; bit-identical to ref::quantize_act_q8:
// d = max|x| / 127 (IEEE division), q = round-to-nearest-even(x * (1/d)) (FCVTNS, the same
// rounding as nearbyint in the default mode), clamped to [-127, 127], sum = d * sum(q).
#include <arm_neon.h>

#include "kernels/arm/kernels_arm.h"

namespace pocket::arm {

void neon_quantize_act(const float* x, ActBlockQ8* out, int64_t k) {
  const int32x4_t lo = vdupq_n_s32(-127), hi = vdupq_n_s32(127);
  for (int64_t b = 0; b < k / kActBlock; ++b) {
    const float* xb = x + b * kActBlock;
    float32x4_t v[8];
    for (int i = 0; i < 8; ++i) v[i] = vld1q_f32(xb + 4 * i);
    float32x4_t m = vabsq_f32(v[0]);
    for (int i = 1; i < 8; ++i) m = vmaxq_f32(m, vabsq_f32(v[i]));
    const float amax = vmaxvq_f32(m);
    const float d = amax / 127.0f;
    const float inv = d != 0.0f ? 1.0f / d : 0.0f;
    int32x4_t q[8];
    int32x4_t sum = vdupq_n_s32(0);
    for (int i = 0; i < 8; ++i) {
      q[i] = vminq_s32(vmaxq_s32(vcvtnq_s32_f32(vmulq_n_f32(v[i], inv)), lo), hi);
      sum = vaddq_s32(sum, q[i]);
    }
    for (int i = 0; i < 2; ++i) {
      const int16x8_t a = vcombine_s16(vmovn_s32(q[4 * i]), vmovn_s32(q[4 * i + 1]));
      const int16x8_t c = vcombine_s16(vmovn_s32(q[4 * i + 2]), vmovn_s32(q[4 * i + 3]));
      vst1q_s8(out[b].q + 16 * i, vcombine_s8(vmovn_s16(a), vmovn_s16(c)));
    }
    out[b].d = d;
    const int32_t isum = vaddvq_s32(sum);
    out[b].sum = d * static_cast<float>(isum);
    out[b].isum = isum;
  }
}

}  // namespace pocket::arm
