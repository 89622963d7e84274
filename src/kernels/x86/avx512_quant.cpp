// AVX-512 VNNI kernels for every integer weight format (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K,
// Q6_K) against int8 activations. Same decoders and tiling as AVX2 (qgemm_tile.h); the dot
// product is vpdpbusd (u8 x s8, 4 products summed into each int32 lane, no int16 saturation as
// with maddubs). Zero points are folded into the accumulator's start value: dpbusd(-z * sum(a),
// q, a) = sum((q - z) * a), where z * sum(a) per lane is itself one dpbusd on the activations,
// done once per token and group and shared by the rows of the tile. Q8_0 is signed: flipping
// the top bit (q ^ 0x80 = q + 128) makes it unsigned with zero point 128.
// With 32 zmm registers the tiles are larger than AVX2's: 4 rows x 4 tokens (16 accumulators)
// for prefill, 8 rows x 1 token for decode (8 independent accumulator chains), and each zmm
// holds two 32-value groups (see tile512).
#include "kernels/x86/avx512_intrin.h"  // first: see there
#include "kernels/x86/avx512_panel_gemm.h"
#include "kernels/x86/next_tile_prefetch.h"
#include "kernels/x86/qgemm_tile.h"
#include "kernels/x86/x86_kernels.h"

namespace pocket::x86 {
namespace {

struct VnniDot {
  template <class D>
  static __m256i correction(__m256i a) {
    constexpr int z = D::kSigned ? 128 : D::kZero;
    const __m256i zero = _mm256_setzero_si256();
    if constexpr (z != 0) {
      return _mm256_sub_epi32(zero,
                              _mm256_dpbusd_epi32(zero, _mm256_set1_epi8(static_cast<char>(z)), a));
    }
    return zero;
  }
  template <class D>
  static __m256i dot(__m256i q, __m256i a, __m256i corr) {
    if constexpr (D::kSigned) q = _mm256_xor_si256(q, _mm256_set1_epi8(static_cast<char>(0x80)));
    return _mm256_dpbusd_epi32(corr, q, a);
  }
};

// 512-bit decoders for two consecutive groups (j, j + 1) of one K-quant block, where both come
// from the same bytes: one wide load and shift instead of two narrow decodes and an insert.
template <class D>
concept HasPairDecode = requires(const uint8_t* b, const typename D::Prep& p) {
  D::quants_pair(b, 0);
  D::scale_pair(p, 0);
};

// Q6_K groups j, j + 1 (k = j % 4 even): low 4 bits from the 64 ql bytes of half h (shifted by 4
// when k >= 2), high 2 bits from the same 32 qh bytes shifted by 2k and 2k + 2.
struct DecQ6_KPair : DecQ6_K {
  static __m512i quants_pair(const uint8_t* b, int j) {
    const int h = j / 4, k = j % 4;
    __m512i ql = _mm512_loadu_si512(b + 64 * h);
    if (k >= 2) ql = _mm512_srli_epi16(ql, 4);
    const __m512i lo = _mm512_and_si512(ql, _mm512_set1_epi8(0x0F));
    const __m512i qh = _mm512_broadcast_i64x4(loadu256(b + 128 + 32 * h));
    const __m512i shift = _mm512_inserti64x4(_mm512_set1_epi16(static_cast<short>(2 * k)),
                                             _mm256_set1_epi16(static_cast<short>(2 * k + 2)), 1);
    const __m512i hi =
        _mm512_slli_epi16(_mm512_and_si512(_mm512_srlv_epi16(qh, shift), _mm512_set1_epi8(3)), 4);
    return _mm512_or_si512(lo, hi);
  }
  static __m512 scale_pair(const Prep& p, int j) {
    // Sub-scales s, s + 1 (group j) and s + 2, s + 3 (group j + 1), each over 4 lanes.
    const int s = 8 * (j / 4) + 2 * (j % 4);
    const __m512 four = _mm512_castps128_ps512(_mm_loadu_ps(p.step + s));
    return _mm512_permutexvar_ps(_mm512_set_epi32(3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0),
                                 four);
  }
};

// Q4_K groups j, j + 1 (j even): the low and the high nibbles of the same 32 bytes.
struct DecQ4_KPair : DecQ4_K {
  static __m512i quants_pair(const uint8_t* b, int j) {
    const __m256i v = loadu256(b + 16 + 32 * (j / 2));
    const __m512i both = _mm512_inserti64x4(_mm512_castsi256_si512(v), _mm256_srli_epi16(v, 4), 1);
    return _mm512_and_si512(both, _mm512_set1_epi8(0x0F));
  }
  static __m512 scale_pair(const Prep& p, int j) {
    return _mm512_insertf32x8(_mm512_set1_ps(p.step[j]), _mm256_set1_ps(p.step[j + 1]), 1);
  }
};

// Two consecutive 32-value groups per zmm: the weight bytes, activation bytes, zero-point
// corrections and scales of groups g and g + 1 go in the low and high 256-bit halves, so one
// vpdpbusd / cvt / fma covers 64 values. Groups never straddle a K super-block (8 groups, even).
// An odd last group (legacy formats with k / 32 odd) takes the 256-bit path.
template <class D, int R, int T>
void tile512(const GemmArgs& a, int64_t r, int64_t t) {
  constexpr int kGroups = D::kVals / kActBlock;
  const int64_t n_groups = a.k / kActBlock;
  const uint8_t* w[R];
  POCKET_UNROLL
  for (int i = 0; i < R; ++i) w[i] = a.w + static_cast<size_t>(r + i) * a.w_stride;
  const ActBlockQ8* x[T];
  POCKET_UNROLL
  for (int u = 0; u < T; ++u) {
    x[u] = reinterpret_cast<const ActBlockQ8*>(static_cast<const uint8_t*>(a.x) +
                                               static_cast<size_t>(t + u) * a.x_stride);
  }
  __m512 acc[R][T];
  float off[R][T];
  POCKET_UNROLL
  for (int i = 0; i < R; ++i) {
    POCKET_UNROLL
    for (int u = 0; u < T; ++u) {
      acc[i][u] = _mm512_setzero_ps();
      off[i][u] = 0.0f;
    }
  }
  typename D::Prep prep0[R]{}, prep1[R]{};  // set at each block start; {} quiets GCC
  [[maybe_unused]] NextTilePrefetch prefetch(w[0], R * a.w_stride);
  int64_t g = 0;
  for (; g + 2 <= n_groups; g += 2) {
    const int64_t b0 = g / kGroups, b1 = (g + 1) / kGroups;
    const int j0 = static_cast<int>(g % kGroups), j1 = static_cast<int>((g + 1) % kGroups);
    if (j0 == 0) {
      POCKET_UNROLL
      for (int i = 0; i < R; ++i) prep0[i] = D::prep(w[i] + b0 * D::kBytes);
    }
    if constexpr (kGroups == 1) {
      POCKET_UNROLL
      for (int i = 0; i < R; ++i) prep1[i] = D::prep(w[i] + b1 * D::kBytes);
    }
    const typename D::Prep* p1 = kGroups == 1 ? prep1 : prep0;
    if constexpr (R > 1) {
      // Decode streams R short rows at once (a 1536-value Q4_0 row is 14 cache lines), too short
      // for the hardware prefetcher to ramp up: fetch the next tile (next_tile_prefetch.h), one
      // line per row and 64 bytes this step reads. Small batches (2-15 tokens) stream the same
      // way and need it as much: without it a 2-token batch read weights from memory at a quarter
      // of the 1-token rate.
      constexpr size_t kStepBytes = 2 * D::kBytes / kGroups;  // Q8_0 68, our g128 INT8 65
      POCKET_UNROLL
      for (int i = 0; i < R; ++i) {
        prefetch.step();
        if constexpr (kStepBytes > 64) prefetch.step();
      }
    }
    __m512i q[R];
    __m512 ws[R];
    POCKET_UNROLL
    for (int i = 0; i < R; ++i) {
      if constexpr (HasPairDecode<D>) {  // both groups from one wide load (same block, j0 even)
        q[i] = D::quants_pair(w[i] + b0 * D::kBytes, j0);
        ws[i] = D::scale_pair(prep0[i], j0);
      } else {
        q[i] = _mm512_inserti64x4(_mm512_castsi256_si512(D::quants(w[i] + b0 * D::kBytes, j0)),
                                  D::quants(w[i] + b1 * D::kBytes, j1), 1);
        ws[i] = _mm512_insertf32x8(_mm512_castps256_ps512(D::scale(prep0[i], j0)),
                                   D::scale(p1[i], j1), 1);
      }
      if constexpr (D::kSigned)
        q[i] = _mm512_xor_si512(q[i], _mm512_set1_epi8(static_cast<char>(0x80)));
    }
    POCKET_UNROLL
    for (int u = 0; u < T; ++u) {
      const ActBlockQ8& xb0 = x[u][g];
      const ActBlockQ8& xb1 = x[u][g + 1];
      const __m512i av =
          _mm512_inserti64x4(_mm512_castsi256_si512(loadu256(xb0.q)), loadu256(xb1.q), 1);
      constexpr int z = D::kSigned ? 128 : D::kZero;
      __m512i corr = _mm512_setzero_si512();
      if constexpr (z != 0) {
        corr = _mm512_sub_epi32(
            corr, _mm512_dpbusd_epi32(corr, _mm512_set1_epi8(static_cast<char>(z)), av));
      }
      const __m512 da = _mm512_insertf32x8(_mm512_set1_ps(xb0.d), _mm256_set1_ps(xb1.d), 1);
      POCKET_UNROLL
      for (int i = 0; i < R; ++i) {
        const __m512i p = _mm512_dpbusd_epi32(corr, q[i], av);
        acc[i][u] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(p), _mm512_mul_ps(ws[i], da), acc[i][u]);
        if constexpr (D::kHasMin) {
          off[i][u] -= D::min(prep0[i], j0) * xb0.sum + D::min(p1[i], j1) * xb1.sum;
        }
      }
    }
  }
  if (g < n_groups) {  // legacy formats only: one group left
    static_assert(kGroups == 1 || kGroups % 2 == 0);
    POCKET_UNROLL
    for (int i = 0; i < R; ++i) {
      const typename D::Prep pr = D::prep(w[i] + g * D::kBytes);
      const __m256i qi = D::quants(w[i] + g * D::kBytes, 0);
      POCKET_UNROLL
      for (int u = 0; u < T; ++u) {
        const ActBlockQ8& xb = x[u][g];
        const __m256i av = loadu256(xb.q);
        const __m256i p = VnniDot::dot<D>(qi, av, VnniDot::correction<D>(av));
        const __m256 s = _mm256_mul_ps(D::scale(pr, 0), _mm256_set1_ps(xb.d));
        off[i][u] += hsum256(_mm256_mul_ps(_mm256_cvtepi32_ps(p), s));
        if constexpr (D::kHasMin) off[i][u] -= D::min(pr, 0) * xb.sum;
      }
    }
  }
  POCKET_UNROLL
  for (int i = 0; i < R; ++i) {
    POCKET_UNROLL
    for (int u = 0; u < T; ++u) {
      a.y[(t + u) * a.y_stride + r + i] = _mm512_reduce_add_ps(acc[i][u]) + off[i][u];
    }
  }
}

// The tokens of rows [r, r + R) in tiles of 4, the last 1-3 in one tile: each tile streams the
// rows once, so 2 or 3 tokens (small batches, several sequences decoding) cost one pass, not 2-3.
template <class D, int R>
void rows_all_tokens(const GemmArgs& a, int64_t r) {
  int64_t t = 0;
  for (; t + 4 <= a.n_tok; t += 4) tile512<D, R, 4>(a, r, t);
  switch (a.n_tok - t) {
    case 3:
      tile512<D, R, 3>(a, r, t);
      break;
    case 2:
      tile512<D, R, 2>(a, r, t);
      break;
    case 1:
      tile512<D, R, 1>(a, r, t);
      break;
    default:
      break;
  }
}

template <class D, int R>
void gemm_rows(const GemmArgs& a) {
  int64_t r = a.r0;
  for (; r + R <= a.r1; r += R) rows_all_tokens<D, R>(a, r);
  for (; r < a.r1; ++r) rows_all_tokens<D, 1>(a, r);
}

// From this many tokens on, unpacking 32-row panels (avx512_panel_gemm.h) pays for itself.
constexpr int64_t kPanelMinTokens = 16;

template <class D>
void gemm(const GemmArgs& a) {
  if (a.n_tok >= kPanelMinTokens) {
    panel_gemm<D>(a);
  } else if (a.n_tok == 1) {
    gemm_rows<D, 8>(a);
  } else {
    gemm_rows<D, 4>(a);
  }
}

// The types whose one-token product has its own kernel: Q4_0 and Q8_0 (avx512_lane_gemv.cpp),
// PQ4_G64 and PQ4_G128 (avx512_nibble_gemv.cpp), Q6_K (avx512_q6k_gemv.cpp). The tiles above do the
// rest (prefill, and the shapes the one-token kernel declines).
using OneTokenFn = bool (*)(DType, const GemmArgs&);
template <DType kType, class D, OneTokenFn kOneToken>
void gemm_one_token_first(const GemmArgs& a) {
  if (!kOneToken(kType, a)) gemm<D>(a);
}

}  // namespace

void avx512_register_quant(KernelSet& set) {
  // PQ4_G128 takes activations with one scale per 128 values, as its x16 kernel does
  // (avx512_x16.cpp), so that repacking it at load changes no result. These kernels read them as
  // any blocks of 32.
  auto put = [&](DType t, GemmFn fn) {
    set.gemm[static_cast<size_t>(t)] = {
        fn, t == DType::kPQ4_G128 ? ActFormat::kQ8G128 : ActFormat::kQ8, kPanelRows};
  };
  put(DType::kQ8_0, gemm_one_token_first<DType::kQ8_0, DecQ8_0, avx512_lane_gemv>);
  put(DType::kQ4_0, gemm_one_token_first<DType::kQ4_0, DecQ4_0, avx512_lane_gemv>);
  put(DType::kQ4_1, gemm<DecQ4_1>);
  put(DType::kQ5_0, gemm<DecQ5_0>);
  put(DType::kQ5_1, gemm<DecQ5_1>);
  put(DType::kPQ8_G64, gemm<DecPQ8<64>>);
  put(DType::kPQ8_G128, gemm<DecPQ8<128>>);
  put(DType::kPQ4_G64, gemm_one_token_first<DType::kPQ4_G64, DecPQ4<64>, avx512_nibble_gemv>);
  put(DType::kPQ4_G128, gemm_one_token_first<DType::kPQ4_G128, DecPQ4<128>, avx512_nibble_gemv>);
  put(DType::kPQ4A_G64, gemm<DecPQ4A<64>>);
  put(DType::kPQ4A_G128, gemm<DecPQ4A<128>>);
  put(DType::kQ4_K, gemm<DecQ4_KPair>);
  put(DType::kQ5_K, gemm<DecQ5_K>);
  put(DType::kQ6_K, gemm_one_token_first<DType::kQ6_K, DecQ6_KPair, avx512_q6k_gemv>);
}

}  // namespace pocket::x86
