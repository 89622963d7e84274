// AVX2 (+FMA, F16C) kernel registration: one call per kernel family file of this folder.
#include "kernels/gemm.h"
#include "kernels/x86/x86_kernels.h"

namespace pocket {

void register_avx2_kernels(KernelSet& set) {
  x86::avx2_register_act_quant(set);
  x86::avx2_register_float(set);
  x86::avx2_register_legacy(set);
  x86::avx2_register_kquants(set);
  x86::avx2_register_x16(set);
  x86::avx2_register_x16_q4k(set);
  x86::avx2_register_vec_ops(set);
  register_avx2_attn_kernels(set);
}

}  // namespace pocket
