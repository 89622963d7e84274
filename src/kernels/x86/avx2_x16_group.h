// The x16 kernels of the group types (kernels/repack_x16.h: Q4_0, Q8_0, PQ4 g64/g128) for AVX2
// CPUs, with or without AVX-VNNI: the tiles and the product, over the block sums `Sums` gives
// (MaddubsBlockSums of avx2_x16_block.h: vpmaddubsw, int16; VnniBlockSums of
// avxvnni_x16_block.h: vpdpbusd). A 64-byte chunk of the layout is two 256-bit halves, rows 0-7
// and rows 8-15, so a tile of 16 rows runs as two 8-row halves over the same stream. The zero
// point (8 or 128) comes off the block sums exactly:
//   part += d_a * (isum - zero * sum(a))     y += row scale * part (once per group)
// Included only by avx2_x16.cpp and avxvnni_x16.cpp: everything is in an anonymous namespace, so
// no instantiation compiled for one ISA can stand in for another's at link time.
#pragma once

#include <immintrin.h>

#include <cstdint>

#include "kernels/repack_x16.h"
#include "kernels/x86/unroll.h"
#include "kernels/x86/x16_tiles.h"

namespace pocket::x86 {
namespace {

// Not inlined into the tile loop: with 16 ymm registers, GCC 12 allocated the inlined copy far
// worse (Q4_K: pp512 under POCKET_ISA=avx2 82 -> 50 t/s).
template <class Sums, int kBits, int kGroup, int T>
[[gnu::noinline]] void x16_tile(const GemmArgs& a, int64_t r, int64_t t) {
  constexpr int kSubs = kGroup / kActBlock;
  constexpr size_t kGroupBytes = kX16Rows * (2 + kGroup * kBits / 8);
  constexpr size_t kSubBytes = static_cast<size_t>(kBits) * 64;  // 16 rows x 32 codes
  constexpr int kZero = kBits == 4 ? 8 : 128;
  const uint8_t* base = a.w + static_cast<size_t>(r) * a.w_stride;
  const ActBlockQ8* x[T];
  tile_activations<T>(a, t, x);
  __m256 acc[2][T];  // [half][token]
  POCKET_UNROLL
  for (int u = 0; u < T; ++u) acc[0][u] = acc[1][u] = _mm256_setzero_ps();
  const int64_t n_groups = a.k / kGroup;
  for (int64_t g = 0; g < n_groups; ++g) {
    const uint8_t* grp = base + static_cast<size_t>(g) * kGroupBytes;
    if constexpr (T == 1) prefetch_ahead<kGroupBytes>(grp);
    __m256 part[2][T];
    POCKET_UNROLL
    for (int u = 0; u < T; ++u) part[0][u] = part[1][u] = _mm256_setzero_ps();
    POCKET_UNROLL
    for (int j = 0; j < kSubs; ++j) {
      const uint8_t* q = grp + 32 + j * kSubBytes;
      const int64_t b = g * kSubs + j;
      const ActBlockQ8* xb[T];
      POCKET_UNROLL
      for (int u = 0; u < T; ++u) xb[u] = x[u] + b;
      __m256i isum[2][T];
      Sums::template isums<kBits, T>(q, xb, isum);
      POCKET_UNROLL
      for (int u = 0; u < T; ++u) {
        const __m256i zero = _mm256_set1_epi32(-kZero * xb[u]->isum);
        const __m256 d = _mm256_set1_ps(xb[u]->d);
        POCKET_UNROLL
        for (int h = 0; h < 2; ++h) {
          part[h][u] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_add_epi32(isum[h][u], zero)), d,
                                       part[h][u]);
        }
      }
    }
    POCKET_UNROLL
    for (int h = 0; h < 2; ++h) {
      const __m256 scale =
          _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(grp + 16 * h)));
      POCKET_UNROLL
      for (int u = 0; u < T; ++u) acc[h][u] = _mm256_fmadd_ps(scale, part[h][u], acc[h][u]);
    }
  }
  POCKET_UNROLL
  for (int u = 0; u < T; ++u) {
    float* y = a.y + (t + u) * a.y_stride + r;
    _mm256_storeu_ps(y, acc[0][u]);
    _mm256_storeu_ps(y + 8, acc[1][u]);
  }
}

// Tokens per tile as the sums and 16 ymm registers allow.
template <class Sums, int kBits, int kGroup>
void gemm_x16(const GemmArgs& a) {
  for_each_x16_tile<Sums::template kTileTokens<kBits>>(
      a, [&]<int T>(int64_t r, int64_t t) { x16_tile<Sums, kBits, kGroup, T>(a, r, t); });
}

// The kernels of the group types that AVX2 CPUs repack.
template <class Sums>
void register_x16_group_kernels(KernelSet& set) {
  put_x16_kernel(set, DType::kQ4_0_X16, gemm_x16<Sums, 4, 32>);
  put_x16_kernel(set, DType::kQ8_0_X16, gemm_x16<Sums, 8, 32>);
  put_x16_kernel(set, DType::kPQ4_G64_X16, gemm_x16<Sums, 4, 64>);
  put_x16_kernel(set, DType::kPQ4_G128_X16, gemm_x16<Sums, 4, 128>);
  // Not PQ8_G64/G128: their file-layout kernels decode faster (1.5B PQ8_G128, alternated token
  // by token: 23.6 ms per token against 27.7 repacked), so they are not repacked on AVX2.
}

}  // namespace
}  // namespace pocket::x86
