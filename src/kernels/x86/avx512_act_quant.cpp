// AVX-512 activation quantizers, bit-identical to ref::quantize_act_q8 and _g128: a block of 32 is
// two zmm; max |x| (exact in any order), the same scalar divisions for d and 1/d as the reference,
// round-half-even with vrndscaleps (= nearbyint in the default mode), clamp to [-127, 127] and
// vpmovsdb narrows each zmm of int32 to 16 bytes in order (no lane shuffle needed, unlike AVX2).
#include "kernels/act_quant.h"
#include "kernels/gemm.h"
#include "kernels/x86/avx512_intrin.h"
#include "kernels/x86/x86_kernels.h"

namespace pocket::x86 {
namespace {

// Blocks of 32 whose scale is set by max |x| over kSpan of them (1, or kActSpan128).
template <int kSpan>
void quantize_spans(const float* x, ActBlockQ8* out, int64_t k) {
  constexpr int64_t kValues = int64_t{kSpan} * kActBlock;
  for (int64_t s = 0; s < k / kValues; ++s) {
    const float* xs = x + s * kValues;
    __m512 vmax = _mm512_setzero_ps();
    for (int i = 0; i < 2 * kSpan; ++i)
      vmax = _mm512_max_ps(vmax, _mm512_abs_ps(_mm512_loadu_ps(xs + 16 * i)));
    const float amax = _mm512_reduce_max_ps(vmax);
    const float d = amax / 127.0f;
    const float inv = d != 0.0f ? 1.0f / d : 0.0f;
    const __m512 vinv = _mm512_set1_ps(inv);
    auto quant = [&](__m512 v) {
      const __m512 r = _mm512_roundscale_ps(_mm512_mul_ps(v, vinv),
                                            _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
      return _mm512_min_epi32(_mm512_max_epi32(_mm512_cvttps_epi32(r), _mm512_set1_epi32(-127)),
                              _mm512_set1_epi32(127));
    };
    for (int j = 0; j < kSpan; ++j) {
      ActBlockQ8& b = out[s * kSpan + j];
      const float* xb = xs + j * kActBlock;
      const __m512i q0 = quant(_mm512_loadu_ps(xb)), q1 = quant(_mm512_loadu_ps(xb + 16));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(b.q), _mm512_cvtsepi32_epi8(q0));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(b.q + 16), _mm512_cvtsepi32_epi8(q1));
      b.d = d;
      const int32_t isum = _mm512_reduce_add_epi32(_mm512_add_epi32(q0, q1));
      b.sum = d * static_cast<float>(isum);
      b.isum = isum;
    }
  }
}

}  // namespace

void avx512_register_act_quant(KernelSet& set) {
  set.quantize_act = quantize_spans<1>;
  set.quantize_act_g128 = quantize_spans<kActSpan128>;
}

}  // namespace pocket::x86
