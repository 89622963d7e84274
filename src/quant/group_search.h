// Per-group scale search: quantizes one row of a group-wise type (kernels/ref/group_format.h),
// choosing each group's scale (and offset) among a few candidates around the round-to-nearest
// one, keeping the candidate with the smallest squared error, then refining it once by least
// squares on the chosen codes. With importance weights (E[x_i^2] of the layer's inputs, from
// calibration) the error is weighted per input channel, which is what the layer's output error
// depends on.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/ref/group_format.h"

namespace pocket::quant {

struct RowError {
  double err2 = 0.0;  // sum of squared (unweighted) errors
  double ref2 = 0.0;  // sum of squared values
};

// The scale (and offset) the search picks for one group of f.group values; weights: f.group
// non-negative importance weights (all 1 for plain squared error). d and m are f16-exact.
struct GroupScale {
  float d = 0.0f, m = 0.0f;
};
GroupScale choose_group_scale(const GroupFormat& f, const float* x, const float* weights);

// Candidates for a search that judges scales by another measure (GPTQ's loss): the choice of
// choose_group_scale first, then a wider grid of shrunk ranges (down to half of max|x|, for sym
// int4 from both ends of the code range). All f16-exact.
std::vector<GroupScale> group_scale_candidates(const GroupFormat& f, const float* x,
                                               const float* weights);

// Quantizes n values of x (n a multiple of f.group) into out (n / f.group blocks).
// importance: n non-negative weights, or null for plain squared error.
RowError quantize_row_searched(const GroupFormat& f, const float* x, const float* importance,
                               int64_t n, uint8_t* out);

}  // namespace pocket::quant

namespace pocket::quant {

// Any writable type: group-wise types through the search above, others (F32, F16, BF16, Q5_*)
// through kernels' quantize_row. Returns the error like quantize_row_searched.
RowError quantize_row_best(DType type, const float* x, const float* importance, int64_t n,
                           uint8_t* out);

}  // namespace pocket::quant
