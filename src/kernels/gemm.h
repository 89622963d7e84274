// The kernel interface: y[t][r] = dot(weight row r, activation row t) for a range of weight rows
// and all tokens. One function per (ISA, weight type); matmul() picks the table once at start-up
// and splits rows across threads. Each ISA's functions live in their own files, compiled with
// only that ISA's flags (kernels/x86/avx2_*.cpp, kernels/arm/dotprod_*.cpp, ...).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/dtype.h"
#include "kernels/act_quant.h"

namespace pocket {

enum class Isa { kScalar, kAvx2, kAvx512, kNeon, kDotprod, kI8mm };

std::string_view isa_name(Isa isa);

// What a kernel wants its activations as.
enum class ActFormat {
  kF32,  // float rows (F32 / F16 / BF16 weights: FMA in f32)
  kQ8,   // ActBlockQ8 rows (integer weight formats: int8 dot products)
};

struct GemmArgs {
  const uint8_t* w = nullptr;  // weight row 0
  size_t w_stride = 0;         // bytes per weight row
  int64_t k = 0;               // row length (elements)
  int64_t r0 = 0, r1 = 0;      // weight rows to compute
  const void* x = nullptr;     // activation row 0 (float or ActBlockQ8)
  size_t x_stride = 0;         // bytes per activation row
  int64_t n_tok = 0;
  float* y = nullptr;          // y[t * y_stride + r]
  int64_t y_stride = 0;
};

using GemmFn = void (*)(const GemmArgs& args);
using QuantizeActFn = void (*)(const float* x, ActBlockQ8* out, int64_t k);

struct GemmKernel {
  GemmFn fn = nullptr;
  ActFormat act = ActFormat::kF32;
  int row_tile = 1;  // rows per tile: thread ranges are multiples of it
};

inline constexpr size_t kMaxTypeId = 40;

struct KernelSet {
  Isa isa = Isa::kScalar;
  std::array<GemmKernel, kMaxTypeId> gemm{};  // by DType id; fn null: not provided
  QuantizeActFn quantize_act = nullptr;

  const GemmKernel* find(DType t) const {
    const auto id = static_cast<size_t>(t);
    return id < gemm.size() && gemm[id].fn ? &gemm[id] : nullptr;
  }
};

// The table for the best ISA this CPU supports, or the one POCKET_ISA names
// (scalar|avx2|avx512|neon|dotprod|i8mm; an unsupported choice is an error at first use).
// Types an ISA does not cover fall back to the scalar kernels.
const KernelSet& active_kernels();
// A specific ISA's table (scalar entries filled in), or null if this build or CPU lacks it.
const KernelSet* kernels_for(Isa isa);

// Per-ISA registration (defined in each ISA's files; only those built for this target exist).
void register_scalar_kernels(KernelSet& set);
void register_avx2_kernels(KernelSet& set);
void register_avx512_kernels(KernelSet& set);
void register_neon_kernels(KernelSet& set);
void register_dotprod_kernels(KernelSet& set);
void register_i8mm_kernels(KernelSet& set);

}  // namespace pocket
