// AVX-512 element-wise operations of the forward pass. exp is Cephes' expf scheme: n = round(x /
// ln 2), r = x - n ln 2 (ln 2 split in two so r is exact), a degree-6 polynomial for e^r on
// [-ln2/2, ln2/2], then 2^n with vscalefps (which also gives inf and 0 at the ends of the range).
// Its error is a couple of ulp against std::exp, far below what the weights' rounding leaves.
// The *_fast variants (ContextParams::fast_math) compute ref::exp_fast's approximation.
#include "kernels/gemm.h"
#include "kernels/x86/avx512_intrin.h"  // first: see there
#include "kernels/x86/x86_kernels.h"

namespace pocket::x86 {
namespace {

inline __m512 exp512(__m512 x) {
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
  __m512 p = _mm512_set1_ps(1.9875691500e-4f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
  p = _mm512_fmadd_ps(_mm512_mul_ps(p, r), r, _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
  return _mm512_scalef_ps(p, n);
}

constexpr float kExpLo = -87.3365478515625f;  // ln FLT_MIN (the scalar and AVX2 limits)

// ref::exp_fast, operation for operation (see there); scalef gives ldexp's result.
inline __m512 exp512_fast(__m512 x) {
  const __m512 lo = _mm512_set1_ps(kExpLo);
  const __mmask16 keep = _mm512_cmp_ps_mask(x, lo, _CMP_GE_OQ);  // the scalar's x >= lo
  x = _mm512_max_ps(_mm512_min_ps(x, _mm512_set1_ps(88.0f)), lo);
  const __m512 log2e = _mm512_set1_ps(1.44269504088896341f);
  const __m512 n =
      _mm512_roundscale_ps(_mm512_mul_ps(x, log2e), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  const __m512 f = _mm512_fmsub_ps(x, log2e, n);
  __m512 p = _mm512_fmadd_ps(_mm512_set1_ps(5.5171669e-2f), f, _mm512_set1_ps(2.4261112e-1f));
  p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(6.9326099e-1f));
  p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(9.9992807e-1f));
  return _mm512_maskz_scalef_ps(keep, p, n);
}

// The exp of the attention softmax: 0 below FLT_MIN like the other ISAs, and for -inf (where
// exp512 would compute -inf + inf).
inline __m512 exp512_flush(__m512 x) {
  const __m512 lo = _mm512_set1_ps(kExpLo);
  return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(x, lo, _CMP_GE_OQ), exp512(_mm512_max_ps(x, lo)));
}

template <bool kFast>
inline __m512 silu_mul16(__m512 g, __m512 u) {
  const __m512 minus_g = _mm512_sub_ps(_mm512_setzero_ps(), g);
  const __m512 e = kFast ? exp512_fast(minus_g) : exp512(minus_g);
  return _mm512_mul_ps(_mm512_div_ps(g, _mm512_add_ps(_mm512_set1_ps(1.0f), e)), u);
}

template <bool kFast>
void silu_mul_avx512(const float* gate, const float* up, float* out, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    _mm512_storeu_ps(out + i,
                     silu_mul16<kFast>(_mm512_loadu_ps(gate + i), _mm512_loadu_ps(up + i)));
  }
  if (i < n) {
    const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1);
    _mm512_mask_storeu_ps(
        out + i, m,
        silu_mul16<kFast>(_mm512_maskz_loadu_ps(m, gate + i), _mm512_maskz_loadu_ps(m, up + i)));
  }
}

template <bool kFast>
void exp_sub_avx512(const float* in, float sub, float* out, int64_t n) {
  const __m512 s = _mm512_set1_ps(sub);
  auto exp = [](__m512 x) { return kFast ? exp512_fast(x) : exp512_flush(x); };
  int64_t i = 0;
  for (; i + 16 <= n; i += 16)
    _mm512_storeu_ps(out + i, exp(_mm512_sub_ps(_mm512_loadu_ps(in + i), s)));
  if (i < n) {
    const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1);
    _mm512_mask_storeu_ps(out + i, m, exp(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, in + i), s)));
  }
}

}  // namespace

void avx512_register_vec_ops(KernelSet& set) {
  set.silu_mul = silu_mul_avx512<false>;
  set.exp = exp_sub_avx512<false>;
  set.silu_mul_fast = silu_mul_avx512<true>;
  set.exp_fast = exp_sub_avx512<true>;
}

}  // namespace pocket::x86
