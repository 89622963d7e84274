// AVX2 kernels for the 32-value block formats Q8_0, Q4_0, Q4_1, Q5_0, Q5_1 against int8
// activations. The decoders and the row x token tiling are in qgemm_tile.h; here they get the
// AVX2 dot product (maddubs + madd, zero points removed on the int16 pairs) and the tile shape:
// 4 rows x 2 tokens for prefill (8 ymm accumulators, each decoded weight group used twice), 2 rows
// x 1 token for decode (measured faster than 4 or 8 rows here: fewer live registers, and fewer
// concurrent weight streams for the hardware prefetcher).
#include "kernels/x86/qgemm_tile.h"
#include "kernels/x86/x86_kernels.h"

namespace pocket::x86 {
namespace {

template <class D>
void gemm(const GemmArgs& a) {
  if (a.n_tok == 1) {
    qgemm<Avx2Dot, D, 2, 1>(a);
  } else {
    qgemm<Avx2Dot, D, 4, 2>(a);
  }
}

}  // namespace

void avx2_register_legacy(KernelSet& set) {
  auto put = [&](DType t, GemmFn fn) {
    set.gemm[static_cast<size_t>(t)] = {fn, ActFormat::kQ8, 4};
  };
  put(DType::kQ8_0, gemm<DecQ8_0>);
  put(DType::kQ4_0, gemm<DecQ4_0>);
  put(DType::kQ4_1, gemm<DecQ4_1>);
  put(DType::kQ5_0, gemm<DecQ5_0>);
  put(DType::kQ5_1, gemm<DecQ5_1>);
  put(DType::kPQ8_G64, gemm<DecPQ8<64>>);
  put(DType::kPQ8_G128, gemm<DecPQ8<128>>);
  put(DType::kPQ4_G64, gemm<DecPQ4<64>>);
  put(DType::kPQ4_G128, gemm<DecPQ4<128>>);
  put(DType::kPQ4A_G64, gemm<DecPQ4A<64>>);
  put(DType::kPQ4A_G128, gemm<DecPQ4A<128>>);
}

}  // namespace pocket::x86
