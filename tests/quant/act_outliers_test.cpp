// Run-time activation quantization with outliers: each token's activations are quantized per
// 32-value block with their own scale, so a huge value only coarsens its own block. Checked
// through matmul() (the kernels the engine really uses) for int8 weight types: the error of each
// output stays within the bound the per-block scales allow, and tokens without outliers are as
// accurate as ever.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "core/thread_pool.h"
#include "kernels/matmul.h"
#include "kernels/ref/dequant.h"

namespace pocket {
namespace {

TEST(ActivationOutliers, ErrorStaysWithinPerBlockBound) {
  const int64_t k = 512, rows = 24, n_tok = 4;
  std::mt19937 rng(5);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> w(rows * k), x(n_tok * k);
  for (auto& v : w) v = dist(rng) * 0.05f;
  for (auto& v : x) v = dist(rng);
  x[0 * k + 3] = 3000.0f;  // token 0: one huge outlier
  x[1 * k + 100] = -1e5f;  // token 1: a bigger one
  x[2 * k + 7] = 500.0f;   // token 2: outliers in two blocks
  x[2 * k + 300] = -800.0f;
  // token 3: none
  ThreadPool pool(2);
  for (DType t : {DType::kPQ8_G128, DType::kPQ8_G64, DType::kQ8_0, DType::kPQ4_G128}) {
    const uint64_t rb = row_bytes(t, k);
    std::vector<uint8_t> wq(rb * rows);
    for (int64_t r = 0; r < rows; ++r) quantize_row(t, &w[r * k], &wq[r * rb], k);
    TensorView v;
    v.name = "w";
    v.type = t;
    v.n_dims = 2;
    v.ne = {k, rows, 1, 1};
    v.data = wq.data();
    v.nbytes = wq.size();
    std::vector<float> y(n_tok * rows);
    matmul(v, x.data(), k, n_tok, y.data(), rows, pool);
    std::vector<float> wd(k);
    for (int64_t r = 0; r < rows; ++r) {
      dequantize_row(t, &wq[r * rb], wd.data(), k);
      for (int64_t i = 0; i < n_tok; ++i) {
        double exact = 0, bound = 0;
        for (int64_t b = 0; b < k / 32; ++b) {
          float amax = 0;
          double wabs = 0;
          for (int64_t j = b * 32; j < b * 32 + 32; ++j) {
            exact += static_cast<double>(wd[j]) * x[i * k + j];
            amax = std::max(amax, std::fabs(x[i * k + j]));
            wabs += std::fabs(wd[j]);
          }
          bound += amax / 127.0 * 0.5 * wabs;  // half an activation step per value
        }
        const double err = std::fabs(y[i * rows + r] - exact);
        EXPECT_LE(err, bound * 1.01 + 1e-6 * std::fabs(exact)) << dtype_name(t) << " token " << i;
        if (i == 3) {
          EXPECT_LE(err, 0.02) << dtype_name(t) << ": a token without outliers";
        }
      }
    }
  }
}

}  // namespace
}  // namespace pocket
