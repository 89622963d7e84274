// Integer-weight kernels with the ARMv8.2 dot product: same 4-rows x 4-tokens tile as the NEON
// kernels (quant_tile.h), with two SDOTs (vdotq_s32) per 32-value slice and (row, token).
#include "kernels/arm/kernels_arm.h"
#include "kernels/arm/quant_tile.h"

namespace pocket::arm {

void dotprod_gemm_q8_0(const GemmArgs& a) {
  gemm_q8act<FmtQ8_0, DotSdot>(a);
}
void dotprod_gemm_q4_0(const GemmArgs& a) {
  gemm_q8act<FmtQ4_0, DotSdot>(a);
}
void dotprod_gemm_q4_k(const GemmArgs& a) {
  gemm_q8act<FmtQ4_K, DotSdot>(a);
}
void dotprod_gemm_q6_k(const GemmArgs& a) {
  gemm_q8act<FmtQ6_K, DotSdot>(a);
}

namespace {
template <class Fmt>
struct SdotKernel {
  static void run(const GemmArgs& a) { gemm_q8act<Fmt, DotSdot>(a); }
};
}  // namespace

void dotprod_register_group_types(KernelSet& set) {
  register_group_types<SdotKernel>(set, 4);
}

}  // namespace pocket::arm
