// GPTQ lowers the output error on the inputs it was fitted to (not the weight error), in both
// column orders; a group scale search with importance weights favours the important channels.
#include "quant/gptq.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "core/dtype.h"
#include "kernels/ref/dequant.h"
#include "quant/group_search.h"

namespace pocket::quant {
namespace {

constexpr int64_t kCols = 256, kRows = 16, kSamples = 1024;

// Correlated inputs with a few strong channels, like real activations.
std::vector<float> make_inputs(std::mt19937& rng) {
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> x(kSamples * kCols);
  for (int64_t n = 0; n < kSamples; ++n) {
    const float common = dist(rng);
    for (int64_t c = 0; c < kCols; ++c) {
      const float gain = c % 37 == 0 ? 8.0f : 1.0f;
      x[n * kCols + c] = gain * (0.6f * common + dist(rng));
    }
  }
  return x;
}

double output_error(const std::vector<float>& x, const std::vector<float>& w,
                    const std::vector<float>& wq) {
  double e = 0;
  for (int64_t n = 0; n < kSamples; ++n) {
    for (int64_t r = 0; r < kRows; ++r) {
      double d = 0;
      for (int64_t c = 0; c < kCols; ++c)
        d += (w[r * kCols + c] - wq[r * kCols + c]) * x[n * kCols + c];
      e += d * d;
    }
  }
  return e;
}

TEST(Gptq, LowersOutputErrorBelowRoundToNearest) {
  std::mt19937 rng(3);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  const std::vector<float> x = make_inputs(rng);
  std::vector<float> w(kRows * kCols);
  for (auto& v : w) v = dist(rng);
  std::vector<float> importance(kCols, 0.0f);
  for (int64_t n = 0; n < kSamples; ++n) {
    for (int64_t c = 0; c < kCols; ++c)
      importance[c] += x[n * kCols + c] * x[n * kCols + c] / kSamples;
  }
  const DType t = DType::kPQ4_G128;
  const GroupFormat f = *group_format(t);
  const uint64_t rb = row_bytes(t, kCols);
  auto quantize_all = [&](auto quantize_row_fn) {
    std::vector<uint8_t> q(rb);
    std::vector<float> out(w.size());
    for (int64_t r = 0; r < kRows; ++r) {
      quantize_row_fn(&w[r * kCols], q.data());
      dequantize_row(t, q.data(), &out[r * kCols], kCols);
    }
    return out;
  };
  const auto plain = quantize_all(
      [&](const float* row, uint8_t* q) { quantize_row_searched(f, row, nullptr, kCols, q); });
  const auto weighted = quantize_all([&](const float* row, uint8_t* q) {
    quantize_row_searched(f, row, importance.data(), kCols, q);
  });
  const double e_plain = output_error(x, w, plain);
  const double e_weighted = output_error(x, w, weighted);
  EXPECT_LT(e_weighted, e_plain);
  for (bool act_order : {false, true}) {
    const GptqFactor factor = gptq_factor(x, kSamples, kCols, act_order);
    const auto gptq = quantize_all([&](const float* row, uint8_t* q) {
      quantize_row_gptq(f, row, importance.data(), factor, kCols, q);
    });
    const double e_gptq = output_error(x, w, gptq);
    EXPECT_LT(e_gptq, 0.8 * e_weighted) << "act_order " << act_order;
  }
}

}  // namespace
}  // namespace pocket::quant
