// GPTQ (Frantar et al. 2022) on top of the group scale search: the columns of a row are
// quantized one at a time and each one's error is spread over the columns not yet quantized,
// in proportion to how the calibration inputs correlate (the inverse Hessian H^-1, H = X^T X).
// Rows are independent given the factor, so they run in parallel. A group's scale is chosen
// (with the same search as without GPTQ) when its first column is reached, from the values
// already corrected by the earlier columns.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/ref/group_format.h"
#include "quant/group_search.h"

namespace pocket::quant {

struct GptqFactor {
  // The upper Cholesky factor U of H^-1 (H^-1 = U^T U), k x k row-major, in processing order.
  std::vector<float> u;
  // Act-order: the columns in processing order (largest H diagonal first); empty: 0..k-1.
  // With an order, every group's scale is chosen up front from the original values ("static
  // groups"), since a group's columns are no longer processed together.
  std::vector<int32_t> order;
};

// From n sample rows of width k: H = X^T X / n, dampened by 1% of its mean diagonal (dead
// channels get the mean diagonal).
GptqFactor gptq_factor(const std::vector<float>& samples, int64_t n, int64_t k, bool act_order);

// Quantizes one row of k values with GPTQ updates. importance: k weights for the scale search
// (or null). Returns the error of the written values against x, like quantize_row_searched.
RowError quantize_row_gptq(const GroupFormat& f, const float* x, const float* importance,
                           const GptqFactor& factor, int64_t k, uint8_t* out);

}  // namespace pocket::quant
