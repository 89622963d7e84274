// F32 / F16 / BF16 weights against f32 activations with NEON: 4 weight rows x up to 4 tokens per
// tile, 4 values per step; each weight vector is loaded (and widened: FCVTL for f16, a 16-bit
// left shift for bf16) once and used for all tokens of the tile with FMLA.
#include <arm_neon.h>

#include <algorithm>
#include <cstring>

#include "core/half.h"
#include "kernels/arm/kernels_arm.h"

namespace pocket::arm {
namespace {

struct LoadF32 {
  static constexpr size_t kSize = 4;
  static float32x4_t load4(const uint8_t* p) { return vld1q_f32(reinterpret_cast<const float*>(p)); }
  static float one(const uint8_t* p) {
    float v;
    std::memcpy(&v, p, 4);
    return v;
  }
};

struct LoadF16 {
  static constexpr size_t kSize = 2;
  static float32x4_t load4(const uint8_t* p) {
    return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(reinterpret_cast<const uint16_t*>(p))));
  }
  static float one(const uint8_t* p) {
    uint16_t h;
    std::memcpy(&h, p, 2);
    return fp16_to_fp32(h);
  }
};

struct LoadBF16 {
  static constexpr size_t kSize = 2;
  static float32x4_t load4(const uint8_t* p) {
    return vreinterpretq_f32_u32(vshll_n_u16(vld1_u16(reinterpret_cast<const uint16_t*>(p)), 16));
  }
  static float one(const uint8_t* p) {
    uint16_t h;
    std::memcpy(&h, p, 2);
    return bf16_to_fp32(h);
  }
};

constexpr int kRows = 4;

template <class L, int NT>
void tile(const GemmArgs& a, int64_t r, int nr, int64_t t0) {
  const uint8_t* w[kRows];
  for (int i = 0; i < kRows; ++i) w[i] = a.w + static_cast<size_t>(r + std::min(i, nr - 1)) * a.w_stride;
  const float* x[NT];
  for (int t = 0; t < NT; ++t) {
    x[t] = reinterpret_cast<const float*>(static_cast<const uint8_t*>(a.x) + static_cast<size_t>(t0 + t) * a.x_stride);
  }
  float32x4_t acc[kRows][NT];
  for (int i = 0; i < kRows; ++i) {
    for (int t = 0; t < NT; ++t) acc[i][t] = vdupq_n_f32(0.0f);
  }
  const int64_t k4 = a.k / 4 * 4;
  for (int64_t c = 0; c < k4; c += 4) {
    float32x4_t wv[kRows];
    for (int i = 0; i < kRows; ++i) wv[i] = L::load4(w[i] + static_cast<size_t>(c) * L::kSize);
    for (int t = 0; t < NT; ++t) {
      const float32x4_t xv = vld1q_f32(x[t] + c);
      for (int i = 0; i < kRows; ++i) acc[i][t] = vfmaq_f32(acc[i][t], wv[i], xv);
    }
  }
  for (int t = 0; t < NT; ++t) {
    float* y = a.y + (t0 + t) * a.y_stride + r;
    for (int i = 0; i < nr; ++i) {
      float s = vaddvq_f32(acc[i][t]);
      for (int64_t c = k4; c < a.k; ++c) s += L::one(w[i] + static_cast<size_t>(c) * L::kSize) * x[t][c];
      y[i] = s;
    }
  }
}

template <class L>
void gemm(const GemmArgs& a) {
  for (int64_t r = a.r0; r < a.r1; r += kRows) {
    const int nr = static_cast<int>(std::min<int64_t>(kRows, a.r1 - r));
    int64_t t = 0;
    for (; t + 4 <= a.n_tok; t += 4) tile<L, 4>(a, r, nr, t);
    switch (a.n_tok - t) {
      case 3: tile<L, 3>(a, r, nr, t); break;
      case 2: tile<L, 2>(a, r, nr, t); break;
      case 1: tile<L, 1>(a, r, nr, t); break;
      default: break;
    }
  }
}

}  // namespace

void neon_gemm_f32(const GemmArgs& a) { gemm<LoadF32>(a); }
void neon_gemm_f16(const GemmArgs& a) { gemm<LoadF16>(a); }
void neon_gemm_bf16(const GemmArgs& a) { gemm<LoadBF16>(a); }

}  // namespace pocket::arm
