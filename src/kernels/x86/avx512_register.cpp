// AVX-512 (F/BW/VL/DQ + VNNI) kernel registration. The table starts from the AVX2 one
// (dispatch.cpp), so a type without an AVX-512 kernel keeps its AVX2 kernel.
#include "kernels/gemm.h"
#include "kernels/x86/x86_kernels.h"

namespace pocket {

void register_avx512_kernels(KernelSet& set) {
  x86::avx512_register_act_quant(set);
  x86::avx512_register_float(set);
  x86::avx512_register_quant(set);
  x86::avx512_register_x16(set);
  x86::avx512_register_x16_float(set);
  x86::avx512_register_x16_q4k(set);
  x86::avx512_register_vec_ops(set);
  register_avx512_attn_kernels(set);
}

}  // namespace pocket
