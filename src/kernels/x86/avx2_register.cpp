// AVX2 (+FMA, F16C) kernel registration. Kernels come in later files of this folder.
#include "kernels/gemm.h"

namespace pocket {

void register_avx2_kernels(KernelSet& set) { (void)set; }

}  // namespace pocket
