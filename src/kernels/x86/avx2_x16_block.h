// One 32-value block of 16 rows in the x16 layout (kernels/repack_x16.h) against T tokens, for
// AVX2 without VNNI, shared by the x16 kernels of the group types and of Q4_K. A 64-byte chunk
// of the layout is two 256-bit halves, rows 0-7 and rows 8-15.
// The dot product is vpmaddubsw (u8 code x s8 activation, pairs summed into int16) against the
// token's 4 activation bytes broadcast to every lane: each row's 4 products of a unit land in one
// 32-bit lane as two int16 halves. With 4-bit codes a pair is at most 2 * 15 * 127, so the 8
// units of a block are summed in int16 without saturating (16 of them would not be: 8-bit codes
// go in as two nibbles), and one vpmaddwd then gives the row's int32 sum. The codes are decoded
// once and used by all T tokens.
// Compiled with -mavx2 -mfma -mf16c.
// Included only by avx2_x16*.cpp files: everything is in an anonymous namespace, so no
// instantiation compiled for one ISA can stand in for another's at link time.
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/act_quant.h"
#include "kernels/x86/unroll.h"

namespace pocket::x86 {
namespace {  // each file its own copy, compiled with its own flags (see qgemm_tile.h)

inline __m256i broadcast4(const int8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return _mm256_set1_epi32(v);
}

// isum[h][u] = for each of the 8 rows of half h, the sum over block q of code * activation of
// token xb[u] (int32, exact; codes unsigned, their zero point not taken off).
// 4-bit (256 bytes): unit 2c is chunk c's low nibbles (values 8c..8c+3), 2c + 1 its high ones.
// 8-bit (512 bytes): unit c is chunk c; a code is split into its two nibbles, each summed as a
// 4-bit code is (so no pair exceeds 2 * 15 * 127), and the high sums count 16 times.
template <int kBits, int T>
inline void maddubs_block_isums(const uint8_t* q, const ActBlockQ8* const xb[T],
                                __m256i isum[2][T]) {
  const __m256i low4 = _mm256_set1_epi8(0x0F);
  __m256i lo_sum[2][T], hi_sum[2][T];  // int16 pairs (hi_sum: 8-bit only)
  POCKET_UNROLL
  for (int u = 0; u < T; ++u) {
    lo_sum[0][u] = lo_sum[1][u] = hi_sum[0][u] = hi_sum[1][u] = _mm256_setzero_si256();
  }
  constexpr int kChunks = kBits == 4 ? 4 : 8;
  POCKET_UNROLL
  for (int c = 0; c < kChunks; ++c) {
    __m256i lo[2], hi[2];
    POCKET_UNROLL
    for (int h = 0; h < 2; ++h) {
      const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q + 64 * c + 32 * h));
      lo[h] = _mm256_and_si256(v, low4);
      hi[h] = _mm256_and_si256(_mm256_srli_epi16(v, 4), low4);
    }
    POCKET_UNROLL
    for (int u = 0; u < T; ++u) {
      // 4-bit: the low nibbles are unit 2c, the high ones unit 2c + 1; 8-bit: both are unit c.
      const __m256i a_lo = broadcast4(xb[u]->q + (kBits == 4 ? 8 : 4) * c);
      const __m256i a_hi = kBits == 4 ? broadcast4(xb[u]->q + 8 * c + 4) : a_lo;
      POCKET_UNROLL
      for (int h = 0; h < 2; ++h) {
        lo_sum[h][u] = _mm256_add_epi16(lo_sum[h][u], _mm256_maddubs_epi16(lo[h], a_lo));
        // 4-bit: both units count once, so one int16 sum takes them (fewer registers).
        __m256i& to = kBits == 4 ? lo_sum[h][u] : hi_sum[h][u];
        to = _mm256_add_epi16(to, _mm256_maddubs_epi16(hi[h], a_hi));
      }
    }
  }
  // vpmaddwd adds each lane's two int16 halves (times 16 for 8-bit high nibbles).
  const __m256i ones = _mm256_set1_epi16(1), sixteens = _mm256_set1_epi16(16);
  POCKET_UNROLL
  for (int u = 0; u < T; ++u) {
    POCKET_UNROLL
    for (int h = 0; h < 2; ++h) {
      isum[h][u] = _mm256_madd_epi16(lo_sum[h][u], ones);
      if constexpr (kBits == 8) {
        isum[h][u] = _mm256_add_epi32(isum[h][u], _mm256_madd_epi16(hi_sum[h][u], sixteens));
      }
    }
  }
}

// The block sums as avx2_x16_group.h and avx2_x16_q4k.h take them.
struct MaddubsBlockSums {
  // Tokens per tile, as 16 ymm registers allow: 4 (4-bit), 2 (8-bit: two int16 sums per token
  // and half).
  template <int kBits>
  static constexpr int kTileTokens = kBits == 4 ? 4 : 2;
  template <int kBits, int T>
  static void isums(const uint8_t* q, const ActBlockQ8* const xb[T], __m256i isum[2][T]) {
    maddubs_block_isums<kBits, T>(q, xb, isum);
  }
};

}  // namespace
}  // namespace pocket::x86
