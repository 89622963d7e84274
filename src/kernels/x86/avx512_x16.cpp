// AVX-512 VNNI kernels of the x16 layout (kernels/repack_x16.h) of the group types (Q4_0, Q8_0,
// PQ4/PQ8 G64/G128). Per 32-value block, each 64-byte chunk of codes (16 rows x 4 values, or
// twice that in nibbles) meets the token's 4 matching activation bytes broadcast to every lane,
// so one vpdpbusd adds 4 products to each row's int32 sum. A sum runs over one block, or over a
// whole group of 128 when the activations share one scale per 128 values (ActFormat::kQ8G128,
// which the PQ4_G128 kernel asks for), and is then scaled once for all 16 rows:
//   isum = sum(code * a_q) - zero * sum(a_q)     (the zero point removed in int32: exact)
//   acc += (row scale * d_a) * isum
// Decode (one token) runs 16-row tiles, one stream each; prefill runs 32-row tiles of up to 5
// tokens (two groups share each activation broadcast), and 16-row ones for an odd last group. Both
// compute the formula above in the same order, so the result of a row does not depend on which tile
// (or which thread's range) it fell in.
#include <cstdint>

#include "kernels/repack_x16.h"
#include "kernels/x86/avx512_intrin.h"  // first: see there
#include "kernels/x86/avx512_x16_block.h"
#include "kernels/x86/unroll.h"
#include "kernels/x86/x16_tiles.h"
#include "kernels/x86/x86_kernels.h"

namespace pocket::x86 {
namespace {

template <int kBits, int kGroup>
struct GroupShape {
  static constexpr int kBlocks = kGroup / kActBlock;  // 32-value blocks per group
  // PQ4_G128 takes activations with a scale per 128 values. Not PQ8_G128: with 8-bit weights the
  // coarser activations are most of the error (brown-qwen2-7m, mean KL against F32: 0.000224 ->
  // 0.000367; for PQ4_G128 0.02252 -> 0.02270).
  static constexpr bool kSharedScale = kBits == 4 && kGroup == 128;
  // Blocks per int32 sum: the whole group when its activations share one scale.
  static constexpr int kBlocksPerSum = kSharedScale ? kActSpan128 : 1;
  static constexpr int kSums = kBlocks / kBlocksPerSum;
  static constexpr int kZero = kBits == 4 ? 8 : 128;
  static constexpr size_t kBlockBytes = static_cast<size_t>(kBits) * 64;  // 16 rows x 32 codes
  static constexpr size_t kGroupBytes = kX16Rows * (2 + kGroup * kBits / 8);
  static constexpr ActFormat kAct = kSharedScale ? ActFormat::kQ8G128 : ActFormat::kQ8;
};

// -zero * sum(a_q) over the blocks [b, b + n) of a token: where a sum starts.
inline __m512i zero_point_start(const ActBlockQ8* x, int64_t b, int n, int zero) {
  int32_t isum = 0;
  for (int j = 0; j < n; ++j) isum += x[b + j].isum;
  return _mm512_set1_epi32(-zero * isum);
}

template <int kBits, int kGroup, int T>
void x16_tile(const GemmArgs& a, int64_t r, int64_t t) {
  using S = GroupShape<kBits, kGroup>;
  const uint8_t* base = a.w + static_cast<size_t>(r) * a.w_stride;
  const ActBlockQ8* x[T];
  tile_activations<T>(a, t, x);
  __m512 acc[T];
  POCKET_UNROLL
  for (int u = 0; u < T; ++u) acc[u] = _mm512_setzero_ps();
  const int64_t n_groups = a.k / kGroup;
  for (int64_t g = 0; g < n_groups; ++g) {
    const uint8_t* grp = base + static_cast<size_t>(g) * S::kGroupBytes;
    if constexpr (T == 1) prefetch_ahead<S::kGroupBytes>(grp);
    const __m512 scale = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(grp)));
    POCKET_UNROLL
    for (int s = 0; s < S::kSums; ++s) {
      const int64_t b0 = g * S::kBlocks + s * S::kBlocksPerSum;
      __m512i isum[T];
      POCKET_UNROLL
      for (int u = 0; u < T; ++u) isum[u] = zero_point_start(x[u], b0, S::kBlocksPerSum, S::kZero);
      POCKET_UNROLL
      for (int j = 0; j < S::kBlocksPerSum; ++j) {
        __m512i w[8];  // unit m: values 4m..4m+3 of the block, 16 rows
        x16_units<kBits>(grp + 32 + (s * S::kBlocksPerSum + j) * S::kBlockBytes, w);
        POCKET_UNROLL
        for (int u = 0; u < T; ++u) isum[u] = x16_block_dot(w, x[u][b0 + j].q, isum[u]);
      }
      POCKET_UNROLL
      for (int u = 0; u < T; ++u) {
        const __m512 scale_d = _mm512_mul_ps(scale, _mm512_set1_ps(x[u][b0].d));
        acc[u] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum[u]), scale_d, acc[u]);
      }
    }
  }
  POCKET_UNROLL
  for (int u = 0; u < T; ++u) _mm512_storeu_ps(a.y + (t + u) * a.y_stride + r, acc[u]);
}

// Rows [r, r + 32): two 16-row groups, the same arithmetic as x16_tile.
template <int kBits, int kGroup, int T>
void x16_pair_tile(const GemmArgs& a, int64_t r, int64_t t) {
  using S = GroupShape<kBits, kGroup>;
  const uint8_t* base0 = a.w + static_cast<size_t>(r) * a.w_stride;
  const uint8_t* base1 = base0 + kX16Rows * a.w_stride;
  const ActBlockQ8* x[T];
  tile_activations<T>(a, t, x);
  __m512 acc0[T], acc1[T];
  POCKET_UNROLL
  for (int u = 0; u < T; ++u) acc0[u] = acc1[u] = _mm512_setzero_ps();
  const int64_t n_groups = a.k / kGroup;
  for (int64_t g = 0; g < n_groups; ++g) {
    const uint8_t* grp0 = base0 + static_cast<size_t>(g) * S::kGroupBytes;
    const uint8_t* grp1 = base1 + static_cast<size_t>(g) * S::kGroupBytes;
    const __m512 scale0 =
        _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(grp0)));
    const __m512 scale1 =
        _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(grp1)));
    POCKET_UNROLL
    for (int s = 0; s < S::kSums; ++s) {
      const int64_t b0 = g * S::kBlocks + s * S::kBlocksPerSum;
      __m512i isum0[T], isum1[T];
      POCKET_UNROLL
      for (int u = 0; u < T; ++u) {
        isum0[u] = isum1[u] = zero_point_start(x[u], b0, S::kBlocksPerSum, S::kZero);
      }
      POCKET_UNROLL
      for (int j = 0; j < S::kBlocksPerSum; ++j) {
        const size_t at = 32 + (s * S::kBlocksPerSum + j) * S::kBlockBytes;
        x16_pair_block_dot<kBits, T>(grp0 + at, grp1 + at, x, b0 + j, isum0, isum1);
      }
      POCKET_UNROLL
      for (int u = 0; u < T; ++u) {
        const __m512 d = _mm512_set1_ps(x[u][b0].d);
        acc0[u] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum0[u]), _mm512_mul_ps(scale0, d), acc0[u]);
        acc1[u] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum1[u]), _mm512_mul_ps(scale1, d), acc1[u]);
      }
    }
  }
  POCKET_UNROLL
  for (int u = 0; u < T; ++u) {
    _mm512_storeu_ps(a.y + (t + u) * a.y_stride + r, acc0[u]);
    _mm512_storeu_ps(a.y + (t + u) * a.y_stride + r + kX16Rows, acc1[u]);
  }
}

template <int kBits, int kGroup>
void gemm_x16(const GemmArgs& a) {
  auto single = [&]<int T>(int64_t r, int64_t t) { x16_tile<kBits, kGroup, T>(a, r, t); };
  if (a.n_tok == 1) return for_each_x16_tile<1>(a, single);
  // 5 tokens: 2 x 5 int32 sums, 2 x 5 accumulators and 4 decoded chunks fit the 32 registers.
  for_each_x16_pair_tile<5, 5>(
      a, [&]<int T>(int64_t r, int64_t t) { x16_pair_tile<kBits, kGroup, T>(a, r, t); }, single);
}

// Thread ranges in pairs of groups, so that prefill runs pair tiles throughout: with ranges of
// single groups, a range of an odd count ended in a 16-row tile (perf, pp512 of the 1.5B Q4_0:
// 5.3% of the samples in 16-row tiles against 52.9% in pairs).
template <int kBits, int kGroup>
void put(KernelSet& set, DType type) {
  put_x16_kernel(set, type, gemm_x16<kBits, kGroup>, GroupShape<kBits, kGroup>::kAct, 2 * kX16Rows);
}

}  // namespace

void avx512_register_x16(KernelSet& set) {
  put<4, 32>(set, DType::kQ4_0_X16);
  put<8, 32>(set, DType::kQ8_0_X16);
  put<4, 64>(set, DType::kPQ4_G64_X16);
  put<4, 128>(set, DType::kPQ4_G128_X16);
  put<8, 64>(set, DType::kPQ8_G64_X16);
  put<8, 128>(set, DType::kPQ8_G128_X16);
}

}  // namespace pocket::x86
