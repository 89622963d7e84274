// AVX2 kernels for the 32-value block formats Q8_0, Q4_0, Q4_1, Q5_0, Q5_1 against int8
// activations. The decoders and the row x token tiling are in qgemm_tile.h; here they get the
// AVX2 dot product (maddubs + madd, zero points removed on the int16 pairs) and the tile shape:
// 4 rows x 2 tokens for prefill (8 ymm accumulators + 4 weight groups + 2 activation groups fit in
// the 16 ymm registers), 4 rows x 1 token for decode.
#include "kernels/x86/qgemm_tile.h"
#include "kernels/x86/x86_kernels.h"

namespace pocket::x86 {

void avx2_register_legacy(KernelSet& set) {
  auto put = [&](DType t, GemmFn fn) { set.gemm[static_cast<size_t>(t)] = {fn, ActFormat::kQ8, 4}; };
  put(DType::kQ8_0, qgemm<Avx2Dot, DecQ8_0, 4, 2>);
  put(DType::kQ4_0, qgemm<Avx2Dot, DecQ4_0, 4, 2>);
  put(DType::kQ4_1, qgemm<Avx2Dot, DecQ4_1, 4, 2>);
  put(DType::kQ5_0, qgemm<Avx2Dot, DecQ5_0, 4, 2>);
  put(DType::kQ5_1, qgemm<Avx2Dot, DecQ5_1, 4, 2>);
}

}  // namespace pocket::x86
