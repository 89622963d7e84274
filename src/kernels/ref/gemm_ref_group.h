// Internal to kernels/ref: registers the scalar kernels of our group-wise types (PQ*, PFP8).
#pragma once

#include "kernels/gemm.h"

namespace pocket {

// fp8_kernel: the f32-activation kernel of PFP8_G128 (gemm_ref.cpp's dequantize-and-dot).
void register_scalar_group_kernels(KernelSet& set, GemmFn fp8_kernel);

}  // namespace pocket
