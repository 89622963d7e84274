#include "kernels/ref/ops.h"

#include <algorithm>
#include <cmath>

namespace pocket::ref {

void rms_norm(const float* x, const float* weight, float* y, int64_t n, float eps) {
  double sum_sq = 0.0;  // double: the sum of squares of 4k-wide rows loses bits in float
  for (int64_t i = 0; i < n; ++i) sum_sq += static_cast<double>(x[i]) * x[i];
  const float scale = static_cast<float>(1.0 / std::sqrt(sum_sq / static_cast<double>(n) + eps));
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] * scale * weight[i];
}

void rope(float* head, int64_t head_dim, int64_t pos, std::span<const float> inv_freq,
          RopeStyle style) {
  const int64_t half = head_dim / 2;
  for (int64_t i = 0; i < half; ++i) {
    const double angle = static_cast<double>(pos) * static_cast<double>(inv_freq[i]);
    const float c = static_cast<float>(std::cos(angle));
    const float s = static_cast<float>(std::sin(angle));
    const int64_t a = style == RopeStyle::kInterleaved ? 2 * i : i;
    const int64_t b = style == RopeStyle::kInterleaved ? 2 * i + 1 : i + half;
    const float x0 = head[a];
    const float x1 = head[b];
    head[a] = x0 * c - x1 * s;
    head[b] = x0 * s + x1 * c;
  }
}

void rope_table(float* head, int64_t head_dim, const float* cos, const float* sin,
                RopeStyle style) {
  const int64_t half = head_dim / 2;
  if (style == RopeStyle::kHalf) {  // unit stride: vectorizes
    for (int64_t i = 0; i < half; ++i) {
      const float x0 = head[i], x1 = head[i + half];
      head[i] = x0 * cos[i] - x1 * sin[i];
      head[i + half] = x0 * sin[i] + x1 * cos[i];
    }
    return;
  }
  for (int64_t i = 0; i < half; ++i) {
    const float x0 = head[2 * i], x1 = head[2 * i + 1];
    head[2 * i] = x0 * cos[i] - x1 * sin[i];
    head[2 * i + 1] = x0 * sin[i] + x1 * cos[i];
  }
}

void softmax(float* x, int64_t n) {
  if (n <= 0) return;
  const float max = *std::max_element(x, x + n);
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    x[i] = std::exp(x[i] - max);
    sum += x[i];
  }
  const float inv = static_cast<float>(1.0 / sum);
  for (int64_t i = 0; i < n; ++i) x[i] *= inv;
}

void silu_mul(const float* gate, const float* up, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float g = gate[i];
    out[i] = g / (1.0f + std::exp(-g)) * up[i];
  }
}

void exp_sub(const float* in, float sub, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = std::exp(in[i] - sub);
}

// exp(x) = 2^(x log2 e) = 2^n 2^f with n the nearest integer and |f| <= 1/2; 2^f from a degree-3
// minimax polynomial (relative error 7.5e-5 on [-1/2, 1/2], against ~1e-7 for the degree-6 Cephes
// polynomial of the accurate kernels, in half the operations). x is clamped to [ln FLT_MIN, 88]
// so 2^n stays a normal float (n in [-126, 127]); below the range the result is 0, above it
// exp_fast(88). f is an explicit fma (one rounding) so no compiler contracts it differently: the
// vector kernels do these same float operations in the same order and match this to the bit.
float exp_fast(float x) {
  constexpr float kLo = -87.3365478515625f, kHi = 88.0f;
  if (!(x >= kLo)) return 0.0f;  // -inf included
  x = std::min(x, kHi);
  const float n = std::nearbyint(x * 1.44269504088896341f);
  const float f = std::fma(x, 1.44269504088896341f, -n);
  float p = std::fma(5.5171669e-2f, f, 2.4261112e-1f);
  p = std::fma(p, f, 6.9326099e-1f);
  p = std::fma(p, f, 9.9992807e-1f);
  return std::ldexp(p, static_cast<int>(n));
}

void exp_sub_fast(const float* in, float sub, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = exp_fast(in[i] - sub);
}

void silu_mul_fast(const float* gate, const float* up, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float g = gate[i];
    out[i] = g / (1.0f + exp_fast(-g)) * up[i];
  }
}

void add_inplace(float* y, const float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] += x[i];
}

float dot_f32(const float* a, const float* b, int64_t n) {
  float sum = 0.0f;
  for (int64_t i = 0; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

}  // namespace pocket::ref
