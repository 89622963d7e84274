// Matrix products of a weight tensor (any dequantizable type) with f32 activations.
#pragma once

#include <cstdint>

#include "core/tensor.h"
#include "core/thread_pool.h"

namespace pocket {

// y[t][r] = dot(W row r, x[t]) for t < n_tokens, r < W.ne[1]. x rows have W.ne[0] floats (stride
// x_stride), y rows have W.ne[1] floats (stride y_stride). Rows are split across the pool.
void matmul(const TensorView& w, const float* x, int64_t x_stride, int64_t n_tokens, float* y,
            int64_t y_stride, ThreadPool& pool);

// Copies row `row` of w into out as f32 (embedding lookup).
void get_row_f32(const TensorView& w, int64_t row, float* out);

}  // namespace pocket
