// AVX-VNNI kernel registration (AVX2 CPUs with AVX-VNNI): on top of the AVX2 table, the x16
// kernels whose block sums use vpdpbusd.
#include "kernels/gemm.h"
#include "kernels/x86/x86_kernels.h"

namespace pocket {

void register_avxvnni_kernels(KernelSet& set) {
  x86::avxvnni_register_x16(set);
  x86::avxvnni_register_x16_q4k(set);
}

}  // namespace pocket
