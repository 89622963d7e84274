// Decoders of the 32-value block formats (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1); layouts in
// block_layouts.h.
#include "core/half.h"
#include "kernels/ref/block_layouts.h"
#include "kernels/ref/dequant_blocks.h"

namespace pocket::detail {
namespace {

// The 4 low bits of value j (0..31) of a block whose nibbles pair value j with value j + 16.
int low_nibble_of(const uint8_t* qs, int j) {
  return j < 16 ? qs[j] & 0x0f : qs[j - 16] >> 4;
}

// The fifth bit of value j, stored as bit j of a little-endian 32-bit word.
int fifth_bit_of(const uint8_t* qh, int j) {
  return (qh[j / 8] >> (j % 8)) & 1;
}

}  // namespace

void dequantize_q8_0(const uint8_t* src, float* dst, int64_t n_blocks) {
  for (int64_t b = 0; b < n_blocks; ++b, src += sizeof(BlockQ8_0), dst += kLegacyBlock) {
    const auto block = load_unaligned<BlockQ8_0>(src);
    const float d = fp16_to_fp32(block.d);
    for (int j = 0; j < kLegacyBlock; ++j) dst[j] = d * static_cast<float>(block.qs[j]);
  }
}

void dequantize_q4_0(const uint8_t* src, float* dst, int64_t n_blocks) {
  for (int64_t b = 0; b < n_blocks; ++b, src += sizeof(BlockQ4_0), dst += kLegacyBlock) {
    const auto block = load_unaligned<BlockQ4_0>(src);
    const float d = fp16_to_fp32(block.d);
    for (int j = 0; j < kLegacyBlock; ++j) {
      dst[j] = d * static_cast<float>(low_nibble_of(block.qs, j) - 8);
    }
  }
}

void dequantize_q4_1(const uint8_t* src, float* dst, int64_t n_blocks) {
  for (int64_t b = 0; b < n_blocks; ++b, src += sizeof(BlockQ4_1), dst += kLegacyBlock) {
    const auto block = load_unaligned<BlockQ4_1>(src);
    const float d = fp16_to_fp32(block.d);
    const float m = fp16_to_fp32(block.m);
    for (int j = 0; j < kLegacyBlock; ++j) {
      dst[j] = d * static_cast<float>(low_nibble_of(block.qs, j)) + m;
    }
  }
}

void dequantize_q5_0(const uint8_t* src, float* dst, int64_t n_blocks) {
  for (int64_t b = 0; b < n_blocks; ++b, src += sizeof(BlockQ5_0), dst += kLegacyBlock) {
    const auto block = load_unaligned<BlockQ5_0>(src);
    const float d = fp16_to_fp32(block.d);
    for (int j = 0; j < kLegacyBlock; ++j) {
      const int q = low_nibble_of(block.qs, j) | (fifth_bit_of(block.qh, j) << 4);
      dst[j] = d * static_cast<float>(q - 16);
    }
  }
}

void dequantize_q5_1(const uint8_t* src, float* dst, int64_t n_blocks) {
  for (int64_t b = 0; b < n_blocks; ++b, src += sizeof(BlockQ5_1), dst += kLegacyBlock) {
    const auto block = load_unaligned<BlockQ5_1>(src);
    const float d = fp16_to_fp32(block.d);
    const float m = fp16_to_fp32(block.m);
    for (int j = 0; j < kLegacyBlock; ++j) {
      const int q = low_nibble_of(block.qs, j) | (fifth_bit_of(block.qh, j) << 4);
      dst[j] = d * static_cast<float>(q) + m;
    }
  }
}

}  // namespace pocket::detail
