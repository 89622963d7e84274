// AVX-512 VNNI kernels for every integer weight format (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K,
// Q6_K) against int8 activations. Same decoders and tiling as AVX2 (qgemm_tile.h); the dot
// product is vpdpbusd (u8 x s8, 4 products summed into each int32 lane, no int16 saturation as
// with maddubs). Zero points are folded into the accumulator's start value: dpbusd(-z * sum(a),
// q, a) = sum((q - z) * a), where z * sum(a) per lane is itself one dpbusd on the activations,
// done once per token and group and shared by the rows of the tile. Q8_0 is signed: flipping
// the top bit (q ^ 0x80 = q + 128) makes it unsigned with zero point 128.
// With 32 vector registers the tiles are larger than AVX2's: 4 rows x 4 tokens (16 accumulators)
// for prefill, 8 rows x 1 token for decode (8 independent accumulator chains).
#include "kernels/x86/avx512_intrin.h"  // first: see there
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
      return _mm256_sub_epi32(zero, _mm256_dpbusd_epi32(zero, _mm256_set1_epi8(static_cast<char>(z)), a));
    }
    return zero;
  }
  template <class D>
  static __m256i dot(__m256i q, __m256i a, __m256i corr) {
    if constexpr (D::kSigned) q = _mm256_xor_si256(q, _mm256_set1_epi8(static_cast<char>(0x80)));
    return _mm256_dpbusd_epi32(corr, q, a);
  }
};

template <class D>
void gemm(const GemmArgs& a) {
  if (a.n_tok == 1) {
    qgemm<VnniDot, D, 8, 1>(a);
  } else {
    qgemm<VnniDot, D, 4, 4>(a);
  }
}

}  // namespace

void avx512_register_quant(KernelSet& set) {
  auto put = [&](DType t, GemmFn fn) { set.gemm[static_cast<size_t>(t)] = {fn, ActFormat::kQ8, 8}; };
  put(DType::kQ8_0, gemm<DecQ8_0>);
  put(DType::kQ4_0, gemm<DecQ4_0>);
  put(DType::kQ4_1, gemm<DecQ4_1>);
  put(DType::kQ5_0, gemm<DecQ5_0>);
  put(DType::kQ5_1, gemm<DecQ5_1>);
  put(DType::kQ4_K, gemm<DecQ4_K>);
  put(DType::kQ5_K, gemm<DecQ5_K>);
  put(DType::kQ6_K, gemm<DecQ6_K>);
}

}  // namespace pocket::x86
