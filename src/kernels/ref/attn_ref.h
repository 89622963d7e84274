// Scalar attention primitives over KV cache rows (f32, f16, q8), the oracle for the per-ISA
// versions, and the conversions that write a row into the cache.
#pragma once

#include <cstdint>

#include "kernels/gemm.h"

namespace pocket::ref {

void attn_dot_f32(const KvRows& rows, const float* q, float* out);
void attn_dot_f16(const KvRows& rows, const float* q, float* out);
void attn_dot_q8(const KvRows& rows, const float* q, float* out);
void attn_axpy_f32(const KvRows& rows, const float* w, float* acc);
void attn_axpy_f16(const KvRows& rows, const float* w, float* acc);
void attn_axpy_q8(const KvRows& rows, const float* w, float* acc);

// One head vector of n values to int8: per block of kv_q8_block(n) values, scale = max|x| / 127
// and q = round(x / scale) (round half away from zero); an all-zero block has scale 0.
void quantize_kv_q8(const float* x, int8_t* q, float* scales, int64_t n);

// Row i of `rows` back to f32 (tests, debugging).
void kv_row_to_f32(KvType type, const KvRows& rows, int64_t i, float* out);

}  // namespace pocket::ref
