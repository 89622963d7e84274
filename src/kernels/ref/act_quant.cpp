#include "kernels/act_quant.h"

#include <algorithm>
#include <cmath>

namespace pocket::ref {

namespace {

// Blocks of 32 values whose scale is set by max |x| over `span` of them (1 or kActSpan128).
void quantize_spans(const float* x, ActBlockQ8* out, int64_t k, int span) {
  const int64_t values = int64_t{span} * kActBlock;
  for (int64_t s = 0; s < k / values; ++s) {
    const float* xs = x + s * values;
    float amax = 0.0f;
    for (int64_t i = 0; i < values; ++i) amax = std::max(amax, std::fabs(xs[i]));
    const float d = amax / 127.0f;
    const float inv = d != 0.0f ? 1.0f / d : 0.0f;
    for (int j = 0; j < span; ++j) {
      ActBlockQ8& b = out[s * span + j];
      const float* xb = xs + j * kActBlock;
      int sum = 0;
      for (int i = 0; i < kActBlock; ++i) {
        const int q = static_cast<int>(std::nearbyint(xb[i] * inv));
        b.q[i] = static_cast<int8_t>(std::clamp(q, -127, 127));
        sum += b.q[i];
      }
      b.d = d;
      b.sum = d * static_cast<float>(sum);
      b.isum = sum;
    }
  }
}

}  // namespace

void quantize_act_q8(const float* x, ActBlockQ8* out, int64_t k) {
  quantize_spans(x, out, k, 1);
}

void quantize_act_q8_g128(const float* x, ActBlockQ8* out, int64_t k) {
  quantize_spans(x, out, k, kActSpan128);
}

}  // namespace pocket::ref
