// i8mm kernel registration.
#include "kernels/gemm.h"

namespace pocket {

void register_i8mm_kernels(KernelSet& set) { (void)set; }

}  // namespace pocket
