// dot_row_f32 against dequantize_row followed by a plain loop, for every supported type, on
// random rows of several lengths (a partial last chunk included).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "core/half.h"
#include "kernels/ref/dequant.h"

namespace pocket {
namespace {

// Random bytes for a row of `type`, with every f16 scale field replaced by a modest finite value
// (random bits would give inf/nan scales, which says nothing about the dot product).
std::vector<uint8_t> random_row(DType type, int64_t n, std::mt19937& rng) {
  const DTypeInfo info = dtype_info(type);
  std::vector<uint8_t> bytes(row_bytes(type, static_cast<uint64_t>(n)));
  std::uniform_int_distribution<int> byte(0, 255);
  for (uint8_t& b : bytes) b = static_cast<uint8_t>(byte(rng));
  std::uniform_real_distribution<float> scale(-0.1f, 0.1f);
  auto set_half = [&](size_t offset, float value) {
    const uint16_t h = type == DType::kBF16 ? fp32_to_bf16(value) : fp32_to_fp16(value);
    std::memcpy(bytes.data() + offset, &h, 2);
  };
  const size_t n_blocks = bytes.size() / info.block_bytes;
  for (size_t b = 0; b < n_blocks; ++b) {
    const size_t base = b * info.block_bytes;
    switch (type) {
      case DType::kF32: {
        const float v = scale(rng) * 30.0f;
        std::memcpy(bytes.data() + base, &v, 4);
        break;
      }
      case DType::kF16:
      case DType::kBF16:
        set_half(base, scale(rng) * 30.0f);
        break;
      case DType::kQ6_K:
        set_half(base + 208, scale(rng));
        break;  // d is the last field
      case DType::kQ4_1:
      case DType::kQ5_1:
      case DType::kQ4_K:
      case DType::kQ5_K:
        set_half(base, scale(rng));
        set_half(base + 2, scale(rng));
        break;
      default:
        set_half(base, scale(rng));
        break;
    }
  }
  return bytes;
}

TEST(DotRow, MatchesDequantizeThenSum) {
  const unsigned seed = std::random_device{}();
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  const DType types[] = {DType::kF32,  DType::kF16,  DType::kBF16, DType::kQ8_0,
                         DType::kQ4_0, DType::kQ4_1, DType::kQ5_0, DType::kQ5_1,
                         DType::kQ4_K, DType::kQ5_K, DType::kQ6_K};
  for (DType type : types) {
    const int64_t block = dtype_info(type).block_elems;
    for (int64_t blocks : {1, 3, 11}) {
      // Plain types get odd lengths too (a partial chunk of the 256-value buffer).
      const int64_t n = block == 1 ? blocks * 97 : blocks * block;
      const auto row = random_row(type, n, rng);
      std::vector<float> x(static_cast<size_t>(n));
      for (float& v : x) v = normal(rng);
      std::vector<float> w(static_cast<size_t>(n));
      dequantize_row(type, row.data(), w.data(), n);
      float same_order = 0.0f;
      double exact = 0.0;
      double magnitude = 0.0;
      for (int64_t i = 0; i < n; ++i) {
        same_order += w[i] * x[i];
        exact += static_cast<double>(w[i]) * x[i];
        magnitude += std::fabs(static_cast<double>(w[i]) * x[i]);
      }
      const float dot = dot_row_f32(type, row.data(), x.data(), n);
      // Same accumulation order as the plain loop, so the same float; and close to the exact sum.
      EXPECT_EQ(dot, same_order) << dtype_name(type) << " n " << n;
      EXPECT_NEAR(dot, exact, magnitude * static_cast<double>(n) * 0x1p-24 + 1e-30)
          << dtype_name(type) << " n " << n;
    }
  }
}

TEST(DotRow, KnownValue) {
  // Q8_0, d = 0.5, all quants 2: every weight is 1, so the dot is the sum of x.
  std::vector<uint8_t> block = {0x00, 0x38};
  block.resize(34, 2);
  std::vector<float> x(32);
  for (int i = 0; i < 32; ++i) x[i] = static_cast<float>(i);
  EXPECT_EQ(dot_row_f32(DType::kQ8_0, block.data(), x.data(), 32), 496.0f);
}

}  // namespace
}  // namespace pocket
