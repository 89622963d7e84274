// Our group-wise types (PQ8_*, PQ4_*, PQ4A_*, PFP8_G128): FP8 E4M3 codes, hand-computed blocks,
// round-trip error bounds of the reference quantizer, and the scalar GEMM (integer dot products
// on quantized activations) against a dot product of the dequantized values.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "core/error.h"
#include "core/half.h"
#include "kernels/act_quant.h"
#include "kernels/gemm.h"
#include "kernels/ref/dequant.h"
#include "kernels/ref/fp8_e4m3.h"
#include "kernels/ref/group_format.h"

namespace pocket {
namespace {

constexpr DType kGroupTypes[] = {DType::kPQ8_G64,  DType::kPQ8_G128, DType::kPQ4_G64,
                                 DType::kPQ4_G128, DType::kPQ4A_G64, DType::kPQ4A_G128,
                                 DType::kPFP8_G128};

TEST(Fp8E4M3, KnownCodes) {
  EXPECT_EQ(e4m3_to_f32(0x38), 1.0f);
  EXPECT_EQ(e4m3_to_f32(0x7e), 448.0f);
  EXPECT_EQ(e4m3_to_f32(0xfe), -448.0f);
  EXPECT_EQ(e4m3_to_f32(0x08), 0.015625f);     // smallest normal, 2^-6
  EXPECT_EQ(e4m3_to_f32(0x01), 0.001953125f);  // smallest subnormal, 2^-9
  EXPECT_TRUE(std::isnan(e4m3_to_f32(0x7f)));
  EXPECT_TRUE(std::isnan(e4m3_to_f32(0xff)));
  EXPECT_EQ(f32_to_e4m3(1.0f), 0x38);
  EXPECT_EQ(f32_to_e4m3(1.0625f), 0x38);  // tie between 1 and 1.125: even mantissa
  EXPECT_EQ(f32_to_e4m3(1.1875f), 0x3a);  // tie between 1.125 and 1.25: even mantissa
  EXPECT_EQ(f32_to_e4m3(1000.0f), 0x7e);  // saturates, never NaN
  EXPECT_EQ(f32_to_e4m3(-1000.0f), 0xfe);
  EXPECT_EQ(f32_to_e4m3(std::nanf("")), 0x00);
  EXPECT_EQ(f32_to_e4m3(0.0009765625f), 0x00);  // half the smallest subnormal: tie to even (0)
}

TEST(Fp8E4M3, EveryFiniteCodeRoundTrips) {
  for (int c = 0; c < 256; ++c) {
    if ((c & 0x7f) == 0x7f) continue;
    const float v = e4m3_to_f32(static_cast<uint8_t>(c));
    EXPECT_EQ(e4m3_to_f32(f32_to_e4m3(v)), v) << "code " << c;
  }
}

TEST(GroupTypes, NamesAndSizes) {
  EXPECT_EQ(dtype_from_name("pq4_g128"), DType::kPQ4_G128);
  EXPECT_EQ(dtype_from_name("PFP8_G128"), DType::kPFP8_G128);
  EXPECT_EQ(row_bytes(DType::kPQ8_G64, 256), 4u * 66u);
  EXPECT_EQ(row_bytes(DType::kPQ4_G128, 256), 2u * 66u);
  EXPECT_EQ(row_bytes(DType::kPQ4A_G64, 128), 2u * 36u);
  EXPECT_EQ(row_bytes(DType::kPFP8_G128, 128), 130u);
  EXPECT_THROW(row_bytes(DType::kPQ4_G128, 192), Error);
  for (DType t : kGroupTypes) {
    EXPECT_LT(static_cast<size_t>(t), kMaxTypeId);
    EXPECT_GE(static_cast<uint32_t>(t), 100u);
    const auto f = group_format(t);
    ASSERT_TRUE(f);
    EXPECT_EQ(static_cast<uint32_t>(f->block_bytes), dtype_info(t).block_bytes);
    EXPECT_EQ(static_cast<uint32_t>(f->group), dtype_info(t).block_elems);
  }
}

// A PQ4_G64 block written by hand: d = 0.5, code of value i = i % 16.
TEST(GroupTypes, HandComputedPq4Block) {
  std::vector<uint8_t> block(34);
  const uint16_t d = fp32_to_fp16(0.5f);
  std::memcpy(block.data(), &d, 2);
  for (int s = 0; s < 2; ++s) {
    for (int j = 0; j < 16; ++j) {
      const int lo = (s * 32 + j) % 16, hi = (s * 32 + j + 16) % 16;
      block[static_cast<size_t>(2 + s * 16 + j)] = static_cast<uint8_t>(lo | (hi << 4));
    }
  }
  float out[64];
  dequantize_row(DType::kPQ4_G64, block.data(), out, 64);
  for (int i = 0; i < 64; ++i) EXPECT_EQ(out[i], 0.5f * static_cast<float>(i % 16 - 8)) << i;
  // Each 32-value sub-block is laid out exactly like a Q4_0 block with the same scale.
  for (int s = 0; s < 2; ++s) {
    uint8_t q4[18];
    std::memcpy(q4, &d, 2);
    std::memcpy(q4 + 2, block.data() + 2 + s * 16, 16);
    float ref[32];
    dequantize_row(DType::kQ4_0, q4, ref, 32);
    for (int j = 0; j < 32; ++j) EXPECT_EQ(ref[j], out[s * 32 + j]);
  }
}

TEST(GroupTypes, HandComputedAsymAndInt8AndFp8Blocks) {
  // PQ4A_G64: d = 0.25, m = -1, codes 15 - (i % 16): value = 0.25 * q - 1.
  {
    const GroupFormat f = *group_format(DType::kPQ4A_G64);
    uint8_t codes[64], block[36];
    for (int i = 0; i < 64; ++i) codes[i] = static_cast<uint8_t>(15 - i % 16);
    pack_group(f, 0.25f, -1.0f, codes, block);
    EXPECT_EQ(block[4], (15 - 0) | ((15 - 0) << 4));  // values 0 and 16 share byte 0 (both 15)
    float out[64];
    dequantize_row(DType::kPQ4A_G64, block, out, 64);
    for (int i = 0; i < 64; ++i) EXPECT_EQ(out[i], 0.25f * static_cast<float>(15 - i % 16) - 1.0f);
  }
  // PQ8_G128: d = 2^-4, q = i - 64.
  {
    uint8_t block[130];
    const uint16_t d = fp32_to_fp16(0.0625f);
    std::memcpy(block, &d, 2);
    for (int i = 0; i < 128; ++i) block[2 + i] = static_cast<uint8_t>(static_cast<int8_t>(i - 64));
    float out[128];
    dequantize_row(DType::kPQ8_G128, block, out, 128);
    for (int i = 0; i < 128; ++i) EXPECT_EQ(out[i], 0.0625f * static_cast<float>(i - 64));
  }
  // PFP8_G128: d = 3, every value 1.5 (code 0x3c).
  {
    uint8_t block[130];
    const uint16_t d = fp32_to_fp16(3.0f);
    std::memcpy(block, &d, 2);
    std::memset(block + 2, 0x3c, 128);
    float out[128];
    dequantize_row(DType::kPFP8_G128, block, out, 128);
    for (float v : out) EXPECT_EQ(v, 4.5f);
  }
}

// Round-to-nearest bounds per group: half a step for int8 and asymmetric int4, a whole step for
// symmetric int4 (the +7 end is one step short of the -8 end), 1/16 relative for FP8 normals.
TEST(GroupTypes, RoundTripErrorBounds) {
  std::mt19937 rng(7);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  const int64_t n = 512;
  std::vector<float> x(n), back(n);
  for (auto& v : x) v = dist(rng);
  x[5] = 9.0f;  // an outlier only coarsens its own group
  for (DType t : kGroupTypes) {
    const GroupFormat f = *group_format(t);
    std::vector<uint8_t> q(row_bytes(t, n));
    quantize_row(t, x.data(), q.data(), n);
    dequantize_row(t, q.data(), back.data(), n);
    for (int64_t g = 0; g < n / f.group; ++g) {
      float amax = 0, lo = INFINITY, hi = -INFINITY;
      for (int i = 0; i < f.group; ++i) {
        const float v = x[static_cast<size_t>(g * f.group + i)];
        amax = std::max(amax, std::fabs(v));
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
      for (int i = 0; i < f.group; ++i) {
        const auto k = static_cast<size_t>(g * f.group + i);
        const float err = std::fabs(x[k] - back[k]);
        float bound;
        switch (f.code) {
          case GroupCode::kInt8:
            bound = amax / 127.0f * 0.5f * 1.01f;
            break;
          case GroupCode::kUint4:
            bound =
                f.has_min ? (hi - lo) / 15.0f * 0.51f + 2e-3f * std::fabs(lo) : amax / 8.0f * 1.01f;
            break;
          default:
            bound = std::fabs(x[k]) / 16.0f * 1.01f + amax / 448.0f * 0.002f;
            break;
        }
        EXPECT_LE(err, bound) << dtype_name(t) << " value " << k;
      }
    }
  }
}

// The scalar GEMM of each type against the dot of dequantized weights and dequantized
// activations (int8 activations for the integer types, f32 for FP8), several tokens.
TEST(GroupTypes, GemmRefMatchesDequantizedDot) {
  std::mt19937 rng(11);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  const int64_t k = 256, rows = 5, n_tok = 3;
  const KernelSet* scalar = kernels_for(Isa::kScalar);
  ASSERT_NE(scalar, nullptr);
  for (DType t : kGroupTypes) {
    std::vector<float> w(rows * k), x(n_tok * k);
    for (auto& v : w) v = dist(rng);
    for (auto& v : x) v = dist(rng) * 3.0f;
    const uint64_t rb = row_bytes(t, k);
    std::vector<uint8_t> wq(rb * rows);
    for (int64_t r = 0; r < rows; ++r) quantize_row(t, &w[r * k], &wq[r * rb], k);
    const GemmKernel* kern = scalar->find(t);
    ASSERT_NE(kern, nullptr) << dtype_name(t);
    std::vector<ActBlockQ8> act(static_cast<size_t>(n_tok * k / kActBlock));
    std::vector<float> xin = x;  // what the kernel sees, as f32
    GemmArgs a;
    if (kern->act == ActFormat::kQ8) {
      for (int64_t i = 0; i < n_tok; ++i) {
        ref::quantize_act_q8(&x[i * k], &act[static_cast<size_t>(i * k / kActBlock)], k);
        for (int64_t j = 0; j < k; ++j) {
          const ActBlockQ8& b = act[static_cast<size_t>((i * k + j) / kActBlock)];
          xin[i * k + j] = b.d * b.q[j % kActBlock];
        }
      }
      a.x = act.data();
      a.x_stride = static_cast<size_t>(act_q8_row_bytes(k));
    } else {
      EXPECT_EQ(t, DType::kPFP8_G128);
      a.x = x.data();
      a.x_stride = k * sizeof(float);
    }
    std::vector<float> y(n_tok * rows);
    a.w = wq.data();
    a.w_stride = rb;
    a.k = k;
    a.r0 = 0;
    a.r1 = rows;
    a.n_tok = n_tok;
    a.y = y.data();
    a.y_stride = rows;
    kern->fn(a);
    std::vector<float> wd(k);
    for (int64_t r = 0; r < rows; ++r) {
      dequantize_row(t, &wq[r * rb], wd.data(), k);
      for (int64_t i = 0; i < n_tok; ++i) {
        double ref = 0, mag = 0;
        for (int64_t j = 0; j < k; ++j) {
          ref += static_cast<double>(wd[j]) * xin[i * k + j];
          mag += std::fabs(static_cast<double>(wd[j]) * xin[i * k + j]);
        }
        EXPECT_NEAR(y[i * rows + r], ref, 1e-5 * mag) << dtype_name(t);
      }
    }
  }
}

}  // namespace
}  // namespace pocket
