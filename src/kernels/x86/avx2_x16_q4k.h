// The x16 kernel of Q4_K (kernels/repack_x16.h) for AVX2 CPUs, with or without AVX-VNNI: the
// AVX-512 kernel's scheme (avx512_x16_q4k.cpp) on the two 8-row halves of each 64-byte chunk,
// over the block sums `Sums` gives (MaddubsBlockSums of avx2_x16_block.h or VnniBlockSums of
// avxvnni_x16_block.h). Per super-block and half, the 8 rows' 6-bit scales
// and mins of all 8 sub-blocks come out of three 32-byte rows of bits (one byte per row's dword,
// four sub-blocks per register); per sub-block j and token:
//   y += (d * sc[j]) * d_a * isum  -  (dmin * min[j]) * sum_a
// Included only by avx2_x16_q4k.cpp and avxvnni_x16_q4k.cpp (anonymous namespace, as
// avx2_x16_group.h).
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <utility>

#include "kernels/repack_x16.h"
#include "kernels/x86/unroll.h"
#include "kernels/x86/x16_tiles.h"

namespace pocket::x86 {
namespace {

constexpr int kSuper = Q4KX16::kValues;
constexpr size_t kSuperBytes = Q4KX16::kBytes, kHeaderBytes = Q4KX16::kCodes;
constexpr size_t kSubBytes = Q4KX16::kSubBytes;

// Byte b of each dword of v, zero-extended: the 6-bit number of sub-block b (or b + 4) of 8 rows.
template <int b>
inline __m256 dword_byte(__m256i v) {
  const __m256i one_byte = _mm256_set1_epi32(0xFF);
  return _mm256_cvtepi32_ps(_mm256_and_si256(_mm256_srli_epi32(v, 8 * b), one_byte));
}

// The scales and mins of half h (rows 8h..8h+7), one byte per row's dword: sc03 holds sc[b] in
// byte b, sc47 sc[b + 4]; the same for the mins (layout in repack_x16.h).
struct SubScales {
  __m256i sc03, sc47, mn03, mn47;
};
inline SubScales unpack_sub_scales(const uint8_t* header, int h) {
  auto load = [&](size_t off) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(header + off + 32 * h));
  };
  const __m256i sc_lo = load(Q4KX16::kScaleLow), mn_lo = load(Q4KX16::kMinLow);
  const __m256i hi = load(Q4KX16::kHigh);
  const __m256i low4 = _mm256_set1_epi8(0x0F), bits45 = _mm256_set1_epi8(0x30);
  // (lo & 15) | (hi moved to bits 4-5): the shifts cross bytes, so both parts are masked.
  auto join = [&](__m256i lo, __m256i hi_at_45) {
    return _mm256_or_si256(_mm256_and_si256(lo, low4), _mm256_and_si256(hi_at_45, bits45));
  };
  return {join(sc_lo, hi), join(_mm256_srli_epi32(sc_lo, 4), _mm256_srli_epi32(hi, 2)),
          join(mn_lo, _mm256_slli_epi32(hi, 4)),
          join(_mm256_srli_epi32(mn_lo, 4), _mm256_slli_epi32(hi, 2))};
}

// Not inlined into the tile loop: with 16 ymm registers, GCC 12 allocated the inlined copy far
// worse (Q4_K: pp512 under POCKET_ISA=avx2 82 -> 50 t/s).
template <class Sums, int T>
[[gnu::noinline]] void q4k_tile(const GemmArgs& a, int64_t r, int64_t t) {
  const uint8_t* base = a.w + static_cast<size_t>(r) * a.w_stride;
  const ActBlockQ8* x[T];
  tile_activations<T>(a, t, x);
  __m256 acc[2][T];  // [half][token]
  POCKET_UNROLL
  for (int u = 0; u < T; ++u) acc[0][u] = acc[1][u] = _mm256_setzero_ps();
  const int64_t n_super = a.k / kSuper;
  for (int64_t s = 0; s < n_super; ++s) {
    const uint8_t* sb = base + static_cast<size_t>(s) * kSuperBytes;
    if constexpr (T == 1) prefetch_ahead<kHeaderBytes>(sb);
    __m256 d[2], dmin[2];
    SubScales sub[2];
    POCKET_UNROLL
    for (int h = 0; h < 2; ++h) {
      d[h] = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(sb + 16 * h)));
      dmin[h] = _mm256_cvtph_ps(
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(sb + Q4KX16::kDmin + 16 * h)));
      sub[h] = unpack_sub_scales(sb, h);
    }
    auto one_sub_block = [&]<int j>() {
      const uint8_t* codes = sb + kHeaderBytes + j * kSubBytes;
      if constexpr (T == 1) prefetch_ahead<kSubBytes>(codes);
      const ActBlockQ8* xb[T];
      POCKET_UNROLL
      for (int u = 0; u < T; ++u) xb[u] = x[u] + s * (kSuper / kActBlock) + j;
      __m256i isum[2][T];
      Sums::template isums<4, T>(codes, xb, isum);
      POCKET_UNROLL
      for (int h = 0; h < 2; ++h) {
        const __m256 step =
            _mm256_mul_ps(d[h], dword_byte<j % 4>(j < 4 ? sub[h].sc03 : sub[h].sc47));
        const __m256 off =
            _mm256_mul_ps(dmin[h], dword_byte<j % 4>(j < 4 ? sub[h].mn03 : sub[h].mn47));
        POCKET_UNROLL
        for (int u = 0; u < T; ++u) {
          acc[h][u] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum[h][u]),
                                      _mm256_mul_ps(step, _mm256_set1_ps(xb[u]->d)), acc[h][u]);
          acc[h][u] = _mm256_fnmadd_ps(off, _mm256_set1_ps(xb[u]->sum), acc[h][u]);
        }
      }
    };
    [&]<int... j>(std::integer_sequence<int, j...>) {
      (one_sub_block.template operator()<j>(), ...);
    }
    (std::make_integer_sequence<int, kSuper / kActBlock>{});
  }
  POCKET_UNROLL
  for (int u = 0; u < T; ++u) {
    float* y = a.y + (t + u) * a.y_stride + r;
    _mm256_storeu_ps(y, acc[0][u]);
    _mm256_storeu_ps(y + 8, acc[1][u]);
  }
}

// Tokens per tile as the sums and 16 ymm registers allow.
template <class Sums>
void gemm_q4k_x16(const GemmArgs& a) {
  for_each_x16_tile<Sums::template kTileTokens<4>>(
      a, [&]<int T>(int64_t r, int64_t t) { q4k_tile<Sums, T>(a, r, t); });
}

template <class Sums>
void register_x16_q4k_kernel(KernelSet& set) {
  put_x16_kernel(set, DType::kQ4_K_X16, gemm_q4k_x16<Sums>);
}

}  // namespace
}  // namespace pocket::x86
