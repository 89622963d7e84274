// AVX-VNNI kernel of Q4_K in the x16 layout: avx2_x16_q4k.h over the vpdpbusd block sums of
// avxvnni_x16_block.h.
#include "kernels/x86/avx2_x16_q4k.h"
#include "kernels/x86/avxvnni_x16_block.h"
#include "kernels/x86/x86_kernels.h"

namespace pocket::x86 {

void avxvnni_register_x16_q4k(KernelSet& set) {
  register_x16_q4k_kernel<VnniBlockSums>(set);
}

}  // namespace pocket::x86
