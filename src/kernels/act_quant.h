// Activations quantized per token at run time ("dynamic quantization"): each block of 32 values
// of a token's row gets its own scale, so an outlier only coarsens its own block and nothing can
// overflow. Integer weight formats are multiplied against this with int8 dot products.
#pragma once

#include <cstdint>

namespace pocket {

inline constexpr int kActBlock = 32;

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
}  // namespace ref

}  // namespace pocket
