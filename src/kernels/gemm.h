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

// kAvxVnni: AVX2 with AVX-VNNI (vpdpbusd on 256-bit registers, no AVX-512: Intel cores from
// Alder Lake on).
enum class Isa { kScalar, kAvx2, kAvxVnni, kAvx512, kNeon, kDotprod, kI8mm };
inline constexpr Isa kAllIsas[] = {Isa::kScalar, Isa::kAvx2,    Isa::kAvxVnni, Isa::kAvx512,
                                   Isa::kNeon,   Isa::kDotprod, Isa::kI8mm};

std::string_view isa_name(Isa isa);

// What a kernel wants its activations as.
enum class ActFormat {
  kF32,     // float rows (F32 / F16 / BF16 weights: FMA in f32)
  kQ8,      // ActBlockQ8 rows (integer weight formats: int8 dot products)
  kQ8G128,  // ActBlockQ8 rows whose 4 blocks of each 128 values share one scale (act_quant.h)
};

inline bool is_int8(ActFormat f) {
  return f != ActFormat::kF32;
}

struct GemmArgs {
  const uint8_t* w = nullptr;  // weight row 0
  size_t w_stride = 0;         // bytes per weight row
  int64_t k = 0;               // row length (elements)
  int64_t r0 = 0, r1 = 0;      // weight rows to compute
  const void* x = nullptr;     // activation row 0 (float or ActBlockQ8)
  size_t x_stride = 0;         // bytes per activation row
  int64_t n_tok = 0;
  float* y = nullptr;  // y[t * y_stride + r]
  int64_t y_stride = 0;
  // Nonzero: names the contents of x (new_activation_version()). A product makes one kernel call
  // per chunk of rows, all with the same x_version, so a kernel may keep what it derives from x
  // (a reordering of the activations) between those calls: kernels/act_prep_cache.h. 0: no reuse.
  uint64_t x_version = 0;
};

// A process-wide unique, nonzero number for GemmArgs::x_version; call it each time x is written.
uint64_t new_activation_version();

using GemmFn = void (*)(const GemmArgs& args);
using QuantizeActFn = void (*)(const float* x, ActBlockQ8* out, int64_t k);

struct GemmKernel {
  GemmFn fn = nullptr;
  ActFormat act = ActFormat::kF32;
  int row_tile = 1;  // rows per tile: thread ranges are multiples of it
};

// Covers GGML's ids (< 40), our own group-wise types (100..) and the load-time layouts (120..128,
// core/dtype.h).
inline constexpr size_t kMaxTypeId = 129;

// KV cache row formats (runtime/kv_cache.h has the layouts). kQ8: int8 values with one f32 scale
// per block of kv_q8_block(n) values (32, or the whole row when n is not a multiple of 32).
enum class KvType : uint8_t { kF32, kF16, kQ8 };
inline constexpr size_t kNumKvTypes = 3;
inline constexpr int64_t kv_q8_block(int64_t n) {
  return n % 32 == 0 ? 32 : n;
}

// n_rows KV rows of one head (n values each), rows row_stride bytes apart; q8 rows also have
// n / kv_q8_block(n) scales, scale_stride floats apart.
struct KvRows {
  const uint8_t* data = nullptr;
  size_t row_stride = 0;
  const float* scales = nullptr;
  int64_t scale_stride = 0;
  int64_t n_rows = 0;
  int64_t n = 0;
};

// Attention inner loops: out[i] = dot(q, row i) and acc += sum_i w[i] * row i.
using AttnDotFn = void (*)(const KvRows& rows, const float* q, float* out);
using AttnAxpyFn = void (*)(const KvRows& rows, const float* w, float* acc);

struct AttnKernel {
  AttnDotFn dot = nullptr;
  AttnAxpyFn axpy = nullptr;
};

// out[i] = silu(gate[i]) * up[i] (out may alias gate).
using SiluMulFn = void (*)(const float* gate, const float* up, float* out, int64_t n);
// out[i] = exp(in[i] - sub) (out may alias in; in[i] - sub is rounded to float first). Results
// below FLT_MIN (in[i] - sub < -87.3) may be flushed to 0; -inf gives 0. The online softmax of
// runtime/attention uses it on each block of scores.
using ExpFn = void (*)(const float* in, float sub, float* out, int64_t n);

struct KernelSet {
  Isa isa = Isa::kScalar;
  SiluMulFn silu_mul = nullptr;
  ExpFn exp = nullptr;
  // ContextParams::fast_math: the same operations with a cheaper exp (2^x split, degree-3
  // polynomial, relative error < 1e-4; ref::exp_fast in kernels/ref/ops.cpp defines it exactly).
  SiluMulFn silu_mul_fast = nullptr;
  ExpFn exp_fast = nullptr;
  std::array<GemmKernel, kMaxTypeId> gemm{};   // by DType id; fn null: not provided
  QuantizeActFn quantize_act = nullptr;        // ActFormat::kQ8
  QuantizeActFn quantize_act_g128 = nullptr;   // ActFormat::kQ8G128
  std::array<AttnKernel, kNumKvTypes> attn{};  // by KvType

  // The quantizer of an int8 format.
  QuantizeActFn quantizer(ActFormat f) const {
    return f == ActFormat::kQ8G128 ? quantize_act_g128 : quantize_act;
  }

  const GemmKernel* find(DType t) const {
    const auto id = static_cast<size_t>(t);
    return id < gemm.size() && gemm[id].fn ? &gemm[id] : nullptr;
  }
};

// The table for the best ISA this CPU supports, or the one POCKET_ISA names
// (scalar|avx2|avxvnni|avx512|neon|dotprod|i8mm; an unsupported choice is an error at first use).
// Types an ISA does not cover fall back to the scalar kernels.
const KernelSet& active_kernels();
// A specific ISA's table (scalar entries filled in), or null if this build or CPU lacks it.
const KernelSet* kernels_for(Isa isa);

// Per-ISA registration (defined in each ISA's files; only those built for this target exist).
void register_scalar_kernels(KernelSet& set);
void register_avx2_kernels(KernelSet& set);
void register_avxvnni_kernels(KernelSet& set);
void register_avx512_kernels(KernelSet& set);
void register_neon_kernels(KernelSet& set);
void register_dotprod_kernels(KernelSet& set);
void register_i8mm_kernels(KernelSet& set);
// Attention primitives (kernels/ref/attn_ref.cpp, x86/avx2_attn.cpp, x86/avx512_attn.cpp,
// arm/neon_attn.cpp).
void register_scalar_attn_kernels(KernelSet& set);
void register_avx2_attn_kernels(KernelSet& set);
void register_avx512_attn_kernels(KernelSet& set);
void register_neon_attn_kernels(KernelSet& set);

}  // namespace pocket
