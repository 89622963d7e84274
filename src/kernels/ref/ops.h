// Scalar reference implementations of the non-matmul operations of a transformer layer.
// They are written for clarity and serve as the oracle for the vectorized kernels.
#pragma once

#include <cstdint>
#include <span>

namespace pocket::ref {

// y = x / sqrt(mean(x^2) + eps) * weight
void rms_norm(const float* x, const float* weight, float* y, int64_t n, float eps);

enum class RopeStyle {
  kInterleaved,  // rotates pairs (x[2i], x[2i+1]): llama.cpp's "norm" mode, GGUF llama files
  kHalf,         // rotates pairs (x[i], x[i + d/2]): Hugging Face / GPT-NeoX "rotate_half"
};

// Rotates one head vector of head_dim values in place for position pos. inv_freq has head_dim/2
// entries (the angle of pair i is pos * inv_freq[i]).
void rope(float* head, int64_t head_dim, int64_t pos, std::span<const float> inv_freq,
          RopeStyle style);

// rope() with the angles' cos and sin given (head_dim / 2 of each), as a table per position.
void rope_table(float* head, int64_t head_dim, const float* cos, const float* sin, RopeStyle style);

// In-place softmax over n values (max subtracted first for stability).
void softmax(float* x, int64_t n);

// out[i] = silu(gate[i]) * up[i]
void silu_mul(const float* gate, const float* up, float* out, int64_t n);

// out[i] = exp(in[i] - sub) with std::exp (the oracle of KernelSet::exp).
void exp_sub(const float* in, float sub, float* out, int64_t n);

// The fast-math exp, defined here so every ISA computes the same values (see ops.cpp).
float exp_fast(float x);
// out[i] = exp_fast(in[i] - sub)
void exp_sub_fast(const float* in, float sub, float* out, int64_t n);
// out[i] = gate[i] / (1 + exp_fast(-gate[i])) * up[i]
void silu_mul_fast(const float* gate, const float* up, float* out, int64_t n);

// y[i] += x[i]
void add_inplace(float* y, const float* x, int64_t n);

float dot_f32(const float* a, const float* b, int64_t n);

}  // namespace pocket::ref
