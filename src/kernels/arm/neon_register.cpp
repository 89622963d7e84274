// neon kernel registration (ARMv8-A baseline Advanced SIMD).
#include "kernels/arm/kernels_arm.h"

namespace pocket {

void register_neon_kernels(KernelSet& set) {
  auto put = [&](DType t, GemmFn fn, ActFormat act) {
    set.gemm[static_cast<size_t>(t)] = {fn, act, 4};
  };
  put(DType::kF32, arm::neon_gemm_f32, ActFormat::kF32);
  put(DType::kF16, arm::neon_gemm_f16, ActFormat::kF32);
  put(DType::kBF16, arm::neon_gemm_bf16, ActFormat::kF32);
  put(DType::kQ8_0, arm::neon_gemm_q8_0, ActFormat::kQ8);
  put(DType::kQ4_0, arm::neon_gemm_q4_0, ActFormat::kQ8);
  put(DType::kQ4_K, arm::neon_gemm_q4_k, ActFormat::kQ8);
  put(DType::kQ6_K, arm::neon_gemm_q6_k, ActFormat::kQ8);
  arm::neon_register_group_types(set);
  set.quantize_act = arm::neon_quantize_act;
  register_neon_attn_kernels(set);
  arm::neon_register_vec_ops(set);
}

}  // namespace pocket
