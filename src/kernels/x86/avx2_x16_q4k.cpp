// AVX2 kernel of Q4_K in the x16 layout, for CPUs without AVX-512 or AVX-VNNI: avx2_x16_q4k.h
// over the vpmaddubsw block sums of avx2_x16_block.h.
#include "kernels/x86/avx2_x16_q4k.h"

#include "kernels/x86/avx2_x16_block.h"
#include "kernels/x86/x86_kernels.h"

namespace pocket::x86 {

void avx2_register_x16_q4k(KernelSet& set) {
  register_x16_q4k_kernel<MaddubsBlockSums>(set);
}

}  // namespace pocket::x86
