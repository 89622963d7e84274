// One 32-value block of 16 rows in the x16 layout (kernels/repack_x16.h), shared by the x16
// kernels of the group types and of Q4_K: decoding its codes into 8 "units" (4 values x 16 rows,
// one per dword lane) and their dot product with a token's 32 int8 activations.
// Include after kernels/x86/avx512_intrin.h.
// Included only by avx512_x16*.cpp files: everything is in an anonymous namespace, so no
// instantiation compiled for one ISA can stand in for another's at link time.
#pragma once

#include <cstdint>
#include <cstring>

#include "kernels/act_quant.h"
#include "kernels/x86/unroll.h"

namespace pocket::x86 {
namespace {  // each file its own copy, compiled with its own flags (see qgemm_tile.h)

inline __m512i broadcast4(const int8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return _mm512_set1_epi32(v);
}

// Unit m of a block (values 4m..4m+3 of 16 rows) from its 64-byte chunks: chunk m / 2's low
// (m even) or high (m odd) nibbles for 4-bit codes, chunk m for 8-bit ones.
template <int kBits>
inline void x16_units(const uint8_t* q, __m512i w[8]) {
  const __m512i low4 = _mm512_set1_epi8(0x0F);
  POCKET_UNROLL
  for (int c = 0; c < (kBits == 4 ? 4 : 8); ++c) {
    const __m512i v = _mm512_loadu_si512(q + 64 * c);
    if constexpr (kBits == 4) {
      w[2 * c] = _mm512_and_si512(v, low4);
      w[2 * c + 1] = _mm512_and_si512(_mm512_srli_epi16(v, 4), low4);
    } else {
      w[c] = v;
    }
  }
}

// start + the sum over the block of code * activation, per row (int32, exact). Two chains of 4
// vpdpbusd each, so one token's block does not wait on a single 8-long dependency chain.
inline __m512i x16_block_dot(const __m512i w[8], const int8_t* q, __m512i start) {
  __m512i even = start, odd = _mm512_setzero_si512();
  POCKET_UNROLL
  for (int m = 0; m < 8; m += 2) {
    even = _mm512_dpbusd_epi32(even, w[m], broadcast4(q + 4 * m));
    odd = _mm512_dpbusd_epi32(odd, w[m + 1], broadcast4(q + 4 * m + 4));
  }
  return _mm512_add_epi32(even, odd);
}

// The same for two 16-row groups (codes at q0 and q1) and T tokens (their blocks x[u]): each
// activation broadcast feeds both groups' vpdpbusd, so a 32-row tile needs half the broadcasts per
// product of a 16-row one (broadcast loads, not vpdpbusd, bound the 16-row tile: measured ~73% of
// the vpdpbusd rate on this Zen 5 with one broadcast per vpdpbusd, ~85% with one per two).
template <int kBits, int T>
inline void x16_pair_block_dot(const uint8_t* q0, const uint8_t* q1, const ActBlockQ8* const x[T],
                               int64_t b, __m512i s0[T], __m512i s1[T]) {
  const __m512i low4 = _mm512_set1_epi8(0x0F);
  POCKET_UNROLL
  for (int c = 0; c < (kBits == 4 ? 4 : 8); ++c) {
    const __m512i v0 = _mm512_loadu_si512(q0 + 64 * c);
    const __m512i v1 = _mm512_loadu_si512(q1 + 64 * c);
    if constexpr (kBits == 4) {  // units 2c (low nibbles) and 2c + 1 (high nibbles)
      const __m512i lo0 = _mm512_and_si512(v0, low4);
      const __m512i hi0 = _mm512_and_si512(_mm512_srli_epi16(v0, 4), low4);
      const __m512i lo1 = _mm512_and_si512(v1, low4);
      const __m512i hi1 = _mm512_and_si512(_mm512_srli_epi16(v1, 4), low4);
      POCKET_UNROLL
      for (int u = 0; u < T; ++u) {
        const __m512i a_lo = broadcast4(x[u][b].q + 8 * c);
        s0[u] = _mm512_dpbusd_epi32(s0[u], lo0, a_lo);
        s1[u] = _mm512_dpbusd_epi32(s1[u], lo1, a_lo);
        const __m512i a_hi = broadcast4(x[u][b].q + 8 * c + 4);
        s0[u] = _mm512_dpbusd_epi32(s0[u], hi0, a_hi);
        s1[u] = _mm512_dpbusd_epi32(s1[u], hi1, a_hi);
      }
    } else {  // unit c
      POCKET_UNROLL
      for (int u = 0; u < T; ++u) {
        const __m512i a = broadcast4(x[u][b].q + 4 * c);
        s0[u] = _mm512_dpbusd_epi32(s0[u], v0, a);
        s1[u] = _mm512_dpbusd_epi32(s1[u], v1, a);
      }
    }
  }
}

}  // namespace
}  // namespace pocket::x86
