// dotprod kernel registration (ARMv8.2 SDOT); types without a dotprod kernel keep the NEON one
// registered below this level (see dispatch.cpp).
#include "kernels/arm/kernels_arm.h"

namespace pocket {

void register_dotprod_kernels(KernelSet& set) {
  auto put = [&](DType t, GemmFn fn) { set.gemm[static_cast<size_t>(t)] = {fn, ActFormat::kQ8, 4}; };
  put(DType::kQ8_0, arm::dotprod_gemm_q8_0);
  put(DType::kQ4_0, arm::dotprod_gemm_q4_0);
  put(DType::kQ4_K, arm::dotprod_gemm_q4_k);
  put(DType::kQ6_K, arm::dotprod_gemm_q6_k);
  arm::dotprod_register_group_types(set);
}

}  // namespace pocket
