// Reference quantizers: GGML's conventions on hand-made blocks, and quantize -> dequantize round
// trips on fresh random rows within each format's error bound.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "core/error.h"
#include "core/half.h"
#include "kernels/ref/dequant.h"

namespace pocket {
namespace {

uint16_t half_at(const std::vector<uint8_t>& bytes, size_t offset) {
  uint16_t h;
  std::memcpy(&h, bytes.data() + offset, 2);
  return h;
}

std::vector<uint8_t> quantize(DType type, const std::vector<float>& x) {
  std::vector<uint8_t> out(row_bytes(type, x.size()));
  quantize_row(type, x.data(), out.data(), static_cast<int64_t>(x.size()));
  return out;
}

std::vector<float> round_trip(DType type, const std::vector<float>& x) {
  const auto bytes = quantize(type, x);
  std::vector<float> y(x.size());
  dequantize_row(type, bytes.data(), y.data(), static_cast<int64_t>(x.size()));
  return y;
}

TEST(QuantizeQ8_0, ScaleIsAbsMaxOver127) {
  std::vector<float> x(32);
  for (int j = 0; j < 32; ++j) x[j] = static_cast<float>(j - 16);  // amax 16 at j = 0
  const auto bytes = quantize(DType::kQ8_0, x);
  EXPECT_EQ(half_at(bytes, 0), fp32_to_fp16(16.0f / 127.0f));
  const auto* q = reinterpret_cast<const int8_t*>(bytes.data() + 2);
  EXPECT_EQ(q[0], -127);
  EXPECT_EQ(q[16], 0);
  EXPECT_EQ(q[17], 8);    // round(1 * 127 / 16 = 7.94)
  EXPECT_EQ(q[31], 119);  // round(15 * 127 / 16 = 119.06)
}

TEST(QuantizeQ4_0, ScaleComesFromTheSignedLargestValue) {
  // Largest magnitude is -8: d = -8 / -8 = 1, q = trunc(x + 8.5), so halves round up.
  std::vector<float> x(32, 0.0f);
  x[0] = -8.0f;
  x[1] = 7.0f;
  x[2] = 0.5f;   // 9.0 -> 9
  x[3] = -0.5f;  // 8.0 -> 8
  x[4] = 3.49f;  // 11.99 -> 11
  x[16] = 7.6f;  // 16.1 -> clamped to 15
  const auto bytes = quantize(DType::kQ4_0, x);
  EXPECT_EQ(half_at(bytes, 0), 0x3c00);
  const uint8_t* qs = bytes.data() + 2;
  EXPECT_EQ(qs[0], 0x00 | (15 << 4));  // values 0 and 16
  EXPECT_EQ(qs[1] & 15, 15);
  EXPECT_EQ(qs[2] & 15, 9);
  EXPECT_EQ(qs[3] & 15, 8);
  EXPECT_EQ(qs[4] & 15, 11);
  EXPECT_EQ(qs[5], 8 | (8 << 4));  // zeros sit on q = 8

  // Largest magnitude positive (+4): d = -0.5, so -4 would need q = 16 and is clamped to 15.
  std::vector<float> y(32, 0.0f);
  y[0] = 4.0f;
  y[1] = -4.0f;
  const auto back = round_trip(DType::kQ4_0, y);
  EXPECT_EQ(back[0], 4.0f);
  EXPECT_EQ(back[1], -3.5f);
}

TEST(QuantizeQ4_1, OffsetIsTheMinimum) {
  std::vector<float> x(32);
  for (int j = 0; j < 32; ++j) x[j] = static_cast<float>(j % 16) - 1.0f;  // min -1, max 14
  x[5] = 0.5f;  // (0.5 + 1) / 1 + 0.5 = 2 -> q 2
  const auto bytes = quantize(DType::kQ4_1, x);
  EXPECT_EQ(half_at(bytes, 0), 0x3c00);  // d = 15 / 15
  EXPECT_EQ(half_at(bytes, 2), 0xbc00);  // m = -1
  const auto back = round_trip(DType::kQ4_1, x);
  for (int j = 0; j < 32; ++j) {
    if (j == 5) continue;
    EXPECT_EQ(back[j], x[j]) << j;
  }
  EXPECT_EQ(back[5], 1.0f);  // half rounds up
}

TEST(QuantizeQ5, ExactGridsSurvive) {
  // Q5_0: largest magnitude -16 gives d = 1; integers -16..15 are exact.
  std::vector<float> x(32);
  for (int j = 0; j < 32; ++j) x[j] = static_cast<float>(j - 16);
  EXPECT_EQ(round_trip(DType::kQ5_0, x), x);
  const auto q5_0 = quantize(DType::kQ5_0, x);
  EXPECT_EQ(half_at(q5_0, 0), 0x3c00);
  // Q5_1: min 0, max 31 gives d = 1, m = 0.
  for (int j = 0; j < 32; ++j) x[j] = static_cast<float>(31 - j);
  EXPECT_EQ(round_trip(DType::kQ5_1, x), x);
}

TEST(Quantize, AllZeroBlocksStayZero) {
  const std::vector<float> zeros(64, 0.0f);
  for (DType t : {DType::kQ8_0, DType::kQ4_0, DType::kQ4_1, DType::kQ5_0, DType::kQ5_1}) {
    EXPECT_EQ(round_trip(t, zeros), zeros) << dtype_name(t);
  }
}

// The largest error a value of block `x` may show after a round trip through `type`: half a
// quantization step (a full step where GGML clamps the top quant), plus the f16 rounding of the
// stored scale (relative 2^-11, times up to 2^(bits-1) steps) and of the offset.
float error_bound(DType type, const float* x) {
  float amax = 0.0f;
  float lo = x[0];
  float hi = x[0];
  for (int j = 0; j < 32; ++j) {
    amax = std::max(amax, std::fabs(x[j]));
    lo = std::min(lo, x[j]);
    hi = std::max(hi, x[j]);
  }
  const float half_ulp = 0x1p-11f;
  switch (type) {
    case DType::kQ8_0:
      return amax / 127.0f * (0.5f + 128.0f * half_ulp) + 1e-6f * amax;
    case DType::kQ4_0:
      return amax / 8.0f * (1.0f + 16.0f * half_ulp) + 1e-6f * amax;
    case DType::kQ5_0:
      return amax / 16.0f * (1.0f + 32.0f * half_ulp) + 1e-6f * amax;
    case DType::kQ4_1:
      return (hi - lo) / 15.0f * (0.5f + 16.0f * half_ulp) + std::fabs(lo) * half_ulp +
             1e-6f * amax;
    case DType::kQ5_1:
      return (hi - lo) / 31.0f * (0.5f + 32.0f * half_ulp) + std::fabs(lo) * half_ulp +
             1e-6f * amax;
    case DType::kF16:
      return amax * half_ulp;
    case DType::kBF16:
      return amax * 0x1p-8f;
    default:
      return 0.0f;
  }
}

TEST(Quantize, RoundTripWithinBoundOnRandomRows) {
  const unsigned seed = std::random_device{}();
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::uniform_real_distribution<float> uniform(-3.0f, 7.0f);
  for (DType type : {DType::kQ8_0, DType::kQ4_0, DType::kQ4_1, DType::kQ5_0, DType::kQ5_1,
                     DType::kF16, DType::kBF16}) {
    for (int64_t n : {32, 96, 224, 4128}) {  // 1, 3, 7 and 129 blocks
      for (int trial = 0; trial < 3; ++trial) {
        std::vector<float> x(static_cast<size_t>(n));
        for (float& v : x)
          v = trial == 1 ? uniform(rng) : normal(rng) * (trial == 2 ? 50.0f : 1.0f);
        if (trial == 2) x[static_cast<size_t>(n) / 2] = -400.0f;  // an outlier
        const auto y = round_trip(type, x);
        for (int64_t i = 0; i < n; ++i) {
          const float bound = error_bound(type, &x[static_cast<size_t>(i / 32 * 32)]);
          ASSERT_LE(std::fabs(y[i] - x[i]), bound)
              << dtype_name(type) << " n " << n << " trial " << trial << " value " << i << ": "
              << x[i] << " -> " << y[i];
        }
      }
    }
  }
}

TEST(Quantize, RejectsPartialBlocksAndUnsupportedTypes) {
  std::vector<float> x(48, 1.0f);
  std::vector<uint8_t> out(256);
  EXPECT_THROW(quantize_row_q8_0(x.data(), out.data(), 48), Error);
  EXPECT_THROW(quantize_row_q5_1(x.data(), out.data(), 31), Error);
  try {
    quantize_row(DType::kQ4_K, x.data(), out.data(), 256);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnsupported);
    EXPECT_NE(std::string(e.what()).find("Q4_K"), std::string::npos) << e.what();
  }
}

TEST(Quantize, NonFiniteInputsDoNotCrash) {
  std::vector<float> x(32, 1.0f);
  x[3] = std::nanf("");
  x[4] = INFINITY;
  std::vector<uint8_t> out(64);
  for (DType t : {DType::kQ8_0, DType::kQ4_0, DType::kQ4_1, DType::kQ5_0, DType::kQ5_1}) {
    quantize_row(t, x.data(), out.data(), 32);  // the values are meaningless; no UB is the point
  }
}

TEST(RowConversion, F16AndBf16) {
  const std::vector<float> x = {1.0f, -2.5f, 65504.0f, 1e-8f, 3.14159f};
  std::vector<uint16_t> h(x.size());
  std::vector<float> back(x.size());
  fp32_to_fp16_row(x.data(), h.data(), 5);
  EXPECT_EQ(h[0], 0x3c00);
  EXPECT_EQ(h[2], 0x7bff);
  fp16_to_fp32_row(h.data(), back.data(), 5);
  EXPECT_EQ(back[1], -2.5f);
  EXPECT_NEAR(back[4], 3.14159f, 1e-3f);
  fp32_to_bf16_row(x.data(), h.data(), 5);
  EXPECT_EQ(h[0], 0x3f80);
  bf16_to_fp32_row(h.data(), back.data(), 5);
  EXPECT_EQ(back[1], -2.5f);
  EXPECT_NEAR(back[4], 3.14159f, 2e-2f);
}

}  // namespace
}  // namespace pocket
