// Registration hooks of the x86 kernel families. Each family lives in its own file compiled with
// its ISA's flags (avx2_*.cpp: AVX2+FMA+F16C; avxvnni_*.cpp: those + AVX-VNNI; avx512_*.cpp:
// AVX-512 F/BW/VL/DQ + VNNI); avx2_register.cpp, avxvnni_register.cpp and avx512_register.cpp
// call these. Nothing here uses intrinsics, so any file
// may include it.
#pragma once

#include "kernels/gemm.h"

namespace pocket::x86 {

void avx2_register_act_quant(KernelSet& set);
void avx2_register_float(KernelSet& set);    // F32, F16, BF16
void avx2_register_legacy(KernelSet& set);   // Q8_0, Q4_0, Q4_1, Q5_0, Q5_1
void avx2_register_kquants(KernelSet& set);  // Q4_K, Q5_K, Q6_K
void avx2_register_x16(KernelSet& set);      // the x16 layouts (kernels/repack_x16.h)
void avx2_register_x16_q4k(KernelSet& set);  // and Q4_K's

void avxvnni_register_x16(KernelSet& set);      // avx2_x16_group.h over vpdpbusd block sums
void avxvnni_register_x16_q4k(KernelSet& set);  // avx2_x16_q4k.h over them

void avx512_register_act_quant(KernelSet& set);
void avx512_register_float(KernelSet& set);
void avx512_register_quant(KernelSet& set);      // all integer types, VNNI dot products
void avx512_register_x16(KernelSet& set);        // the load-time x16 layout (kernels/repack_x16.h)
void avx512_register_x16_float(KernelSet& set);  // its F16 and BF16 forms
void avx512_register_x16_q4k(KernelSet& set);    // and Q4_K's
// One-token products from the file layout; false (and nothing done) when the type or shape is not
// theirs, and the caller runs its generic kernel:
//   Q4_0 and Q8_0, any k (avx512_lane_gemv.cpp); PQ4_G64 and PQ4_G128 with k a multiple of 128
//   (avx512_nibble_gemv.cpp); Q6_K (avx512_q6k_gemv.cpp).
bool avx512_lane_gemv(DType type, const GemmArgs& a);
bool avx512_nibble_gemv(DType type, const GemmArgs& a);
bool avx512_q6k_gemv(DType type, const GemmArgs& a);  // Q6_K, k a multiple of 256
void avx2_register_vec_ops(KernelSet& set);           // silu_mul, exp and their fast variants
void avx512_register_vec_ops(KernelSet& set);

}  // namespace pocket::x86
