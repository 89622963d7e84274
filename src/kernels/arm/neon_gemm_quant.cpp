// Integer-weight kernels for plain NEON: 4 weight rows x up to 4 tokens per tile, each 32-value
// weight slice decoded once per tile; int8 products with SMULL/SMULL2 + SADDLP/SADALP, one f32
// FMA per slice and (row, token) with the product of the two scales.
#include "kernels/arm/kernels_arm.h"
#include "kernels/arm/quant_tile.h"

namespace pocket::arm {

void neon_gemm_q8_0(const GemmArgs& a) {
  gemm_q8act<FmtQ8_0, DotNeon>(a);
}
void neon_gemm_q4_0(const GemmArgs& a) {
  gemm_q8act<FmtQ4_0, DotNeon>(a);
}
void neon_gemm_q4_k(const GemmArgs& a) {
  gemm_q8act<FmtQ4_K, DotNeon>(a);
}
void neon_gemm_q6_k(const GemmArgs& a) {
  gemm_q8act<FmtQ6_K, DotNeon>(a);
}

namespace {
template <class Fmt>
struct NeonKernel {
  static void run(const GemmArgs& a) { gemm_q8act<Fmt, DotNeon>(a); }
};
}  // namespace

void neon_register_group_types(KernelSet& set) {
  register_group_types<NeonKernel>(set, 4);
}

}  // namespace pocket::arm
