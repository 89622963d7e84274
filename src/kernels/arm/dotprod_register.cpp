// dotprod kernel registration.
#include "kernels/gemm.h"

namespace pocket {

void register_dotprod_kernels(KernelSet& set) { (void)set; }

}  // namespace pocket
