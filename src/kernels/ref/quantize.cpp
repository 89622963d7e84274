// Reference quantizers of the 32-value block formats, following GGML's round-to-nearest rules so
// that a row quantized here has the same bytes as one quantized by llama.cpp's reference code.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/error.h"
#include "core/half.h"
#include "kernels/ref/block_layouts.h"
#include "kernels/ref/dequant.h"
#include "kernels/ref/group_format.h"
#include "kernels/ref/row_checks.h"

namespace pocket {
namespace {

// GGML turns "v + 0.5" style values into integers by truncation; clamping first (in float) keeps
// the result in range and makes NaN/inf inputs harmless instead of undefined behaviour.
int truncate_clamped(float v, int lo, int hi) {
  if (!(v > static_cast<float>(lo))) return lo;  // also catches NaN
  if (v > static_cast<float>(hi)) return hi;
  return static_cast<int>(v);
}

// The value of largest magnitude, sign kept; the first one wins a tie, as in GGML.
float signed_absmax(const float* x) {
  float best_abs = 0.0f;
  float best = 0.0f;
  for (int j = 0; j < kLegacyBlock; ++j) {
    if (best_abs < std::fabs(x[j])) {
      best_abs = std::fabs(x[j]);
      best = x[j];
    }
  }
  return best;
}

float inverse_or_zero(float d) {
  return d != 0.0f ? 1.0f / d : 0.0f;
}

// Packs 32 quants of 4 bits (value j low nibble, value j + 16 high nibble) and, for 5-bit quants,
// their fifth bits into the 32-bit word qh (bit j for value j).
void pack_nibbles(const int* q, uint8_t* qs) {
  for (int j = 0; j < 16; ++j)
    qs[j] = static_cast<uint8_t>((q[j] & 0x0f) | ((q[j + 16] & 0x0f) << 4));
}

void pack_fifth_bits(const int* q, uint8_t* qh) {
  uint32_t bits = 0;
  for (int j = 0; j < kLegacyBlock; ++j) bits |= static_cast<uint32_t>((q[j] >> 4) & 1) << j;
  std::memcpy(qh, &bits, sizeof(bits));  // little-endian host (block_layouts.h)
}

// Symmetric types (Q4_0, Q5_0): d = m / -(2^(bits-1)) so that the largest-magnitude value lands
// exactly on the most negative quant, which has no positive twin.
template <typename Block>
Block quantize_symmetric(const float* x, int levels) {
  const int half = levels / 2;
  const float d = signed_absmax(x) / static_cast<float>(-half);
  const float id = inverse_or_zero(d);
  int q[kLegacyBlock];
  for (int j = 0; j < kLegacyBlock; ++j) {
    q[j] = truncate_clamped(x[j] * id + (static_cast<float>(half) + 0.5f), 0, levels - 1);
  }
  Block block{};
  block.d = fp32_to_fp16(d);
  pack_nibbles(q, block.qs);
  if constexpr (requires { block.qh; }) pack_fifth_bits(q, block.qh);
  return block;
}

// Asymmetric types (Q4_1, Q5_1): the block's min is the offset and the range is split evenly.
template <typename Block>
Block quantize_with_offset(const float* x, int levels) {
  const float lo = *std::min_element(x, x + kLegacyBlock);
  const float hi = *std::max_element(x, x + kLegacyBlock);
  const float d = (hi - lo) / static_cast<float>(levels - 1);
  const float id = inverse_or_zero(d);
  int q[kLegacyBlock];
  for (int j = 0; j < kLegacyBlock; ++j)
    q[j] = truncate_clamped((x[j] - lo) * id + 0.5f, 0, levels - 1);
  Block block{};
  block.d = fp32_to_fp16(d);
  block.m = fp32_to_fp16(lo);
  pack_nibbles(q, block.qs);
  if constexpr (requires { block.qh; }) pack_fifth_bits(q, block.qh);
  return block;
}

template <typename Block, typename QuantizeBlock>
void quantize_blocks(DType type, const float* src, void* dst, int64_t n, QuantizeBlock quantize) {
  const int64_t n_blocks = detail::whole_blocks(type, n, kLegacyBlock);
  auto* out = static_cast<uint8_t*>(dst);
  for (int64_t b = 0; b < n_blocks; ++b) {
    const Block block = quantize(src + b * kLegacyBlock);
    std::memcpy(out + b * static_cast<int64_t>(sizeof(Block)), &block, sizeof(Block));
  }
}

BlockQ8_0 quantize_block_q8_0(const float* x) {
  float amax = 0.0f;
  for (int j = 0; j < kLegacyBlock; ++j) amax = std::max(amax, std::fabs(x[j]));
  const float d = amax / 127.0f;
  const float id = inverse_or_zero(d);
  BlockQ8_0 block{};
  block.d = fp32_to_fp16(d);
  for (int j = 0; j < kLegacyBlock; ++j) {
    const float r = std::round(x[j] * id);  // half away from zero, like roundf in GGML
    block.qs[j] = static_cast<int8_t>(std::isnan(r) ? 0 : std::clamp(r, -127.0f, 127.0f));
  }
  return block;
}

}  // namespace

void quantize_row_q8_0(const float* src, void* dst, int64_t n) {
  quantize_blocks<BlockQ8_0>(DType::kQ8_0, src, dst, n, quantize_block_q8_0);
}

void quantize_row_q4_0(const float* src, void* dst, int64_t n) {
  quantize_blocks<BlockQ4_0>(DType::kQ4_0, src, dst, n,
                             [](const float* x) { return quantize_symmetric<BlockQ4_0>(x, 16); });
}

void quantize_row_q5_0(const float* src, void* dst, int64_t n) {
  quantize_blocks<BlockQ5_0>(DType::kQ5_0, src, dst, n,
                             [](const float* x) { return quantize_symmetric<BlockQ5_0>(x, 32); });
}

void quantize_row_q4_1(const float* src, void* dst, int64_t n) {
  quantize_blocks<BlockQ4_1>(DType::kQ4_1, src, dst, n,
                             [](const float* x) { return quantize_with_offset<BlockQ4_1>(x, 16); });
}

void quantize_row_q5_1(const float* src, void* dst, int64_t n) {
  quantize_blocks<BlockQ5_1>(DType::kQ5_1, src, dst, n,
                             [](const float* x) { return quantize_with_offset<BlockQ5_1>(x, 32); });
}

void quantize_row(DType type, const float* src, void* dst, int64_t n) {
  POCKET_CHECK(n >= 0, ErrorCode::kInvalidArgument, "negative row length ", n);
  auto* out = static_cast<uint8_t*>(dst);
  switch (type) {
    case DType::kF32:
      std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
      return;
    case DType::kF16:
    case DType::kBF16:
      for (int64_t i = 0; i < n; ++i) {
        const uint16_t h = type == DType::kF16 ? fp32_to_fp16(src[i]) : fp32_to_bf16(src[i]);
        std::memcpy(out + 2 * i, &h, sizeof(h));  // dst may be unaligned
      }
      return;
    case DType::kQ8_0:
      return quantize_row_q8_0(src, dst, n);
    case DType::kQ4_0:
      return quantize_row_q4_0(src, dst, n);
    case DType::kQ4_1:
      return quantize_row_q4_1(src, dst, n);
    case DType::kQ5_0:
      return quantize_row_q5_0(src, dst, n);
    case DType::kQ5_1:
      return quantize_row_q5_1(src, dst, n);
    case DType::kPQ8_G64:
    case DType::kPQ8_G128:
    case DType::kPQ4_G64:
    case DType::kPQ4_G128:
    case DType::kPQ4A_G64:
    case DType::kPQ4A_G128:
    case DType::kPFP8_G128:
      return quantize_row_group(type, *group_format(type), src, dst, n);
    default:
      detail::fail_unsupported(type, "quantize_row");
  }
}

}  // namespace pocket
