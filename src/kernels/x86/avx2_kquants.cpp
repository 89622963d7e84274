// AVX2 kernels for the K formats Q4_K, Q5_K, Q6_K against int8 activations. A 256-value
// super-block is read as 8 groups of 32 aligned with the activation blocks; its packed 6-bit
// (Q4_K/Q5_K) or int8 (Q6_K) sub-scales are unpacked to f32 once per super-block and row, then
// each group is one maddubs dot product (qgemm_tile.h). Q4_K/Q5_K mins use the activation block
// sums (min * d_a * sum(q_a)), so no per-value subtraction; Q6_K's zero point 32 is removed on
// the int16 pairs. Tile: 4 rows x 2 tokens (prefill), 2 rows x 1 token (decode, as in
// avx2_legacy.cpp).
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

void avx2_register_kquants(KernelSet& set) {
  auto put = [&](DType t, GemmFn fn) {
    set.gemm[static_cast<size_t>(t)] = {fn, ActFormat::kQ8, 4};
  };
  put(DType::kQ4_K, gemm<DecQ4_K>);
  put(DType::kQ5_K, gemm<DecQ5_K>);
  put(DType::kQ6_K, gemm<DecQ6_K>);
}

}  // namespace pocket::x86
