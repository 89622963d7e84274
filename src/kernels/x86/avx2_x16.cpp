// AVX2 kernels of the group types in the x16 layout, for CPUs without AVX-512 or AVX-VNNI: the
// tiles of avx2_x16_group.h over the vpmaddubsw block sums of avx2_x16_block.h.
#include "kernels/x86/avx2_x16_block.h"
#include "kernels/x86/avx2_x16_group.h"
#include "kernels/x86/x86_kernels.h"

namespace pocket::x86 {

void avx2_register_x16(KernelSet& set) {
  register_x16_group_kernels<MaddubsBlockSums>(set);
}

}  // namespace pocket::x86
