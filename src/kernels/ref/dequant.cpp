// dequantize_row, dot_row_f32 and the 16-bit float row conversions: the dispatch over types; the
// block decoders live in dequant_legacy.cpp and dequant_kquants.cpp.
#include "kernels/ref/dequant.h"

#include <algorithm>
#include <cstring>

#include "core/half.h"
#include "kernels/ref/block_layouts.h"
#include "kernels/ref/dequant_blocks.h"
#include "kernels/ref/group_format.h"
#include "kernels/ref/row_checks.h"

namespace pocket {
namespace {

using BlockDecoder = void (*)(const uint8_t*, float*, int64_t);

struct Codec {
  int64_t block_elems;
  int64_t block_bytes;
  BlockDecoder decode;
};

void decode_f32(const uint8_t* src, float* dst, int64_t n) {
  std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));  // src may be unaligned
}

void decode_f16(const uint8_t* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    dst[i] = fp16_to_fp32(detail::load_unaligned<uint16_t>(src + 2 * i));
}

void decode_bf16(const uint8_t* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    dst[i] = bf16_to_fp32(detail::load_unaligned<uint16_t>(src + 2 * i));
}

// Our group-wise types share one decoder driven by their GroupFormat (group_format.h).
template <DType kType>
void decode_group_type(const uint8_t* src, float* dst, int64_t n_blocks) {
  static const GroupFormat format = *group_format(kType);
  dequantize_groups(format, src, dst, n_blocks);
}

template <DType kType>
Codec group_codec() {
  const GroupFormat f = *group_format(kType);
  return {f.group, f.block_bytes, decode_group_type<kType>};
}

// The decoder of each supported type; plain types count one value as a block.
Codec codec_for(DType type, const char* operation) {
  switch (type) {
    case DType::kF32:
      return {1, 4, decode_f32};
    case DType::kF16:
      return {1, 2, decode_f16};
    case DType::kBF16:
      return {1, 2, decode_bf16};
    case DType::kQ8_0:
      return {kLegacyBlock, sizeof(BlockQ8_0), detail::dequantize_q8_0};
    case DType::kQ4_0:
      return {kLegacyBlock, sizeof(BlockQ4_0), detail::dequantize_q4_0};
    case DType::kQ4_1:
      return {kLegacyBlock, sizeof(BlockQ4_1), detail::dequantize_q4_1};
    case DType::kQ5_0:
      return {kLegacyBlock, sizeof(BlockQ5_0), detail::dequantize_q5_0};
    case DType::kQ5_1:
      return {kLegacyBlock, sizeof(BlockQ5_1), detail::dequantize_q5_1};
    case DType::kQ4_K:
      return {kSuperBlock, sizeof(BlockQ4_K), detail::dequantize_q4_k};
    case DType::kQ5_K:
      return {kSuperBlock, sizeof(BlockQ5_K), detail::dequantize_q5_k};
    case DType::kQ6_K:
      return {kSuperBlock, sizeof(BlockQ6_K), detail::dequantize_q6_k};
    case DType::kPQ8_G64:
      return group_codec<DType::kPQ8_G64>();
    case DType::kPQ8_G128:
      return group_codec<DType::kPQ8_G128>();
    case DType::kPQ4_G64:
      return group_codec<DType::kPQ4_G64>();
    case DType::kPQ4_G128:
      return group_codec<DType::kPQ4_G128>();
    case DType::kPQ4A_G64:
      return group_codec<DType::kPQ4A_G64>();
    case DType::kPQ4A_G128:
      return group_codec<DType::kPQ4A_G128>();
    case DType::kPFP8_G128:
      return group_codec<DType::kPFP8_G128>();
    default:
      detail::fail_unsupported(type, operation);
  }
}

}  // namespace

void dequantize_row(DType type, const void* src, float* dst, int64_t n) {
  const Codec codec = codec_for(type, "dequantize_row");
  const int64_t n_blocks = detail::whole_blocks(type, n, codec.block_elems);
  codec.decode(static_cast<const uint8_t*>(src), dst, n_blocks);
}

float dot_row_f32(DType type, const void* row, const float* x, int64_t n) {
  const Codec codec = codec_for(type, "dot_row_f32");
  const int64_t n_blocks = detail::whole_blocks(type, n, codec.block_elems);
  // Decode a few blocks at a time into a small buffer rather than the whole row: this is what a
  // matrix-vector product does per row, and it keeps the buffer on the stack.
  constexpr int64_t kChunkValues = kSuperBlock;
  const int64_t blocks_per_chunk = std::max<int64_t>(1, kChunkValues / codec.block_elems);
  const auto* bytes = static_cast<const uint8_t*>(row);
  float values[kChunkValues];
  float sum = 0.0f;
  for (int64_t b = 0; b < n_blocks; b += blocks_per_chunk) {
    const int64_t chunk_blocks = std::min(blocks_per_chunk, n_blocks - b);
    codec.decode(bytes + b * codec.block_bytes, values, chunk_blocks);
    const float* xs = x + b * codec.block_elems;
    for (int64_t i = 0; i < chunk_blocks * codec.block_elems; ++i) sum += values[i] * xs[i];
  }
  return sum;
}

void fp32_to_fp16_row(const float* src, uint16_t* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = fp32_to_fp16(src[i]);
}

void fp16_to_fp32_row(const uint16_t* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = fp16_to_fp32(src[i]);
}

void fp32_to_bf16_row(const float* src, uint16_t* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = fp32_to_bf16(src[i]);
}

void bf16_to_fp32_row(const uint16_t* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = bf16_to_fp32(src[i]);
}

}  // namespace pocket
