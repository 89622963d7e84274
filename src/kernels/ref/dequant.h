// Scalar reference codecs for GGML's tensor types: dequantization to f32, the round-to-nearest
// quantizers of the legacy block types, f16/bf16 row conversion, and a block-by-block dot product.
// Written for clarity, not speed: they are the oracle the vectorized kernels are tested against.
//
// Every function takes n, the number of values of the row. n must be a whole number of blocks of
// the type (see dtype_info(type).block_elems), otherwise Error(kInvalidArgument). Quantized input
// may sit at any address (blocks are copied out with memcpy), so rows of mapped files are fine.
#pragma once

#include <cstdint>

#include "core/dtype.h"

namespace pocket {

// Dequantizes n values of `type` from src into dst. Supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1,
// Q5_0, Q5_1, Q4_K, Q5_K, Q6_K and our PQ*/PFP8 types (group_format.h); anything else throws
// Error(kUnsupported) naming the type.
void dequantize_row(DType type, const void* src, float* dst, int64_t n);

// Sum over i of value_i(row) * x[i], with the row dequantized one block at a time and the sum
// accumulated in f32 in index order. Same types and errors as dequantize_row.
float dot_row_f32(DType type, const void* row, const float* x, int64_t n);

// Round-to-nearest quantizers with GGML's reference conventions (same bytes as llama.cpp's
// reference quantizer), n a multiple of 32:
//   Q8_0: d = max|x| / 127, q = round(x / d)
//   Q4_0: d = m / -8 where m is the value of largest magnitude (sign kept), q = min(15, x/d + 8.5)
//   Q5_0: d = m / -16, q = min(31, x/d + 16.5)
//   Q4_1: d = (max - min) / 15, offset min, q = min(15, (x - min)/d + 0.5)
//   Q5_1: d = (max - min) / 31, offset min, q = min(31, (x - min)/d + 0.5)
// (the "+ 8.5" forms are truncated toward zero, i.e. rounded half up; d is stored as f16 but the
// quants are computed with the exact d, as GGML does).
void quantize_row_q8_0(const float* src, void* dst, int64_t n);
void quantize_row_q4_0(const float* src, void* dst, int64_t n);
void quantize_row_q4_1(const float* src, void* dst, int64_t n);
void quantize_row_q5_0(const float* src, void* dst, int64_t n);
void quantize_row_q5_1(const float* src, void* dst, int64_t n);

// Quantizes to any type that has a quantizer above or a PQ*/PFP8 type (quantize_row_group's
// round-to-nearest, group_format.h), or converts to F32/F16/BF16; other types
// throw Error(kUnsupported) naming the type.
void quantize_row(DType type, const float* src, void* dst, int64_t n);

// Row conversions between f32 and the 16-bit float types (round to nearest even on the way down).
void fp32_to_fp16_row(const float* src, uint16_t* dst, int64_t n);
void fp16_to_fp32_row(const uint16_t* src, float* dst, int64_t n);
void fp32_to_bf16_row(const float* src, uint16_t* dst, int64_t n);
void bf16_to_fp32_row(const uint16_t* src, float* dst, int64_t n);

}  // namespace pocket
