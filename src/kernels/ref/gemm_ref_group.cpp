// Scalar kernels of our group-wise integer types (PQ8_*, PQ4_*, PQ4A_*): the oracle the SIMD
// kernels of these types must reproduce. Written the way a fast kernel computes, so the
// arithmetic to copy is explicit:
//   for each 32-value sub-block b of a weight group g (scale d_g, offset m_g) and the activation
//   block b of token t (scale a.d, a.sum = a.d * sum(a.q)):
//     isum = sum_i w_q[i] * a.q[i]                  (int32; w_q = int8 q, q - 8, or q for asym)
//     y   += d_g * a.d * isum  (+ m_g * a.sum for asymmetric types)
// accumulated in double so that the oracle's own rounding is negligible.
#include "kernels/ref/gemm_ref_group.h"

#include <cstring>
#include <vector>

#include "kernels/gemm.h"
#include "kernels/ref/group_format.h"

namespace pocket {
namespace {

// One weight row unpacked to signed integers and per-group scales/offsets.
struct UnpackedRow {
  std::vector<int8_t> q;
  std::vector<float> d, m;
};

void unpack_row(const GroupFormat& f, const uint8_t* row, int64_t k, UnpackedRow& out) {
  const int64_t groups = k / f.group;
  out.q.resize(static_cast<size_t>(k));
  out.d.resize(static_cast<size_t>(groups));
  out.m.resize(static_cast<size_t>(groups));
  uint8_t codes[256];
  for (int64_t g = 0; g < groups; ++g) {
    unpack_group(f, row + g * f.block_bytes, &out.d[static_cast<size_t>(g)],
                 &out.m[static_cast<size_t>(g)], codes);
    for (int i = 0; i < f.group; ++i) {
      // int8 codes are two's complement; symmetric 4-bit codes are offset by 8.
      const int v = f.code == GroupCode::kInt8 ? static_cast<int8_t>(codes[i])
                    : f.has_min                ? codes[i]
                                               : codes[i] - 8;
      out.q[static_cast<size_t>(g * f.group + i)] = static_cast<int8_t>(v);
    }
  }
}

template <DType kType>
void gemm_group_q8(const GemmArgs& a) {
  static const GroupFormat f = *group_format(kType);
  thread_local UnpackedRow w;
  const int64_t sub_per_group = f.group / kActBlock;
  for (int64_t r = a.r0; r < a.r1; ++r) {
    unpack_row(f, a.w + static_cast<size_t>(r) * a.w_stride, a.k, w);
    for (int64_t t = 0; t < a.n_tok; ++t) {
      const auto* act = reinterpret_cast<const ActBlockQ8*>(static_cast<const uint8_t*>(a.x) +
                                                            static_cast<size_t>(t) * a.x_stride);
      double sum = 0.0;
      for (int64_t b = 0; b < a.k / kActBlock; ++b) {
        const int8_t* wq = &w.q[static_cast<size_t>(b * kActBlock)];
        int32_t isum = 0;
        for (int i = 0; i < kActBlock; ++i) isum += static_cast<int32_t>(wq[i]) * act[b].q[i];
        const auto g = static_cast<size_t>(b / sub_per_group);
        sum += static_cast<double>(w.d[g]) * act[b].d * isum;
        if (f.has_min) sum += static_cast<double>(w.m[g]) * act[b].sum;
      }
      a.y[t * a.y_stride + r] = static_cast<float>(sum);
    }
  }
}

}  // namespace

void register_scalar_group_kernels(KernelSet& set, GemmFn fp8_kernel) {
  auto q8 = [&](DType t, GemmFn fn) { set.gemm[static_cast<size_t>(t)] = {fn, ActFormat::kQ8, 1}; };
  q8(DType::kPQ8_G64, gemm_group_q8<DType::kPQ8_G64>);
  q8(DType::kPQ8_G128, gemm_group_q8<DType::kPQ8_G128>);
  q8(DType::kPQ4_G64, gemm_group_q8<DType::kPQ4_G64>);
  q8(DType::kPQ4_G128, gemm_group_q8<DType::kPQ4_G128>);
  q8(DType::kPQ4A_G64, gemm_group_q8<DType::kPQ4A_G64>);
  q8(DType::kPQ4A_G128, gemm_group_q8<DType::kPQ4A_G128>);
  // FP8 has no integer dot product on our targets: it takes f32 activations.
  set.gemm[static_cast<size_t>(DType::kPFP8_G128)] = {fp8_kernel, ActFormat::kF32, 1};
}

}  // namespace pocket
