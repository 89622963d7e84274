// Hand-built K-quant super-blocks. The packed 6-bit scales are given as literal bytes worked out
// by hand (the arithmetic is in the comments); the quants are placed byte by byte from the layout
// description, the opposite direction to the decoder, which walks value by value.
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "kernels/ref/dequant.h"

namespace pocket {
namespace {

constexpr uint16_t kHalfHalf = 0x3800;  // 0.5
constexpr uint16_t kHalfOne = 0x3c00;   // 1.0

void put_u16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v & 0xff));
  out.push_back(static_cast<uint8_t>(v >> 8));
}

// Sub-block scales and mins of the Q4_K/Q5_K blocks below (6 bits each).
constexpr std::array<int, 8> kScales = {1, 2, 3, 4, 33, 46, 59, 63};
constexpr std::array<int, 8> kMins = {0, 5, 10, 63, 17, 32, 1, 48};

// The 12 packed bytes for kScales/kMins:
//  0..3: scale[0..3] | (scale[4..7] >> 4) << 6: 1|2<<6=0x81, 2|2<<6=0x82, 3|3<<6=0xc3, 4|3<<6=0xc4
//  4..7: min[0..3] | (min[4..7] >> 4) << 6:     0|1<<6=0x40, 5|2<<6=0x85, 10|0=0x0a, 63|3<<6=0xff
//  8..11: (scale[4..7] & 15) | (min[4..7] & 15) << 4: 1|1<<4=0x11, 14|0=0x0e, 11|1<<4=0x1b,
//  15|0=0x0f
constexpr std::array<uint8_t, 12> kPackedScales = {0x81, 0x82, 0xc3, 0xc4, 0x40, 0x85,
                                                   0x0a, 0xff, 0x11, 0x0e, 0x1b, 0x0f};

// Quant of value l of sub-block s in the Q4_K test block.
int q4k(int s, int l) {
  return (l + s) % 16;
}
// ... and in the Q5_K block (5 bits).
int q5k(int s, int l) {
  return (3 * l + 7 * s) % 32;
}

// Places the low nibbles of a Q4_K/Q5_K block: byte l of chunk c holds sub-block 2c (low) and
// 2c + 1 (high).
template <typename Quant>
void put_k_nibbles(std::vector<uint8_t>& block, Quant q) {
  for (int c = 0; c < 4; ++c) {
    for (int l = 0; l < 32; ++l) {
      block.push_back(static_cast<uint8_t>((q(2 * c, l) & 15) | ((q(2 * c + 1, l) & 15) << 4)));
    }
  }
}

std::vector<float> dequantize(DType type, const std::vector<uint8_t>& bytes, int64_t n) {
  std::vector<float> out(static_cast<size_t>(n));
  dequantize_row(type, bytes.data(), out.data(), n);
  return out;
}

std::vector<uint8_t> q4_k_block(uint16_t d) {
  std::vector<uint8_t> block;
  block.reserve(144);  // avoids a GCC 12 -O3 false -Wstringop-overflow (aarch64)
  put_u16(block, d);
  put_u16(block, kHalfHalf);  // dmin = 0.5
  block.insert(block.end(), kPackedScales.begin(), kPackedScales.end());
  put_k_nibbles(block, q4k);
  EXPECT_EQ(block.size(), 144u);
  return block;
}

TEST(DequantQ4_K, HandBuiltBlock) {
  const auto v = dequantize(DType::kQ4_K, q4_k_block(kHalfOne), 256);
  // value = 1 * scale[s] * q - 0.5 * min[s]
  EXPECT_EQ(v[0], 0.0f);      // s 0, l 0: q 0
  EXPECT_EQ(v[40], 15.5f);    // s 1, l 8: q 9 -> 2 * 9 - 2.5
  EXPECT_EQ(v[100], -3.5f);   // s 3, l 4: q 7 -> 4 * 7 - 31.5
  EXPECT_EQ(v[140], -8.5f);   // s 4, l 12: q 0 -> 0 - 8.5
  EXPECT_EQ(v[200], 825.5f);  // s 6, l 8: q 14 -> 59 * 14 - 0.5
  EXPECT_EQ(v[255], 354.0f);  // s 7, l 31: q 6 -> 63 * 6 - 24
  for (int i = 0; i < 256; ++i) {
    const int s = i / 32;
    const int l = i % 32;
    EXPECT_EQ(v[i],
              static_cast<float>(kScales[s] * q4k(s, l)) - 0.5f * static_cast<float>(kMins[s]))
        << "value " << i;
  }
}

TEST(DequantQ4_K, TwoBlocksUseTheirOwnSuperScale) {
  std::vector<uint8_t> bytes = q4_k_block(kHalfOne);
  const std::vector<uint8_t> second = q4_k_block(0x4000);  // d = 2
  bytes.insert(bytes.end(), second.begin(), second.end());
  const auto v = dequantize(DType::kQ4_K, bytes, 512);
  EXPECT_EQ(v[256 + 40], 33.5f);    // 2 * 2 * 9 - 2.5
  EXPECT_EQ(v[256 + 255], 732.0f);  // 2 * 63 * 6 - 24
}

TEST(DequantQ5_K, HandBuiltBlock) {
  std::vector<uint8_t> block;
  put_u16(block, kHalfOne);
  put_u16(block, kHalfHalf);
  block.insert(block.end(), kPackedScales.begin(), kPackedScales.end());
  // qh[l]: bit s is the fifth bit of value l of sub-block s.
  for (int l = 0; l < 32; ++l) {
    int bits = 0;
    for (int s = 0; s < 8; ++s) bits |= ((q5k(s, l) >> 4) & 1) << s;
    block.push_back(static_cast<uint8_t>(bits));
  }
  put_k_nibbles(block, q5k);
  ASSERT_EQ(block.size(), 176u);
  const auto v = dequantize(DType::kQ5_K, block, 256);
  EXPECT_EQ(v[0], 0.0f);      // s 0, l 0: q 0
  EXPECT_EQ(v[37], 41.5f);    // s 1, l 5: q 22 -> 2 * 22 - 2.5
  EXPECT_EQ(v[230], 165.0f);  // s 7, l 6: q 3 -> 63 * 3 - 24
  EXPECT_EQ(v[255], 858.0f);  // s 7, l 31: q 14 -> 63 * 14 - 24
  for (int i = 0; i < 256; ++i) {
    const int s = i / 32;
    const int l = i % 32;
    EXPECT_EQ(v[i],
              static_cast<float>(kScales[s] * q5k(s, l)) - 0.5f * static_cast<float>(kMins[s]))
        << "value " << i;
  }
}

constexpr std::array<int8_t, 16> kQ6Scales = {1, -2,  3,  -4,  5,  -6,  7,   -8,
                                              9, -10, 11, -12, 13, -14, 127, -128};

int q6k(int i) {
  return (5 * i) % 64;
}

TEST(DequantQ6_K, HandBuiltBlock) {
  // Built byte by byte: for half h and l in 0..31,
  //   ql[64h + l]      = low4(value 128h + l)      | low4(value 128h + 64 + l) << 4
  //   ql[64h + 32 + l] = low4(value 128h + 32 + l) | low4(value 128h + 96 + l) << 4
  //   qh[32h + l]      = high2 of values 128h + l, +32, +64, +96 at bits 0, 2, 4, 6
  std::array<uint8_t, 128> ql{};
  std::array<uint8_t, 64> qh{};
  auto low4 = [](int q) { return q & 15; };
  auto high2 = [](int q) { return q >> 4; };
  for (int h = 0; h < 2; ++h) {
    for (int l = 0; l < 32; ++l) {
      const int base = 128 * h + l;
      ql[64 * h + l] = static_cast<uint8_t>(low4(q6k(base)) | low4(q6k(base + 64)) << 4);
      ql[64 * h + 32 + l] = static_cast<uint8_t>(low4(q6k(base + 32)) | low4(q6k(base + 96)) << 4);
      qh[32 * h + l] =
          static_cast<uint8_t>(high2(q6k(base)) | high2(q6k(base + 32)) << 2 |
                               high2(q6k(base + 64)) << 4 | high2(q6k(base + 96)) << 6);
    }
  }
  std::vector<uint8_t> block(ql.begin(), ql.end());
  block.insert(block.end(), qh.begin(), qh.end());
  for (int8_t s : kQ6Scales) block.push_back(static_cast<uint8_t>(s));
  put_u16(block, kHalfHalf);  // d = 0.5
  ASSERT_EQ(block.size(), 210u);

  const auto v = dequantize(DType::kQ6_K, block, 256);
  // value = 0.5 * scales[i / 16] * (q - 32)
  EXPECT_EQ(v[0], -16.0f);      // q 0, scale 1
  EXPECT_EQ(v[17], 11.0f);      // q 21, scale -2
  EXPECT_EQ(v[100], 70.0f);     // q 52, scale 7
  EXPECT_EQ(v[230], 1905.0f);   // q 62, scale 127
  EXPECT_EQ(v[255], -1728.0f);  // q 59, scale -128
  for (int i = 0; i < 256; ++i) {
    EXPECT_EQ(v[i], 0.5f * static_cast<float>(kQ6Scales[i / 16]) * static_cast<float>(q6k(i) - 32))
        << "value " << i;
  }
}

}  // namespace
}  // namespace pocket
