// Internal to kernels/ref: the per-format decoders behind dequantize_row. Each one decodes
// n_blocks consecutive blocks from src (any alignment) into n_blocks * block_elems floats.
#pragma once

#include <cstdint>
#include <cstring>

namespace pocket::detail {

// Copies a block (or any trivially copyable value) out of possibly unaligned bytes.
template <typename T>
T load_unaligned(const uint8_t* p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

void dequantize_q8_0(const uint8_t* src, float* dst, int64_t n_blocks);
void dequantize_q4_0(const uint8_t* src, float* dst, int64_t n_blocks);
void dequantize_q4_1(const uint8_t* src, float* dst, int64_t n_blocks);
void dequantize_q5_0(const uint8_t* src, float* dst, int64_t n_blocks);
void dequantize_q5_1(const uint8_t* src, float* dst, int64_t n_blocks);
void dequantize_q4_k(const uint8_t* src, float* dst, int64_t n_blocks);
void dequantize_q5_k(const uint8_t* src, float* dst, int64_t n_blocks);
void dequantize_q6_k(const uint8_t* src, float* dst, int64_t n_blocks);

// The 6-bit scale and min of sub-block s (0..7) of a Q4_K/Q5_K block, from its 12 packed bytes.
struct ScaleMin {
  int scale;
  int min;
};
ScaleMin unpack_k_scale_min(const uint8_t* packed, int s);

}  // namespace pocket::detail
