// The sampler's passes over a whole row of logits (152k floats for Qwen), written with GCC/Clang
// vector extensions so that they become SSE/NEON code without -ffast-math: compilers leave float
// max reductions and early-exit searches scalar otherwise, as they may not reorder them.
#pragma once

#include <cstddef>
#include <span>

namespace pocket::sampler_scan {

struct LogitScan {
  float max;     // -inf if every logit is -inf (or the row is empty)
  bool invalid;  // some logit is NaN or +inf
};

LogitScan scan_logits(std::span<const float> logits);

// Index of the first logit equal to value; logits.size() if there is none.
size_t find_first_equal(std::span<const float> logits, float value);

inline constexpr size_t kBlock = 16;
// Whether any of the kBlock logits at p is greater than threshold.
bool any_greater(const float* p, float threshold);

}  // namespace pocket::sampler_scan
