#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/dtype.h"
#include "core/error.h"
#include "core/half.h"

namespace pocket {
namespace {

TEST(Half, RoundTripsEveryHalfValue) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const float f = fp16_to_fp32(static_cast<uint16_t>(h));
    if (std::isnan(f)) continue;
    EXPECT_EQ(fp32_to_fp16(f), h) << "half bits " << h;
  }
}

TEST(Half, KnownValues) {
  EXPECT_EQ(fp16_to_fp32(0x3c00), 1.0f);
  EXPECT_EQ(fp16_to_fp32(0xc000), -2.0f);
  EXPECT_EQ(fp16_to_fp32(0x0001), 0x1p-24f);
  EXPECT_EQ(fp16_to_fp32(0x7bff), 65504.0f);
  EXPECT_EQ(fp32_to_fp16(1.0f + 0x1p-11f), 0x3c00);  // tie rounds to even
  EXPECT_EQ(fp32_to_fp16(70000.0f), 0x7c00);
}

TEST(Bf16, RoundsToNearestEven) {
  EXPECT_EQ(bf16_to_fp32(0x3f80), 1.0f);
  EXPECT_EQ(fp32_to_bf16(1.0f), 0x3f80);
  std::mt19937 rng(std::random_device{}());
  std::uniform_real_distribution<float> dist(-100.f, 100.f);
  for (int i = 0; i < 1000; ++i) {
    const float f = dist(rng);
    EXPECT_NEAR(bf16_to_fp32(fp32_to_bf16(f)), f, std::fabs(f) * 0x1p-8f);
  }
}

TEST(DType, RowBytesRejectsPartialBlocks) {
  EXPECT_EQ(row_bytes(DType::kQ4_0, 64), 36u);
  EXPECT_EQ(row_bytes(DType::kQ6_K, 256), 210u);
  EXPECT_THROW(row_bytes(DType::kQ4_0, 33), Error);
  EXPECT_EQ(dtype_from_name("q8_0"), DType::kQ8_0);
  EXPECT_FALSE(dtype_info(99u).has_value());
}

}  // namespace
}  // namespace pocket
