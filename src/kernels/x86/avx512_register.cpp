// AVX-512 (F/BW/VL + VNNI) kernel registration.
#include "kernels/gemm.h"

namespace pocket {

void register_avx512_kernels(KernelSet& set) { (void)set; }

}  // namespace pocket
