// FP8 E4M3 as the OCP 8-bit floating point spec defines it: 1 sign bit, 4 exponent bits with bias
// 7, 3 mantissa bits; no infinities, 0x7f / 0xff are NaN, the largest finite value is 448.
// Codes 0x00..0x7e are monotonic in value, which the encoder relies on.
#pragma once

#include <cstdint>

namespace pocket {

inline constexpr float kE4M3Max = 448.0f;

// The value of a code (NaN for 0x7f / 0xff).
float e4m3_to_f32(uint8_t code);

// The nearest code (ties to even mantissa), saturating at +-448; never returns a NaN code (NaN in
// gives +0, so a corrupt input cannot poison a whole group).
uint8_t f32_to_e4m3(float x);

}  // namespace pocket
