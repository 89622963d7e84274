// neon kernel registration.
#include "kernels/gemm.h"

namespace pocket {

void register_neon_kernels(KernelSet& set) { (void)set; }

}  // namespace pocket
