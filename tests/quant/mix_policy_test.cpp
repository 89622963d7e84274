// The mixed-precision policy language, presets, and the type/fallback choice.
#include "quant/mix_policy.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "quant/type_choice.h"

namespace pocket::quant {
namespace {

TEST(MixPolicy, GlobMatch) {
  EXPECT_TRUE(glob_match("blk.*.ffn_down.weight", "blk.12.ffn_down.weight"));
  EXPECT_TRUE(glob_match("*", "output.weight"));
  EXPECT_TRUE(glob_match("blk.?.attn_v*", "blk.3.attn_v.weight"));
  EXPECT_FALSE(glob_match("blk.?.attn_v*", "blk.13.attn_v.weight"));
  EXPECT_FALSE(glob_match("output.weight", "output_norm.weight"));
}

TEST(MixPolicy, FirstMatchWinsAndLayerSelectors) {
  const MixPolicy p(
      "output.weight=8, *attn_v.weight@ends2=8, *ffn_down*@first1=f16,"
      " blk.*@3-4=q4_1, *=4",
      128, Scheme::kSym, 10);
  EXPECT_EQ(p.type_for("output.weight", -1), DType::kPQ8_G128);
  EXPECT_EQ(p.type_for("blk.0.attn_v.weight", 0), DType::kPQ8_G128);
  EXPECT_EQ(p.type_for("blk.1.attn_v.weight", 1), DType::kPQ8_G128);
  EXPECT_EQ(p.type_for("blk.2.attn_v.weight", 2), DType::kPQ4_G128);
  EXPECT_EQ(p.type_for("blk.8.attn_v.weight", 8), DType::kPQ8_G128);
  EXPECT_EQ(p.type_for("blk.9.attn_v.weight", 9), DType::kPQ8_G128);
  EXPECT_EQ(p.type_for("blk.0.ffn_down.weight", 0), DType::kF16);
  EXPECT_EQ(p.type_for("blk.3.ffn_up.weight", 3), DType::kQ4_1);
  EXPECT_EQ(p.type_for("token_embd.weight", -1), DType::kPQ4_G128);
}

TEST(MixPolicy, BitsFollowTheRunsGroupAndScheme) {
  const MixPolicy p("*=4", 64, Scheme::kAsym, 2);
  EXPECT_EQ(p.type_for("x", 0), DType::kPQ4A_G64);
  const MixPolicy q("*=8", 32, Scheme::kAsym, 2);  // 8-bit is symmetric whatever the scheme
  EXPECT_EQ(q.type_for("x", 0), DType::kQ8_0);
  const MixPolicy none("output.weight=8", 32, Scheme::kSym, 2);
  EXPECT_FALSE(none.type_for("blk.0.attn_q.weight", 0).has_value());
}

TEST(MixPolicy, PresetsParse) {
  for (const auto& preset : mix_presets()) {
    EXPECT_NO_THROW(MixPolicy(preset.name, 128, Scheme::kSym, 6)) << preset.name;
  }
  const MixPolicy p("q4_k_m", 128, Scheme::kSym, 6);
  EXPECT_EQ(p.type_for("blk.5.ffn_down.weight", 5), DType::kPQ8_G128);
  EXPECT_EQ(p.type_for("blk.3.ffn_down.weight", 3), DType::kPQ4_G128);
  EXPECT_EQ(p.type_for("blk.1.ffn_down.weight", 1), DType::kPQ4_G128);
  EXPECT_EQ(p.type_for("blk.0.attn_v.weight", 0), DType::kPQ8_G128);
  EXPECT_EQ(p.type_for("blk.2.attn_v.weight", 2), DType::kPQ4_G128);
  EXPECT_EQ(p.type_for("output.weight", -1), DType::kPQ8_G128);
}

TEST(MixPolicy, BadPoliciesAreClearErrors) {
  EXPECT_THROW(MixPolicy("no-such-preset", 128, Scheme::kSym, 6), Error);
  EXPECT_THROW(MixPolicy("*=q9_9", 128, Scheme::kSym, 6), Error);
  EXPECT_THROW(MixPolicy("*@firstx=8", 128, Scheme::kSym, 6), Error);
  EXPECT_THROW(MixPolicy("=8", 128, Scheme::kSym, 6), Error);
  EXPECT_THROW(MixPolicy("*=q4_k", 128, Scheme::kSym, 6), Error);  // no K-quant writer
}

TEST(TypeChoice, GroupTypes) {
  EXPECT_EQ(group_type(8, 32, Scheme::kSym, false), DType::kQ8_0);
  EXPECT_EQ(group_type(4, 32, Scheme::kSym, false), DType::kQ4_0);
  EXPECT_EQ(group_type(4, 32, Scheme::kAsym, false), DType::kQ4_1);
  EXPECT_EQ(group_type(8, 128, Scheme::kSym, false), DType::kPQ8_G128);
  EXPECT_EQ(group_type(4, 64, Scheme::kAsym, false), DType::kPQ4A_G64);
  EXPECT_EQ(group_type(8, 128, Scheme::kSym, true), DType::kPFP8_G128);
  EXPECT_THROW(group_type(8, 64, Scheme::kSym, true), Error);
  EXPECT_THROW(group_type(8, 32, Scheme::kAsym, false), Error);
  EXPECT_THROW(group_type(3, 32, Scheme::kSym, false), Error);
  EXPECT_THROW(group_type(4, 96, Scheme::kSym, false), Error);
}

TEST(TypeChoice, FallbackForRowsTheGroupDoesNotDivide) {
  EXPECT_EQ(fit_row(DType::kPQ4_G128, 256).type, DType::kPQ4_G128);
  EXPECT_TRUE(fit_row(DType::kPQ4_G128, 256).reason.empty());
  EXPECT_EQ(fit_row(DType::kPQ4_G128, 192).type, DType::kPQ4_G64);
  EXPECT_EQ(fit_row(DType::kPQ4A_G128, 160).type, DType::kQ4_1);
  const Fit f = fit_row(DType::kQ8_0, 172);
  EXPECT_EQ(f.type, DType::kF16);
  EXPECT_NE(f.reason.find("172"), std::string::npos);
  EXPECT_EQ(fit_row(DType::kPFP8_G128, 192).type, DType::kF16);
}

}  // namespace
}  // namespace pocket::quant
