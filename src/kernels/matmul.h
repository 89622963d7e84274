// Matrix products of weight tensors (any type with a kernel) with f32 activations.
#pragma once

#include <cstdint>
#include <span>

#include "core/tensor.h"
#include "core/thread_pool.h"

namespace pocket {

// One product of a shared input: y[t][r] = dot(W row r, x[t]), y rows y_stride floats apart.
struct MatmulOutput {
  const TensorView* w = nullptr;
  float* y = nullptr;
  int64_t y_stride = 0;
};

// Several products of the same input x (n_tokens rows of W.ne[0] floats, x_stride apart), e.g.
// the Q, K and V projections: the activations are quantized once, and the rows of all the
// weights are split across the pool in one job (one wake-up instead of one per weight).
void matmul_many(std::span<const MatmulOutput> outputs, const float* x, int64_t x_stride,
                 int64_t n_tokens, ThreadPool& pool);

// y[t][r] = dot(W row r, x[t]) for t < n_tokens, r < W.ne[1].
void matmul(const TensorView& w, const float* x, int64_t x_stride, int64_t n_tokens, float* y,
            int64_t y_stride, ThreadPool& pool);

// Copies row `row` of w into out as f32 (embedding lookup).
void get_row_f32(const TensorView& w, int64_t row, float* out);

}  // namespace pocket
