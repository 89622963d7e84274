// matmul() as the forward pass calls it: activations quantized once per product and shared by
// every thread, rows split across a pool of 1..4 threads, several tokens. Every output is checked
// against a plain double-precision dot product of the dequantized weight row with the values the
// kernel was given (the activations as quantized per 32-block for integer types).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "core/tensor.h"
#include "core/thread_pool.h"
#include "kernels/act_quant.h"
#include "kernels/gemm.h"
#include "kernels/matmul.h"
#include "kernels/ref/dequant.h"

namespace pocket {
namespace {

std::vector<float> normal_values(int64_t n, std::mt19937& rng) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = normal(rng);
  return v;
}

TEST(MatmulThreads, EveryThreadCountAndTokenCountMatchesTheReference) {
  std::mt19937 rng(std::random_device{}());
  const int64_t k = 256 + 64, rows = 37;
  for (DType type : {DType::kF32, DType::kF16, DType::kQ8_0, DType::kQ4_0, DType::kQ5_1}) {
    const size_t stride = row_bytes(type, k);
    std::vector<uint8_t> w(stride * rows);
    const std::vector<float> wv = normal_values(k * rows, rng);
    for (int64_t r = 0; r < rows; ++r) quantize_row(type, &wv[r * k], &w[r * stride], k);
    TensorView view;
    view.name = "w";
    view.type = type;
    view.n_dims = 2;
    view.ne = {k, rows, 1, 1};
    view.data = w.data();
    view.nbytes = w.size();
    const ActFormat act = active_kernels().find(type)->act;
    const bool int8_act = is_int8(act);
    const QuantizeActFn quantize = kernels_for(Isa::kScalar)->quantizer(act);
    for (int threads : {1, 2, 3, 4}) {
      ThreadPool pool(threads);
      for (int64_t tokens : {1, 2, 5, 9}) {
        const std::vector<float> x = normal_values(k * tokens, rng);
        std::vector<float> y(static_cast<size_t>(rows * tokens), -1.0f);
        matmul(view, x.data(), k, tokens, y.data(), rows, pool);
        std::vector<float> wrow(static_cast<size_t>(k)), xq(static_cast<size_t>(k));
        std::vector<ActBlockQ8> blocks(static_cast<size_t>(k / kActBlock));
        for (int64_t t = 0; t < tokens; ++t) {
          const float* xt = &x[t * k];
          if (int8_act) {
            quantize(xt, blocks.data(), k);
            for (int64_t i = 0; i < k; ++i)
              xq[i] = blocks[i / kActBlock].d * blocks[i / kActBlock].q[i % kActBlock];
            xt = xq.data();
          }
          for (int64_t r = 0; r < rows; ++r) {
            dequantize_row(type, &w[r * stride], wrow.data(), k);
            double want = 0, mag = 0;
            for (int64_t i = 0; i < k; ++i) {
              want += static_cast<double>(wrow[i]) * xt[i];
              mag += std::fabs(static_cast<double>(wrow[i]) * xt[i]);
            }
            ASSERT_NEAR(y[t * rows + r], want, 1e-4 * mag + 1e-6)
                << dtype_name(type) << " threads=" << threads << " tokens=" << tokens << " token "
                << t << " row " << r;
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace pocket
