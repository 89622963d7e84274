// AVX-512 kernels of the float x16 layout (kernels/repack_x16.h): F16 and BF16 weights, 16 rows
// interleaved per value, against f32 activations. One 32-byte load widened to 16 f32 lanes holds
// value j of 16 rows; it meets value j of each token broadcast to every lane, so each FMA adds
// one product to 16 outputs and the sums need no horizontal reduction at the end.
//
// Prefill tiles are 32 rows (two 16-row groups) x 12 tokens: 24 accumulators, and per value j two
// weight loads and 12 broadcasts for 24 FMAs. The file-layout kernels (avx512_float.cpp) take a
// weight load and an activation load per 16 products, and a tile's activations (12 tokens x k
// floats) are the only data besides the 32 rows' weights, which stay in L2 across the token
// tiles (32 x 8960 x 2 bytes = 573 KB for the largest k of a 1.5B model).
// Decode (one token) takes 64 rows (four groups) at a time and splits the values in even and odd
// halves: eight accumulator chains, so that the FMA latency does not bound the rate at which the
// weights stream in. Measured (pocket_gemm_bench, one thread, 1536 x 8960): 51 GB/s from L3
// with two groups, 65 with four (the file-layout kernel: 66-76); from DRAM (131072 rows) 35.6-37
// against the file layout's 31-32.
#include "kernels/repack_x16.h"
#include "kernels/x86/avx512_intrin.h"  // first: see there
#include "kernels/x86/next_tile_prefetch.h"
#include "kernels/x86/unroll.h"
#include "kernels/x86/x86_kernels.h"

namespace pocket::x86 {
namespace {

struct WidenF16 {
  static __m512 load16(const uint8_t* p) {
    return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  }
};

struct WidenBF16 {
  static __m512 load16(const uint8_t* p) {
    const __m512i wide =
        _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
    return _mm512_castsi512_ps(_mm512_slli_epi32(wide, 16));  // bf16 is the top half of an f32
  }
};

constexpr int kTileTokens = 12;

const float* token_row(const GemmArgs& a, int64_t t) {
  return reinterpret_cast<const float*>(static_cast<const uint8_t*>(a.x) +
                                        static_cast<size_t>(t) * a.x_stride);
}

// G 16-row groups from row r (G = 1 or 2) x T tokens from t.
template <class L, int G, int T>
void tile(const GemmArgs& a, int64_t r, int64_t t) {
  const size_t group_bytes = kX16Rows * a.w_stride;
  const uint8_t* w = a.w + static_cast<size_t>(r) * a.w_stride;
  const float* x[T];
  POCKET_UNROLL
  for (int u = 0; u < T; ++u) x[u] = token_row(a, t + u);
  __m512 acc[G][T];
  POCKET_UNROLL
  for (int g = 0; g < G; ++g) {
    POCKET_UNROLL
    for (int u = 0; u < T; ++u) acc[g][u] = _mm512_setzero_ps();
  }
  for (int64_t j = 0; j < a.k; ++j) {
    __m512 wv[G];
    POCKET_UNROLL
    for (int g = 0; g < G; ++g) wv[g] = L::load16(w + g * group_bytes + 32 * j);
    POCKET_UNROLL
    for (int u = 0; u < T; ++u) {
      const __m512 xb = _mm512_set1_ps(x[u][j]);
      POCKET_UNROLL
      for (int g = 0; g < G; ++g) acc[g][u] = _mm512_fmadd_ps(wv[g], xb, acc[g][u]);
    }
  }
  POCKET_UNROLL
  for (int u = 0; u < T; ++u) {
    POCKET_UNROLL
    for (int g = 0; g < G; ++g) {
      _mm512_storeu_ps(a.y + (t + u) * a.y_stride + r + kX16Rows * g, acc[g][u]);
    }
  }
}

// The last 1..11 tokens of a row tile.
template <class L, int G, int T = kTileTokens - 1>
void tail(const GemmArgs& a, int64_t r, int64_t t, int64_t n) {
  if constexpr (T >= 1) {
    if (n == T) {
      tile<L, G, T>(a, r, t);
    } else {
      tail<L, G, T - 1>(a, r, t, n);
    }
  }
}

template <class L, int G>
void row_tile(const GemmArgs& a, int64_t r) {
  int64_t t = 0;
  for (; t + kTileTokens <= a.n_tok; t += kTileTokens) tile<L, G, kTileTokens>(a, r, t);
  if (t < a.n_tok) tail<L, G>(a, r, t, a.n_tok - t);
}

// One token, G groups (1, 2 or 4): values j (even) and j + 1 (odd) into separate accumulators.
template <class L, int G>
void decode_tile(const GemmArgs& a, int64_t r) {
  const size_t group_bytes = kX16Rows * a.w_stride;
  const uint8_t* w = a.w + static_cast<size_t>(r) * a.w_stride;
  const float* x = token_row(a, 0);
  __m512 even[G], odd[G];
  POCKET_UNROLL
  for (int g = 0; g < G; ++g) even[g] = odd[g] = _mm512_setzero_ps();
  // The G groups are one contiguous run; the next tile's follows it.
  NextTilePrefetch ahead(w, G * group_bytes);
  int64_t j = 0;
  for (; j + 2 <= a.k; j += 2) {
    POCKET_UNROLL
    for (int g = 0; g < G; ++g) ahead.step();  // 64 bytes of each group per step of j
    const __m512 x0 = _mm512_set1_ps(x[j]), x1 = _mm512_set1_ps(x[j + 1]);
    POCKET_UNROLL
    for (int g = 0; g < G; ++g) {
      even[g] = _mm512_fmadd_ps(L::load16(w + g * group_bytes + 32 * j), x0, even[g]);
      odd[g] = _mm512_fmadd_ps(L::load16(w + g * group_bytes + 32 * j + 32), x1, odd[g]);
    }
  }
  if (j < a.k) {
    const __m512 x0 = _mm512_set1_ps(x[j]);
    POCKET_UNROLL
    for (int g = 0; g < G; ++g) {
      even[g] = _mm512_fmadd_ps(L::load16(w + g * group_bytes + 32 * j), x0, even[g]);
    }
  }
  POCKET_UNROLL
  for (int g = 0; g < G; ++g) {
    _mm512_storeu_ps(a.y + r + kX16Rows * g, _mm512_add_ps(even[g], odd[g]));
  }
}

// Rows [r0, r1) must be whole 16-row groups (matmul splits in multiples of the row tile).
template <class L>
void gemm_x16_float(const GemmArgs& a) {
  int64_t r = a.r0;
  if (a.n_tok == 1) {
    for (; r + 4 * kX16Rows <= a.r1; r += 4 * kX16Rows) decode_tile<L, 4>(a, r);
    for (; r + 2 * kX16Rows <= a.r1; r += 2 * kX16Rows) decode_tile<L, 2>(a, r);
    if (r < a.r1) decode_tile<L, 1>(a, r);
    return;
  }
  for (; r + 2 * kX16Rows <= a.r1; r += 2 * kX16Rows) row_tile<L, 2>(a, r);
  if (r < a.r1) row_tile<L, 1>(a, r);
}

}  // namespace

void avx512_register_x16_float(KernelSet& set) {
  set.gemm[static_cast<size_t>(DType::kF16_X16)] = {gemm_x16_float<WidenF16>, ActFormat::kF32,
                                                    kX16Rows};
  set.gemm[static_cast<size_t>(DType::kBF16_X16)] = {gemm_x16_float<WidenBF16>, ActFormat::kF32,
                                                     kX16Rows};
}

}  // namespace pocket::x86
