// The scalar kernels: the oracle for every ISA's kernels and the fallback where an ISA has none.
// Integer formats take quantized activations like the fast kernels do, and compute the same
// value they must: dot(dequantized weights, dequantized activations), summed in double.
#include <vector>

#include "kernels/gemm.h"
#include "kernels/ref/dequant.h"
#include "kernels/ref/gemm_ref_group.h"
#include "kernels/repack_x16.h"

namespace pocket {
namespace {

template <DType kType>
void gemm_f32_act(const GemmArgs& a) {
  thread_local std::vector<float> row;
  row.resize(static_cast<size_t>(a.k));
  for (int64_t r = a.r0; r < a.r1; ++r) {
    dequantize_row(kType, a.w + static_cast<size_t>(r) * a.w_stride, row.data(), a.k);
    for (int64_t t = 0; t < a.n_tok; ++t) {
      const auto* x = reinterpret_cast<const float*>(static_cast<const uint8_t*>(a.x) +
                                                     static_cast<size_t>(t) * a.x_stride);
      double sum = 0.0;
      for (int64_t i = 0; i < a.k; ++i)
        sum += static_cast<double>(row[static_cast<size_t>(i)]) * x[i];
      a.y[t * a.y_stride + r] = static_cast<float>(sum);
    }
  }
}

template <DType kType>
void gemm_q8_act(const GemmArgs& a) {
  thread_local std::vector<float> row;
  thread_local std::vector<float> acts;
  const auto k = static_cast<size_t>(a.k);
  row.resize(k);
  acts.resize(k * static_cast<size_t>(a.n_tok));
  for (int64_t t = 0; t < a.n_tok; ++t) {
    const auto* blocks = reinterpret_cast<const ActBlockQ8*>(static_cast<const uint8_t*>(a.x) +
                                                             static_cast<size_t>(t) * a.x_stride);
    for (int64_t b = 0; b < a.k / kActBlock; ++b) {
      for (int i = 0; i < kActBlock; ++i) {
        acts[static_cast<size_t>(t) * k + static_cast<size_t>(b * kActBlock + i)] =
            blocks[b].d * blocks[b].q[i];
      }
    }
  }
  for (int64_t r = a.r0; r < a.r1; ++r) {
    dequantize_row(kType, a.w + static_cast<size_t>(r) * a.w_stride, row.data(), a.k);
    for (int64_t t = 0; t < a.n_tok; ++t) {
      const float* x = &acts[static_cast<size_t>(t) * k];
      double sum = 0.0;
      for (size_t i = 0; i < k; ++i) sum += static_cast<double>(row[i]) * x[i];
      a.y[t * a.y_stride + r] = static_cast<float>(sum);
    }
  }
}

}  // namespace

void register_scalar_kernels(KernelSet& set) {
  auto f32 = [&](DType t, GemmFn fn) {
    set.gemm[static_cast<size_t>(t)] = {fn, ActFormat::kF32, 1};
  };
  auto q8 = [&](DType t, GemmFn fn) { set.gemm[static_cast<size_t>(t)] = {fn, ActFormat::kQ8, 1}; };
  f32(DType::kF32, gemm_f32_act<DType::kF32>);
  f32(DType::kF16, gemm_f32_act<DType::kF16>);
  f32(DType::kBF16, gemm_f32_act<DType::kBF16>);
  q8(DType::kQ8_0, gemm_q8_act<DType::kQ8_0>);
  q8(DType::kQ4_0, gemm_q8_act<DType::kQ4_0>);
  q8(DType::kQ4_1, gemm_q8_act<DType::kQ4_1>);
  q8(DType::kQ5_0, gemm_q8_act<DType::kQ5_0>);
  q8(DType::kQ5_1, gemm_q8_act<DType::kQ5_1>);
  q8(DType::kQ4_K, gemm_q8_act<DType::kQ4_K>);
  q8(DType::kQ5_K, gemm_q8_act<DType::kQ5_K>);
  q8(DType::kQ6_K, gemm_q8_act<DType::kQ6_K>);
  register_scalar_group_kernels(set, gemm_f32_act<DType::kPFP8_G128>);
  register_scalar_x16_kernels(set);
  set.quantize_act = ref::quantize_act_q8;
  set.quantize_act_g128 = ref::quantize_act_q8_g128;
}

}  // namespace pocket
