#include "kernels/act_quant.h"

#include <algorithm>
#include <cmath>

namespace pocket::ref {

void quantize_act_q8(const float* x, ActBlockQ8* out, int64_t k) {
  for (int64_t b = 0; b < k / kActBlock; ++b) {
    const float* xb = x + b * kActBlock;
    float amax = 0.0f;
    for (int i = 0; i < kActBlock; ++i) amax = std::max(amax, std::fabs(xb[i]));
    const float d = amax / 127.0f;
    const float inv = d != 0.0f ? 1.0f / d : 0.0f;
    int sum = 0;
    for (int i = 0; i < kActBlock; ++i) {
      const int q = static_cast<int>(std::nearbyint(xb[i] * inv));
      out[b].q[i] = static_cast<int8_t>(std::clamp(q, -127, 127));
      sum += out[b].q[i];
    }
    out[b].d = d;
    out[b].sum = d * static_cast<float>(sum);
    out[b].isum = sum;
  }
}

}  // namespace pocket::ref
