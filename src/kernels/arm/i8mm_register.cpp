// i8mm kernel registration (ARMv8.6 SMMLA); Q6_K and the float types keep the dotprod / NEON
// kernels registered below this level (see dispatch.cpp).
#include "kernels/arm/kernels_arm.h"

namespace pocket {

void register_i8mm_kernels(KernelSet& set) {
  auto put = [&](DType t, GemmFn fn) { set.gemm[static_cast<size_t>(t)] = {fn, ActFormat::kQ8, 4}; };
  put(DType::kQ8_0, arm::i8mm_gemm_q8_0);
  put(DType::kQ4_0, arm::i8mm_gemm_q4_0);
  put(DType::kQ4_K, arm::i8mm_gemm_q4_k);
  arm::i8mm_register_group_types(set);
}

}  // namespace pocket
