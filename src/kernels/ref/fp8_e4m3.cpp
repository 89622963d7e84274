#include "kernels/ref/fp8_e4m3.h"

#include <array>
#include <cmath>
#include <limits>

namespace pocket {
namespace {

float decode(uint8_t code) {
  const int exp = (code >> 3) & 0x0f;
  const int man = code & 0x07;
  float mag;
  if (exp == 0x0f && man == 0x07) {
    mag = std::numeric_limits<float>::quiet_NaN();
  } else if (exp == 0) {
    mag = std::ldexp(static_cast<float>(man), -9);  // subnormal: man/8 * 2^-6
  } else {
    mag = std::ldexp(1.0f + static_cast<float>(man) / 8.0f, exp - 7);
  }
  return (code & 0x80) ? -mag : mag;
}

const std::array<float, 256>& table() {
  static const std::array<float, 256> t = [] {
    std::array<float, 256> v{};
    for (int c = 0; c < 256; ++c) v[static_cast<size_t>(c)] = decode(static_cast<uint8_t>(c));
    return v;
  }();
  return t;
}

}  // namespace

float e4m3_to_f32(uint8_t code) {
  return table()[code];
}

uint8_t f32_to_e4m3(float x) {
  if (std::isnan(x)) return 0;
  const uint8_t sign = std::signbit(x) ? 0x80 : 0x00;
  const float a = std::fabs(x);
  if (a >= kE4M3Max) return sign | 0x7e;
  int code;
  if (a < 0.015625f) {
    // Subnormal range (below 2^-6): steps of 2^-9; a result of 8 is the smallest normal, which
    // is the next code, so no special case is needed.
    code = static_cast<int>(std::nearbyint(a * 512.0f));
  } else {
    int e2;
    const float frac = std::frexp(a, &e2);  // a = frac * 2^e2, frac in [0.5, 1)
    const int exp = e2 - 1 + 7;             // biased exponent of 1.m form
    const int man = static_cast<int>(std::nearbyint((frac * 2.0f - 1.0f) * 8.0f));
    code = (exp << 3) + man;  // man == 8 carries into the exponent, which is the right code
  }
  if (code > 0x7e) code = 0x7e;
  return static_cast<uint8_t>(sign | code);
}

}  // namespace pocket
