// Activations quantized per token at run time ("dynamic quantization"): each block of 32 values
// of a token's row gets its own scale, so an outlier only coarsens its own block and nothing can
// overflow. Integer weight formats are multiplied against this with int8 dot products.
//
// The group-128 weight kernels of AVX-512 ask for the same blocks with one scale per 128 values
// (kActSpan128 blocks share d): their int32 sums then run over a whole weight group and are
// converted and scaled once per group instead of once per block (the conversion and the scaling
// share the vector pipes with vpdpbusd). Every field stays valid per block, so any kernel reads
// such rows correctly; only the rounding of the values differs (docs/QUANTIZATION.md has its cost).
#pragma once

#include <cstdint>

namespace pocket {

inline constexpr int kActBlock = 32;
inline constexpr int kActSpan128 = 128 / kActBlock;  // blocks that share one scale (group 128)

struct ActBlockQ8 {
  float d;       // scale: x ~= d * q
  float sum;     // d * sum(q): lets asymmetric weight formats add their offsets in one step
  int32_t isum;  // sum(q): lets kernels with a zero point remove it in int32, exactly
  int8_t q[kActBlock];
};
static_assert(sizeof(ActBlockQ8) == 44);

// Bytes of one quantized row of k values (k a multiple of 32).
inline int64_t act_q8_row_bytes(int64_t k) {
  return k / kActBlock * static_cast<int64_t>(sizeof(ActBlockQ8));
}

namespace ref {
// Round-to-nearest with d = max|x| / 127 per block (the reference every ISA must match exactly).
void quantize_act_q8(const float* x, ActBlockQ8* out, int64_t k);
// The same with d = max|x| / 127 per 128 values, written to each of their 4 blocks (k a multiple
// of 128).
void quantize_act_q8_g128(const float* x, ActBlockQ8* out, int64_t k);
}  // namespace ref

}  // namespace pocket
