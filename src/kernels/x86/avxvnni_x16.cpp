// AVX-VNNI kernels of the group types in the x16 layout (AVX2 CPUs with AVX-VNNI: Intel cores
// from Alder Lake on, which have no AVX-512): the tiles of avx2_x16_group.h over the vpdpbusd
// block sums of avxvnni_x16_block.h.
#include "kernels/x86/avx2_x16_group.h"
#include "kernels/x86/avxvnni_x16_block.h"
#include "kernels/x86/x86_kernels.h"

namespace pocket::x86 {

void avxvnni_register_x16(KernelSet& set) {
  register_x16_group_kernels<VnniBlockSums>(set);
}

}  // namespace pocket::x86
