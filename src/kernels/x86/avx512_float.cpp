// AVX-512 kernels for F32, F16 and BF16 weights against f32 activations: 16 values per zmm,
// F16 widened with vcvtph2ps (zmm form), BF16 by zero-extending to 32 bits and shifting left 16
// (bf16 is the top half of an f32), FMA into f32. Tiles: 4 rows x 4 tokens (16 of the 32 zmm
// registers as accumulators) for prefill, 8 rows x 1 token for decode. A k that is not a multiple
// of 16 ends with one masked step (masked loads read nothing past the row).
#include "kernels/gemm.h"
#include "kernels/x86/avx512_intrin.h"
#include "kernels/x86/unroll.h"
#include "kernels/x86/x86_kernels.h"

namespace pocket::x86 {
namespace {

struct LoadF32 {
  static constexpr int kBytes = 4;
  static __m512 load16(const uint8_t* row, int64_t i, __mmask16 m) {
    return _mm512_maskz_loadu_ps(m, row + 4 * i);
  }
};

struct LoadF16 {
  static constexpr int kBytes = 2;
  static __m512 load16(const uint8_t* row, int64_t i, __mmask16 m) {
    return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, row + 2 * i));
  }
};

struct LoadBF16 {
  static constexpr int kBytes = 2;
  static __m512 load16(const uint8_t* row, int64_t i, __mmask16 m) {
    const __m512i wide = _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(m, row + 2 * i));
    return _mm512_castsi512_ps(_mm512_slli_epi32(wide, 16));
  }
};

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
  __m512 acc[R][T];
  POCKET_UNROLL
  for (int i = 0; i < R; ++i) {
    POCKET_UNROLL
    for (int u = 0; u < T; ++u) acc[i][u] = _mm512_setzero_ps();
  }
  // Full steps, then one masked step for the tail (a plain loop, not a lambda: capturing the
  // accumulators by reference keeps them in memory).
  for (int64_t k = 0; k < a.k; k += 16) {
    const __mmask16 m = a.k - k >= 16 ? static_cast<__mmask16>(0xFFFF)
                                      : static_cast<__mmask16>((1u << (a.k - k)) - 1);
    if constexpr (T == 1 && R > 1) {
      // Decode: R rows stream at once, each too short for the hardware prefetcher to ramp up;
      // fetch the same place of the next R rows, one line per 64 bytes read.
      if ((k * L::kBytes) % 64 == 0) {
        POCKET_UNROLL
        for (int i = 0; i < R; ++i) {
          _mm_prefetch(reinterpret_cast<const char*>(w[i] + R * a.w_stride + k * L::kBytes),
                       _MM_HINT_T0);
        }
      }
    }
    __m512 wv[R];
    POCKET_UNROLL
    for (int i = 0; i < R; ++i) wv[i] = L::load16(w[i], k, m);
    POCKET_UNROLL
    for (int u = 0; u < T; ++u) {
      const __m512 xv = _mm512_maskz_loadu_ps(m, x[u] + k);
      POCKET_UNROLL
      for (int i = 0; i < R; ++i) acc[i][u] = _mm512_fmadd_ps(wv[i], xv, acc[i][u]);
    }
  }
  POCKET_UNROLL
  for (int i = 0; i < R; ++i) {
    POCKET_UNROLL
    for (int u = 0; u < T; ++u) a.y[(t + u) * a.y_stride + r + i] = _mm512_reduce_add_ps(acc[i][u]);
  }
}

template <class L, int R, int T>
void rows(const GemmArgs& a, int64_t r) {
  int64_t t = 0;
  for (; t + T <= a.n_tok; t += T) tile<L, R, T>(a, r, t);
  for (; t < a.n_tok; ++t) tile<L, R, 1>(a, r, t);
}

template <class L, int R, int T>
void gemm_rt(const GemmArgs& a) {
  int64_t r = a.r0;
  for (; r + R <= a.r1; r += R) rows<L, R, T>(a, r);
  for (; r < a.r1; ++r) rows<L, 1, T>(a, r);
}

template <class L>
void gemm(const GemmArgs& a) {
  if (a.n_tok == 1) {
    gemm_rt<L, 8, 1>(a);
  } else {
    gemm_rt<L, 4, 4>(a);
  }
}

}  // namespace

void avx512_register_float(KernelSet& set) {
  auto put = [&](DType t, GemmFn fn) {
    set.gemm[static_cast<size_t>(t)] = {fn, ActFormat::kF32, 8};
  };
  put(DType::kF32, gemm<LoadF32>);
  put(DType::kF16, gemm<LoadF16>);
  put(DType::kBF16, gemm<LoadBF16>);
}

}  // namespace pocket::x86
