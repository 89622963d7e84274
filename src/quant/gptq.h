// GPTQ (Frantar et al. 2022) on top of the group scale search: the columns of a row are
// quantized one at a time and each one's error is spread over the columns not yet quantized,
// in proportion to how the calibration inputs correlate (the inverse Hessian H^-1, H = X^T X).
// Rows are independent given the factor, so they run in parallel. A group's scale is chosen when
// its first column is reached, from the values already corrected by the earlier columns: among
// the scale search's choice and a grid of shrunk ranges (group_scale_candidates), the one with
// the smallest GPTQ loss over the group (each column's error spread over the group's later
// columns, sum of err^2 / U_ii^2). After the pass the group scales are re-fitted to the codes by
// least squares in the H norm, then GPTQ runs again with those scales fixed ("static groups")
// and is re-fitted again, while that lowers (x - q)^T H (x - q), up to 3 more passes.
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
  // The dampened Hessian H, k x k row-major, in the original column order: after a row is
  // quantized, its group scales (and offsets) are re-fitted to the chosen codes by least squares
  // in the H norm, (x - q)^T H (x - q), which is the layer's output error on the samples.
  std::vector<float> h;
};

// From n sample rows of width k: H = X^T X / n, dampened by 5% of its mean diagonal (dead
// channels get the mean diagonal).
GptqFactor gptq_factor(const std::vector<float>& samples, int64_t n, int64_t k, bool act_order);

// The factor for the same inputs divided per channel by s (AWQ multiplies the columns by s):
// H_s = D H D with D = diag(1/s), and the upper Cholesky factor of H_s^-1 is U diag(s), so no new
// factorization is needed. In-order factors only (an act-order factor's order depends on H_s).
GptqFactor scale_factor(const GptqFactor& base, const std::vector<float>& s);

// (x - q)^T H (x - q): the output error of a row's quantized values q on the calibration inputs.
double hessian_error(const GptqFactor& factor, const float* x, const float* q, int64_t k);

// Quantizes one row of k values with GPTQ updates. importance: k weights for the scale search
// (or null). Returns the error of the written values against x, like quantize_row_searched.
RowError quantize_row_gptq(const GroupFormat& f, const float* x, const float* importance,
                           const GptqFactor& factor, int64_t k, uint8_t* out);

}  // namespace pocket::quant
