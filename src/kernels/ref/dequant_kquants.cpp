// Decoders of the 256-value super-block formats (Q4_K, Q5_K, Q6_K); layouts in block_layouts.h.
// Each decoder walks the values in order and asks where each one's bits live, which is slower
// than walking the bytes but reads like the format description.
#include "core/half.h"
#include "kernels/ref/block_layouts.h"
#include "kernels/ref/dequant_blocks.h"

namespace pocket::detail {

// Sub-blocks 0..3 keep their scale and min in the low 6 bits of bytes s and s + 4; sub-blocks
// 4..7 split theirs into a low nibble in byte s + 4 and two high bits in the top of bytes s - 4
// and s.
ScaleMin unpack_k_scale_min(const uint8_t* packed, int s) {
  if (s < 4) return {packed[s] & 63, packed[s + 4] & 63};
  const int scale = (packed[s + 4] & 0x0f) | ((packed[s - 4] >> 6) << 4);
  const int min = (packed[s + 4] >> 4) | ((packed[s] >> 6) << 4);
  return {scale, min};
}

namespace {

// The 4 low bits of value i (0..255) of a Q4_K/Q5_K block: chunk i / 64 of 32 bytes, low nibbles
// for the first 32 values of the chunk, high nibbles for the next 32.
int k_low_nibble(const uint8_t* qs, int i) {
  const uint8_t byte = qs[32 * (i / 64) + i % 32];
  return (i % 64) < 32 ? byte & 0x0f : byte >> 4;
}

// Sub-block s of Q4_K/Q5_K: (d * scale) * q - dmin * min, in the order llama.cpp evaluates it
// so that our floats are bit-identical to its own.
void decode_k_sub_blocks(float d, float dmin, const uint8_t* packed_scales, const int* q,
                         float* dst) {
  for (int s = 0; s < 8; ++s) {
    const ScaleMin sm = unpack_k_scale_min(packed_scales, s);
    const float step = d * static_cast<float>(sm.scale);
    const float offset = dmin * static_cast<float>(sm.min);
    for (int l = 0; l < 32; ++l) {
      dst[32 * s + l] = step * static_cast<float>(q[32 * s + l]) - offset;
    }
  }
}

}  // namespace

void dequantize_q4_k(const uint8_t* src, float* dst, int64_t n_blocks) {
  for (int64_t b = 0; b < n_blocks; ++b, src += sizeof(BlockQ4_K), dst += kSuperBlock) {
    const auto block = load_unaligned<BlockQ4_K>(src);
    int q[kSuperBlock];
    for (int i = 0; i < kSuperBlock; ++i) q[i] = k_low_nibble(block.qs, i);
    decode_k_sub_blocks(fp16_to_fp32(block.d), fp16_to_fp32(block.dmin), block.scales, q, dst);
  }
}

void dequantize_q5_k(const uint8_t* src, float* dst, int64_t n_blocks) {
  for (int64_t b = 0; b < n_blocks; ++b, src += sizeof(BlockQ5_K), dst += kSuperBlock) {
    const auto block = load_unaligned<BlockQ5_K>(src);
    int q[kSuperBlock];
    for (int i = 0; i < kSuperBlock; ++i) {
      const int sub_block = i / 32;
      const int high_bit = (block.qh[i % 32] >> sub_block) & 1;
      q[i] = k_low_nibble(block.qs, i) | (high_bit << 4);
    }
    decode_k_sub_blocks(fp16_to_fp32(block.d), fp16_to_fp32(block.dmin), block.scales, q, dst);
  }
}

void dequantize_q6_k(const uint8_t* src, float* dst, int64_t n_blocks) {
  for (int64_t b = 0; b < n_blocks; ++b, src += sizeof(BlockQ6_K), dst += kSuperBlock) {
    const auto block = load_unaligned<BlockQ6_K>(src);
    const float d = fp16_to_fp32(block.d);
    for (int i = 0; i < kSuperBlock; ++i) {
      const int half = i / 128;
      const int k = (i % 128) / 32;  // which quarter of the half
      const int l = i % 32;
      const uint8_t low_byte = block.ql[64 * half + l + 32 * (k % 2)];
      const int low = k < 2 ? low_byte & 0x0f : low_byte >> 4;
      const int high = (block.qh[32 * half + l] >> (2 * k)) & 3;
      const int scale = block.scales[8 * half + l / 16 + 2 * k];
      dst[i] = d * static_cast<float>(scale) * static_cast<float>((low | (high << 4)) - 32);
    }
  }
}

}  // namespace pocket::detail
