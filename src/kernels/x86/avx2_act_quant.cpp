// AVX2 activation quantizer: bit-identical to ref::quantize_act_q8. Per block of 32: max |x| by
// clearing sign bits and a max tree, d = amax / 127 and inv = 1 / d with the same scalar IEEE
// divisions as the reference, q = round-half-even(x * inv) (vroundps with _MM_FROUND_TO_NEAREST_INT
// is what nearbyint does in the default rounding mode), clamp to [-127, 127], then the int32 ->
// int8 packs (whose 128-bit lane order is undone with one permute) and the integer sum.
#include <immintrin.h>

#include "kernels/act_quant.h"
#include "kernels/gemm.h"
#include "kernels/x86/x86_kernels.h"

namespace pocket::x86 {
namespace {

void quantize_act_avx2(const float* x, ActBlockQ8* out, int64_t k) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  for (int64_t b = 0; b < k / kActBlock; ++b) {
    const float* xb = x + b * kActBlock;
    __m256 v[4];
    for (int i = 0; i < 4; ++i) v[i] = _mm256_loadu_ps(xb + 8 * i);
    __m256 m =
        _mm256_max_ps(_mm256_max_ps(_mm256_andnot_ps(sign, v[0]), _mm256_andnot_ps(sign, v[1])),
                      _mm256_max_ps(_mm256_andnot_ps(sign, v[2]), _mm256_andnot_ps(sign, v[3])));
    __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
    m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
    const float amax = _mm_cvtss_f32(m4);
    const float d = amax / 127.0f;
    const float inv = d != 0.0f ? 1.0f / d : 0.0f;
    const __m256 vinv = _mm256_set1_ps(inv);
    __m256i q[4];
    for (int i = 0; i < 4; ++i) {
      const __m256 r =
          _mm256_round_ps(_mm256_mul_ps(v[i], vinv), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
      q[i] = _mm256_min_epi32(_mm256_max_epi32(_mm256_cvttps_epi32(r), _mm256_set1_epi32(-127)),
                              _mm256_set1_epi32(127));
    }
    const __m256i s = _mm256_add_epi32(_mm256_add_epi32(q[0], q[1]), _mm256_add_epi32(q[2], q[3]));
    __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
    s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, _MM_SHUFFLE(1, 0, 3, 2)));
    s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, _MM_SHUFFLE(2, 3, 0, 1)));
    // packs work per 128-bit lane: the bytes come out as dwords 0,4,1,5,2,6,3,7 of the result.
    const __m256i p16a = _mm256_packs_epi32(q[0], q[1]);
    const __m256i p16b = _mm256_packs_epi32(q[2], q[3]);
    const __m256i p8 = _mm256_packs_epi16(p16a, p16b);
    const __m256i ordered =
        _mm256_permutevar8x32_epi32(p8, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out[b].q), ordered);
    out[b].d = d;
    const int32_t isum = _mm_cvtsi128_si32(s4);
    out[b].sum = d * static_cast<float>(isum);
    out[b].isum = isum;
  }
}

}  // namespace

void avx2_register_act_quant(KernelSet& set) {
  set.quantize_act = quantize_act_avx2;
}

}  // namespace pocket::x86
