#include "runtime/sampler_scan.h"

#include <cstring>
#include <limits>

namespace pocket::sampler_scan {
namespace {

using F4 = float __attribute__((vector_size(16)));
using I4 = int __attribute__((vector_size(16)));

F4 load(const float* p) {
  F4 v;
  std::memcpy(&v, p, sizeof v);  // no alignment assumed
  return v;
}

F4 splat(float x) {
  return F4{x, x, x, x};
}

bool any_lane(I4 mask) {
  return (mask[0] | mask[1] | mask[2] | mask[3]) != 0;
}

}  // namespace

LogitScan scan_logits(std::span<const float> logits) {
  constexpr float kNegInf = -std::numeric_limits<float>::infinity();
  const float* p = logits.data();
  const size_t n = logits.size();
  // Two accumulators of four lanes: independent chains keep the pipeline busy. NaN never wins
  // a `>` comparison, so it is tracked apart; +inf shows up as the maximum.
  F4 max0 = splat(kNegInf), max1 = max0;
  I4 nan0 = I4{0, 0, 0, 0}, nan1 = nan0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const F4 a = load(p + i);
    const F4 b = load(p + i + 4);
    max0 = a > max0 ? a : max0;
    max1 = b > max1 ? b : max1;
    nan0 |= a != a;
    nan1 |= b != b;
  }
  float max = kNegInf;
  bool nan = any_lane(nan0 | nan1);
  for (int j = 0; j < 4; ++j) {
    max = max0[j] > max ? max0[j] : max;
    max = max1[j] > max ? max1[j] : max;
  }
  for (; i < n; ++i) {
    max = p[i] > max ? p[i] : max;
    nan = nan || p[i] != p[i];
  }
  return {max, nan || max == std::numeric_limits<float>::infinity()};
}

size_t find_first_equal(std::span<const float> logits, float value) {
  const float* p = logits.data();
  const size_t n = logits.size();
  const F4 v = splat(value);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    if (any_lane((load(p + i) == v) | (load(p + i + 4) == v))) break;
  }
  for (; i < n; ++i) {
    if (p[i] == value) return i;
  }
  return n;
}

bool any_greater(const float* p, float threshold) {
  static_assert(kBlock == 16);
  const F4 t = splat(threshold);
  return any_lane((load(p) > t) | (load(p + 4) > t) | (load(p + 8) > t) | (load(p + 12) > t));
}

}  // namespace pocket::sampler_scan
