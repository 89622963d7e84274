// AVX2 element-wise operations of the forward pass; the exp is the same Cephes scheme as the
// AVX-512 file (see there), with 2^n built in the exponent bits (n is clamped to the normal range
// first, where the clamp of x keeps the result finite or flushes it to 0 like expf's limits).
// The *_fast variants (ContextParams::fast_math) compute ref::exp_fast's approximation.
#include <immintrin.h>

#include "kernels/gemm.h"
#include "kernels/x86/x86_kernels.h"

namespace pocket::x86 {
namespace {

constexpr float kExpLo = -87.3365478515625f;  // ln FLT_MIN: below it 2^n would not be normal

// 2^n for integral n in [-126, 127]: (n + 127) << 23 is a normal float's bits.
inline __m256 pow2i(__m256 n) {
  return _mm256_castsi256_ps(
      _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23));
}

inline __m256 exp256(__m256 x) {
  x = _mm256_max_ps(_mm256_min_ps(x, _mm256_set1_ps(88.0f)), _mm256_set1_ps(kExpLo));
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.9875691500e-4f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
  p = _mm256_fmadd_ps(_mm256_mul_ps(p, r), r, _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
  return _mm256_mul_ps(p, pow2i(n));
}

// ref::exp_fast, operation for operation (see there).
inline __m256 exp256_fast(__m256 x) {
  const __m256 lo = _mm256_set1_ps(kExpLo);
  const __m256 below = _mm256_cmp_ps(x, lo, _CMP_NGE_UQ);  // what the scalar !(x >= lo) tests
  x = _mm256_max_ps(_mm256_min_ps(x, _mm256_set1_ps(88.0f)), lo);
  const __m256 log2e = _mm256_set1_ps(1.44269504088896341f);
  const __m256 n =
      _mm256_round_ps(_mm256_mul_ps(x, log2e), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  const __m256 f = _mm256_fmsub_ps(x, log2e, n);
  __m256 p = _mm256_fmadd_ps(_mm256_set1_ps(5.5171669e-2f), f, _mm256_set1_ps(2.4261112e-1f));
  p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(6.9326099e-1f));
  p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(9.9992807e-1f));
  return _mm256_andnot_ps(below, _mm256_mul_ps(p, pow2i(n)));
}

// The exp of the attention softmax: unlike SiLU it must give exactly 0 for -inf and far below
// (exp256 stops at FLT_MIN there).
inline __m256 exp256_flush(__m256 x) {
  return _mm256_andnot_ps(_mm256_cmp_ps(x, _mm256_set1_ps(kExpLo), _CMP_NGE_UQ), exp256(x));
}

template <bool kFast>
inline __m256 silu_mul8(__m256 g, __m256 u) {
  const __m256 minus_g = _mm256_sub_ps(_mm256_setzero_ps(), g);
  const __m256 e = kFast ? exp256_fast(minus_g) : exp256(minus_g);
  return _mm256_mul_ps(_mm256_div_ps(g, _mm256_add_ps(_mm256_set1_ps(1.0f), e)), u);
}

template <bool kFast>
void silu_mul_avx2(const float* gate, const float* up, float* out, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_ps(out + i, silu_mul8<kFast>(_mm256_loadu_ps(gate + i), _mm256_loadu_ps(up + i)));
  }
  for (; i < n; ++i) {  // tail through the same vector code, one lane used
    alignas(32) float g[8] = {gate[i]}, u[8] = {up[i]}, o[8];
    _mm256_store_ps(o, silu_mul8<kFast>(_mm256_load_ps(g), _mm256_load_ps(u)));
    out[i] = o[0];
  }
}

template <bool kFast>
void exp_sub_avx2(const float* in, float sub, float* out, int64_t n) {
  const __m256 s = _mm256_set1_ps(sub);
  auto exp = [](__m256 x) { return kFast ? exp256_fast(x) : exp256_flush(x); };
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(out + i, exp(_mm256_sub_ps(_mm256_loadu_ps(in + i), s)));
  if (i < n) {  // tail: masked load and store of the n - i < 8 lanes left
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i m = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n - i)), lane);
    _mm256_maskstore_ps(out + i, m, exp(_mm256_sub_ps(_mm256_maskload_ps(in + i, m), s)));
  }
}

}  // namespace

void avx2_register_vec_ops(KernelSet& set) {
  set.silu_mul = silu_mul_avx2<false>;
  set.exp = exp_sub_avx2<false>;
  set.silu_mul_fast = silu_mul_avx2<true>;
  set.exp_fast = exp_sub_avx2<true>;
}

}  // namespace pocket::x86
