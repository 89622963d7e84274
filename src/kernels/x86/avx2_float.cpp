// AVX2 + FMA kernels for F32, F16 and BF16 weights against f32 activations. Each weight row is
// widened to f32 in registers, 8 values at a time (F16: vcvtph2ps from F16C; BF16: the 16 bits are
// the top half of an f32, so zero-extend and shift left by 16), and multiplied with FMA.
// Tile: 4 rows x 2 tokens of accumulators (prefill reuses each widened weight vector twice),
// 4 rows x 1 token for decode. A k that is not a multiple of 8 ends with a scalar tail.
#include <immintrin.h>

#include <cstring>

#include "core/half.h"
#include "kernels/gemm.h"
#include "kernels/x86/unroll.h"
#include "kernels/x86/x86_kernels.h"

namespace pocket::x86 {
namespace {

struct LoadF32 {
  static __m256 load8(const uint8_t* row, int64_t i) {
    return _mm256_loadu_ps(reinterpret_cast<const float*>(row + 4 * i));
  }
  static float load1(const uint8_t* row, int64_t i) {
    float v;
    std::memcpy(&v, row + 4 * i, 4);
    return v;
  }
};

struct LoadF16 {
  static __m256 load8(const uint8_t* row, int64_t i) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(row + 2 * i)));
  }
  static float load1(const uint8_t* row, int64_t i) {
    uint16_t h;
    std::memcpy(&h, row + 2 * i, 2);
    return fp16_to_fp32(h);
  }
};

struct LoadBF16 {
  static __m256 load8(const uint8_t* row, int64_t i) {
    const __m256i wide =
        _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(row + 2 * i)));
    return _mm256_castsi256_ps(_mm256_slli_epi32(wide, 16));
  }
  static float load1(const uint8_t* row, int64_t i) {
    uint16_t h;
    std::memcpy(&h, row + 2 * i, 2);
    return bf16_to_fp32(h);
  }
};

inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

template <class L, int R, int T>
void tile(const GemmArgs& a, int64_t r, int64_t t) {
  const uint8_t* w[R];
  POCKET_UNROLL
  for (int i = 0; i < R; ++i) w[i] = a.w + static_cast<size_t>(r + i) * a.w_stride;
  const float* x[T];
  POCKET_UNROLL
  for (int u = 0; u < T; ++u) {
    x[u] = reinterpret_cast<const float*>(static_cast<const uint8_t*>(a.x) +
                                          static_cast<size_t>(t + u) * a.x_stride);
  }
  __m256 acc[R][T];
  POCKET_UNROLL
  for (int i = 0; i < R; ++i) {
    POCKET_UNROLL
    for (int u = 0; u < T; ++u) acc[i][u] = _mm256_setzero_ps();
  }
  int64_t k = 0;
  for (; k + 8 <= a.k; k += 8) {
    __m256 wv[R];
    POCKET_UNROLL
    for (int i = 0; i < R; ++i) wv[i] = L::load8(w[i], k);
    POCKET_UNROLL
    for (int u = 0; u < T; ++u) {
      const __m256 xv = _mm256_loadu_ps(x[u] + k);
      POCKET_UNROLL
      for (int i = 0; i < R; ++i) acc[i][u] = _mm256_fmadd_ps(wv[i], xv, acc[i][u]);
    }
  }
  POCKET_UNROLL
  for (int i = 0; i < R; ++i) {
    POCKET_UNROLL
    for (int u = 0; u < T; ++u) {
      float s = hsum(acc[i][u]);
      for (int64_t kk = k; kk < a.k; ++kk) s += L::load1(w[i], kk) * x[u][kk];
      a.y[(t + u) * a.y_stride + r + i] = s;
    }
  }
}

template <class L, int R, int T>
void rows(const GemmArgs& a, int64_t r) {
  int64_t t = 0;
  for (; t + T <= a.n_tok; t += T) tile<L, R, T>(a, r, t);
  for (; t < a.n_tok; ++t) tile<L, R, 1>(a, r, t);
}

template <class L>
void gemm(const GemmArgs& a) {
  int64_t r = a.r0;
  for (; r + 4 <= a.r1; r += 4) rows<L, 4, 2>(a, r);
  for (; r < a.r1; ++r) rows<L, 1, 2>(a, r);
}

}  // namespace

void avx2_register_float(KernelSet& set) {
  auto put = [&](DType t, GemmFn fn) {
    set.gemm[static_cast<size_t>(t)] = {fn, ActFormat::kF32, 4};
  };
  put(DType::kF32, gemm<LoadF32>);
  put(DType::kF16, gemm<LoadF16>);
  put(DType::kBF16, gemm<LoadBF16>);
}

}  // namespace pocket::x86
