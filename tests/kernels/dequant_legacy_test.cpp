// Hand-built blocks of the plain and 32-value block types, with the expected floats worked out
// from the format definitions (see block_layouts.h), not from the decoder.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "core/error.h"
#include "kernels/ref/dequant.h"

namespace pocket {
namespace {

// f16 bit patterns used below.
constexpr uint16_t kHalfQuarter = 0x3400;  // 0.25
constexpr uint16_t kHalfHalf = 0x3800;     // 0.5
constexpr uint16_t kHalfOne = 0x3c00;      // 1.0
constexpr uint16_t kHalfTwo = 0x4000;      // 2.0
constexpr uint16_t kHalfMinusOne = 0xbc00;

void put_u16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v & 0xff));
  out.push_back(static_cast<uint8_t>(v >> 8));
}

std::vector<float> dequantize(DType type, const std::vector<uint8_t>& bytes, int64_t n) {
  std::vector<float> out(static_cast<size_t>(n));
  dequantize_row(type, bytes.data(), out.data(), n);
  return out;
}

TEST(DequantPlain, F32F16Bf16) {
  const float f32_values[3] = {1.5f, -0.0f, 3e-39f};  // includes a subnormal
  std::vector<uint8_t> f32(sizeof(f32_values));
  std::memcpy(f32.data(), f32_values, sizeof(f32_values));
  const auto a = dequantize(DType::kF32, f32, 3);
  EXPECT_EQ(a[0], 1.5f);
  EXPECT_TRUE(std::signbit(a[1]));
  EXPECT_EQ(a[2], 3e-39f);

  std::vector<uint8_t> f16;
  put_u16(f16, 0x3c00);  // 1
  put_u16(f16, 0xc500);  // -5
  put_u16(f16, 0x0001);  // smallest subnormal 2^-24
  put_u16(f16, 0x7bff);  // 65504
  EXPECT_EQ(dequantize(DType::kF16, f16, 4), (std::vector<float>{1.0f, -5.0f, 0x1p-24f, 65504.0f}));

  std::vector<uint8_t> bf16;
  put_u16(bf16, 0x3f80);  // 1
  put_u16(bf16, 0xc0a0);  // -5
  put_u16(bf16, 0x4049);  // 3.140625
  EXPECT_EQ(dequantize(DType::kBF16, bf16, 3), (std::vector<float>{1.0f, -5.0f, 3.140625f}));
}

TEST(DequantQ8_0, HandBuiltBlock) {
  // d = 0.5, quants -128, -15, -14, ..., 15 (value j holds j - 16 except value 0).
  std::vector<uint8_t> block;
  put_u16(block, kHalfHalf);
  for (int j = 0; j < 32; ++j)
    block.push_back(static_cast<uint8_t>(static_cast<int8_t>(j == 0 ? -128 : j - 16)));
  const auto v = dequantize(DType::kQ8_0, block, 32);
  EXPECT_EQ(v[0], -64.0f);
  EXPECT_EQ(v[1], -7.5f);
  EXPECT_EQ(v[16], 0.0f);
  EXPECT_EQ(v[31], 7.5f);
  for (int j = 1; j < 32; ++j) EXPECT_EQ(v[j], 0.5f * static_cast<float>(j - 16)) << j;
}

TEST(DequantQ4_0, HandBuiltBlockPairsValuesJAndJPlus16) {
  // d = 2. Byte j: low nibble j (value j), high nibble 15 - j (value j + 16).
  std::vector<uint8_t> block;
  put_u16(block, kHalfTwo);
  for (int j = 0; j < 16; ++j) block.push_back(static_cast<uint8_t>(j | ((15 - j) << 4)));
  const auto v = dequantize(DType::kQ4_0, block, 32);
  EXPECT_EQ(v[0], -16.0f);  // q 0  -> 2 * (0 - 8)
  EXPECT_EQ(v[15], 14.0f);  // q 15 -> 2 * 7
  EXPECT_EQ(v[16], 14.0f);  // high nibble of byte 0 is 15
  EXPECT_EQ(v[31], -16.0f);
  for (int j = 0; j < 16; ++j) {
    EXPECT_EQ(v[j], 2.0f * static_cast<float>(j - 8)) << j;
    EXPECT_EQ(v[j + 16], 2.0f * static_cast<float>(7 - j)) << j;
  }
}

TEST(DequantQ4_1, HandBuiltBlock) {
  // d = 0.25, m = -1; byte j = 0x11 * j: both nibbles j.
  std::vector<uint8_t> block;
  put_u16(block, kHalfQuarter);
  put_u16(block, kHalfMinusOne);
  for (int j = 0; j < 16; ++j) block.push_back(static_cast<uint8_t>(0x11 * j));
  const auto v = dequantize(DType::kQ4_1, block, 32);
  EXPECT_EQ(v[0], -1.0f);
  EXPECT_EQ(v[15], 2.75f);  // 0.25 * 15 - 1
  EXPECT_EQ(v[20], 0.0f);   // 0.25 * 4 - 1
  for (int j = 0; j < 16; ++j) {
    EXPECT_EQ(v[j], 0.25f * static_cast<float>(j) - 1.0f);
    EXPECT_EQ(v[j + 16], v[j]);
  }
}

TEST(DequantQ5_0, FifthBitIsBitJOfLittleEndianWord) {
  // d = 1; qh bytes 01 00 00 80: bits 0 and 31 set, so values 0 and 31 get +16. Every byte of
  // qs is 0x3c: value j < 16 has low bits 12, value j >= 16 has low bits 3.
  std::vector<uint8_t> block;
  put_u16(block, kHalfOne);
  for (uint8_t b : {0x01, 0x00, 0x00, 0x80}) block.push_back(b);
  for (int j = 0; j < 16; ++j) block.push_back(0x3c);
  const auto v = dequantize(DType::kQ5_0, block, 32);
  EXPECT_EQ(v[0], 12.0f);    // 12 + 16 - 16
  EXPECT_EQ(v[1], -4.0f);    // 12 - 16
  EXPECT_EQ(v[16], -13.0f);  // 3 - 16
  EXPECT_EQ(v[31], 3.0f);    // 3 + 16 - 16
  for (int j = 2; j < 16; ++j) EXPECT_EQ(v[j], -4.0f) << j;
  for (int j = 16; j < 31; ++j) EXPECT_EQ(v[j], -13.0f) << j;

  // qh = aa aa aa aa: every odd value has the fifth bit.
  std::fill(block.begin() + 2, block.begin() + 6, uint8_t{0xaa});
  const auto w = dequantize(DType::kQ5_0, block, 32);
  for (int j = 0; j < 32; ++j) {
    const float low = j < 16 ? 12.0f : 3.0f;
    EXPECT_EQ(w[j], low + (j % 2 ? 16.0f : 0.0f) - 16.0f) << j;
  }
}

TEST(DequantQ5_1, HandBuiltBlock) {
  // d = 0.5, m = 2, qh bits 0 and 31, every qs byte 0x21 (low 1, high 2).
  std::vector<uint8_t> block;
  put_u16(block, kHalfHalf);
  put_u16(block, kHalfTwo);
  for (uint8_t b : {0x01, 0x00, 0x00, 0x80}) block.push_back(b);
  for (int j = 0; j < 16; ++j) block.push_back(0x21);
  const auto v = dequantize(DType::kQ5_1, block, 32);
  EXPECT_EQ(v[0], 10.5f);   // 0.5 * 17 + 2
  EXPECT_EQ(v[1], 2.5f);    // 0.5 * 1 + 2
  EXPECT_EQ(v[16], 3.0f);   // 0.5 * 2 + 2
  EXPECT_EQ(v[31], 11.0f);  // 0.5 * 18 + 2
}

TEST(DequantLegacy, SeveralBlocksAndUnalignedSource) {
  // Three Q8_0 blocks with scales 1, 2, 4 and all quants 3, read from an odd address.
  std::vector<uint8_t> bytes(1, 0xee);  // one byte of offset
  for (uint16_t d : {kHalfOne, kHalfTwo, uint16_t{0x4400}}) {
    put_u16(bytes, d);
    for (int j = 0; j < 32; ++j) bytes.push_back(3);
  }
  std::vector<float> out(96);
  dequantize_row(DType::kQ8_0, bytes.data() + 1, out.data(), 96);
  for (int i = 0; i < 96; ++i) EXPECT_EQ(out[i], 3.0f * static_cast<float>(1 << (i / 32))) << i;
}

TEST(DequantErrors, RowNotWholeBlocks) {
  std::vector<uint8_t> bytes(64);
  std::vector<float> out(64);
  try {
    dequantize_row(DType::kQ4_0, bytes.data(), out.data(), 33);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("Q4_0"), std::string::npos) << e.what();
  }
  EXPECT_THROW(dot_row_f32(DType::kQ4_K, bytes.data(), out.data(), 32), Error);
}

TEST(DequantErrors, UnsupportedTypesAreNamed) {
  std::vector<uint8_t> bytes(512);
  std::vector<float> out(256);
  for (DType type : {DType::kQ2_K, DType::kQ3_K, DType::kQ8_K, DType::kI32, DType::kQ8_1}) {
    try {
      dequantize_row(type, bytes.data(), out.data(), 256);
      FAIL() << "expected an error for " << dtype_name(type);
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kUnsupported);
      EXPECT_NE(std::string(e.what()).find(dtype_name(type)), std::string::npos) << e.what();
    }
  }
  try {
    dequantize_row(static_cast<DType>(99), bytes.data(), out.data(), 1);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnsupported);
    EXPECT_NE(std::string(e.what()).find("99"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace pocket
