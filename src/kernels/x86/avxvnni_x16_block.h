// One 32-value block of 16 rows in the x16 layout (kernels/repack_x16.h) against T tokens, for
// AVX2 CPUs with AVX-VNNI: the contract of avx2_x16_block.h with vpdpbusd (u8 code x s8
// activation, four products added straight into an int32 lane) in place of vpmaddubsw +
// vpmaddwd: half the instructions per product, and 8-bit codes need no split into nibbles. A
// 64-byte chunk of the layout is two 256-bit halves, rows 0-7 and rows 8-15.
// Compiled with -mavx2 -mfma -mf16c -mavxvnni.
// Included only by avxvnni_x16*.cpp files: everything is in an anonymous namespace, so no
// instantiation compiled for one ISA can stand in for another's at link time.
#pragma once

#include <immintrin.h>

#include <cstdint>

#include "kernels/act_quant.h"
#include "kernels/x86/avx2_x16_block.h"  // broadcast4
#include "kernels/x86/unroll.h"

namespace pocket::x86 {
namespace {  // each file its own copy, compiled with its own flags (see qgemm_tile.h)

// What maddubs_block_isums (avx2_x16_block.h) computes, in int32 from the start. 8-bit (512
// bytes): unit c is chunk c, whole.
template <int kBits, int T>
inline void vnni_block_isums(const uint8_t* q, const ActBlockQ8* const xb[T], __m256i isum[2][T]) {
  const __m256i low4 = _mm256_set1_epi8(0x0F);
  POCKET_UNROLL
  for (int u = 0; u < T; ++u) isum[0][u] = isum[1][u] = _mm256_setzero_si256();
  constexpr int kChunks = kBits == 4 ? 4 : 8;
  POCKET_UNROLL
  for (int c = 0; c < kChunks; ++c) {
    __m256i lo[2], hi[2];
    POCKET_UNROLL
    for (int h = 0; h < 2; ++h) {
      const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q + 64 * c + 32 * h));
      if constexpr (kBits == 4) {
        lo[h] = _mm256_and_si256(v, low4);
        hi[h] = _mm256_and_si256(_mm256_srli_epi16(v, 4), low4);
      } else {
        lo[h] = v;
      }
    }
    POCKET_UNROLL
    for (int u = 0; u < T; ++u) {
      const __m256i a_lo = broadcast4(xb[u]->q + (kBits == 4 ? 8 : 4) * c);
      POCKET_UNROLL
      for (int h = 0; h < 2; ++h) isum[h][u] = _mm256_dpbusd_avx_epi32(isum[h][u], lo[h], a_lo);
      if constexpr (kBits == 4) {
        const __m256i a_hi = broadcast4(xb[u]->q + 8 * c + 4);
        POCKET_UNROLL
        for (int h = 0; h < 2; ++h) isum[h][u] = _mm256_dpbusd_avx_epi32(isum[h][u], hi[h], a_hi);
      }
    }
  }
}

// The block sums as avx2_x16_group.h and avx2_x16_q4k.h take them.
struct VnniBlockSums {
  // Tokens per tile: one int32 sum per token and half, so 4 for either code width.
  template <int kBits>
  static constexpr int kTileTokens = 4;
  template <int kBits, int T>
  static void isums(const uint8_t* q, const ActBlockQ8* const xb[T], __m256i isum[2][T]) {
    vnni_block_isums<kBits, T>(q, xb, isum);
  }
};

}  // namespace
}  // namespace pocket::x86
