// Entry points of the ARM kernels, one per (ISA, weight type); registered by <isa>_register.cpp.
// Each is defined in a file compiled with only its own ISA's flags.
#pragma once

#include "kernels/gemm.h"

namespace pocket::arm {

// NEON (ARMv8-A baseline).
void neon_quantize_act(const float* x, ActBlockQ8* out, int64_t k);
void neon_gemm_f32(const GemmArgs& a);
void neon_gemm_f16(const GemmArgs& a);
void neon_gemm_bf16(const GemmArgs& a);
void neon_gemm_q8_0(const GemmArgs& a);
void neon_gemm_q4_0(const GemmArgs& a);
void neon_gemm_q4_k(const GemmArgs& a);
void neon_gemm_q6_k(const GemmArgs& a);
void neon_register_group_types(KernelSet& set);  // PQ8/PQ4/PQ4A, G 64 and 128
void neon_register_vec_ops(KernelSet& set);      // silu_mul, exp and their fast variants

// ARMv8.2 dot product (SDOT).
void dotprod_gemm_q8_0(const GemmArgs& a);
void dotprod_gemm_q4_0(const GemmArgs& a);
void dotprod_gemm_q4_k(const GemmArgs& a);
void dotprod_gemm_q6_k(const GemmArgs& a);
void dotprod_register_group_types(KernelSet& set);

// ARMv8.6 int8 matrix multiply (SMMLA).
void i8mm_gemm_q8_0(const GemmArgs& a);
void i8mm_gemm_q4_0(const GemmArgs& a);
void i8mm_gemm_q4_k(const GemmArgs& a);
void i8mm_register_group_types(KernelSet& set);

}  // namespace pocket::arm
