#include "runtime/sampler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"
#include "runtime/sampler_rng.h"

namespace pocket {
namespace {

SamplingParams plain(float temperature = 1.0f) {
  SamplingParams p;
  p.temperature = temperature;
  p.top_k = 0;
  p.top_p = 1.0f;
  p.min_p = 0.0f;
  return p;
}

std::vector<float> random_logits(size_t n, std::mt19937& rng) {
  std::vector<float> out(n);
  for (float& x : out) x = static_cast<float>(rng() % 20000) / 1000.0f - 10.0f;
  return out;
}

std::map<int32_t, float> as_map(std::span<const TokenProb> d) {
  std::map<int32_t, float> out;
  for (const TokenProb& t : d) out[t.id] = t.p;
  return out;
}

void expect_error(const SamplingParams& p, const std::string& fragment) {
  try {
    Sampler s(p, 10);
    ADD_FAILURE() << "no error for " << fragment;
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

// Pins the generator: a change here changes every seeded generation everywhere.
TEST(SamplerTest, RngMatchesReferenceOutputs) {
  SamplerRng a(0);
  EXPECT_EQ(a.next(), 0x99ec5f36cb75f2b4ULL);
  EXPECT_EQ(a.next(), 0xbf6e1f784956452aULL);
  EXPECT_EQ(a.next(), 0x1a5f849d4933e6e0ULL);
  EXPECT_EQ(a.next(), 0x6aa594f1262d2d2cULL);
  SamplerRng b(42);
  EXPECT_EQ(b.next(), 0x15780b2e0c2ec716ULL);
  EXPECT_EQ(b.next(), 0x6104d9866d113a7eULL);
  for (int i = 0; i < 1000; ++i) {
    const double u = b.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
  }
}

TEST(SamplerTest, GreedyIsArgmaxWithTiesToLowestId) {
  Sampler s(plain(0.0f), 6);
  EXPECT_EQ(s.sample(std::vector<float>{1, 3, 2, 3, -1, 0}), 1);
  EXPECT_EQ(s.sample(std::vector<float>{-5, -2, -2, -9, -2, -3}), 1);
  Sampler negative_t(plain(-1.0f), 3);  // temperature below zero is greedy too
  EXPECT_EQ(negative_t.sample(std::vector<float>{0, 0, 1}), 2);
  const auto d = s.distribution(std::vector<float>{0, 7, 7, 1, 2, 3});
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].id, 1);
  EXPECT_EQ(d[0].p, 1.0f);
}

TEST(SamplerTest, TopKOneIsGreedy) {
  std::mt19937 rng(7);
  SamplingParams p;  // defaults, top_k = 1
  p.top_k = 1;
  p.temperature = 1.5f;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    p.seed = seed;
    Sampler s(p, 1000);
    Sampler greedy(plain(0.0f), 1000);
    for (int i = 0; i < 10; ++i) {
      const std::vector<float> logits = random_logits(1000, rng);
      ASSERT_EQ(s.sample(logits), greedy.sample(logits));
    }
  }
}

TEST(SamplerTest, SameSeedSameSequenceAndResetReplays) {
  std::mt19937 rng(3);
  const std::vector<float> logits = random_logits(500, rng);
  SamplingParams p;
  p.temperature = 1.5f;
  p.seed = 1234;
  Sampler a(p, 500);
  Sampler b(p, 500);
  std::vector<int32_t> first;
  for (int i = 0; i < 100; ++i) {
    first.push_back(a.sample(logits));
    ASSERT_EQ(first.back(), b.sample(logits));
  }
  a.reset();
  for (int i = 0; i < 100; ++i) ASSERT_EQ(a.sample(logits), first[i]);
}

TEST(SamplerTest, DifferentSeedsDiffer) {
  const std::vector<float> logits(100, 0.0f);  // uniform: every draw is pure randomness
  std::vector<std::vector<int32_t>> runs;
  for (uint64_t seed : {1ull, 2ull, 3ull}) {
    SamplingParams p = plain();
    p.seed = seed;
    Sampler s(p, 100);
    std::vector<int32_t> run;
    for (int i = 0; i < 50; ++i) run.push_back(s.sample(logits));
    runs.push_back(run);
  }
  EXPECT_NE(runs[0], runs[1]);
  EXPECT_NE(runs[1], runs[2]);
  EXPECT_NE(runs[0], runs[2]);
}

TEST(SamplerTest, FrequenciesFollowTheDistribution) {
  const std::vector<float> probs = {0.1f, 0.2f, 0.3f, 0.4f};
  std::vector<float> logits;
  for (float q : probs) logits.push_back(std::log(q) + 3.0f);  // a shift changes nothing
  logits.push_back(-std::numeric_limits<float>::infinity());   // never drawn
  Sampler s(plain(), 5);
  std::vector<int> counts(5, 0);
  constexpr int kDraws = 200000;
  for (int i = 0; i < kDraws; ++i) ++counts[static_cast<size_t>(s.sample(logits))];
  for (size_t i = 0; i < probs.size(); ++i) {
    // The standard deviation of a frequency is at most 0.0011 here: 0.005 is > 4 sigma.
    EXPECT_NEAR(static_cast<double>(counts[i]) / kDraws, probs[i], 0.005) << "token " << i;
  }
  EXPECT_EQ(counts[4], 0);
}

TEST(SamplerTest, TemperatureSharpensAndFlattens) {
  const std::vector<float> logits = {0.0f, 1.0f};
  auto p1 = [&](float t) { return as_map(Sampler(plain(t), 2).distribution(logits))[1]; };
  EXPECT_NEAR(p1(1.0f), 1.0 / (1.0 + std::exp(-1.0)), 1e-6);
  EXPECT_NEAR(p1(0.5f), 1.0 / (1.0 + std::exp(-2.0)), 1e-6);
  EXPECT_NEAR(p1(2.0f), 1.0 / (1.0 + std::exp(-0.5)), 1e-6);
  EXPECT_EQ(p1(1e-30f), 1.0f);  // tiny but positive: no NaN from 0 * inf
}

TEST(SamplerTest, TopKKeepsTheBestWithLowIdsOnTies) {
  SamplingParams p = plain();
  p.top_k = 3;
  Sampler s(p, 8);
  const auto d = s.distribution(std::vector<float>{1, 5, 3, 5, 3, 0, 3, 4});
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].id, 1);
  EXPECT_EQ(d[1].id, 3);
  EXPECT_EQ(d[2].id, 7);
  p.top_k = 5;  // the cut falls inside the tie at 3: lower ids win
  Sampler s5(p, 8);
  const auto e = s5.distribution(std::vector<float>{1, 5, 3, 5, 3, 0, 3, 4});
  std::vector<int32_t> ids;
  for (const TokenProb& t : e) ids.push_back(t.id);
  EXPECT_EQ(ids, (std::vector<int32_t>{1, 3, 7, 2, 4}));
}

TEST(SamplerTest, TopKMatchesAFullSortOnALargeVocabulary) {
  std::mt19937 rng(11);
  const std::vector<float> logits = random_logits(20000, rng);  // many ties (0.001 steps)
  std::vector<int32_t> order(logits.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int32_t>(i);
  std::stable_sort(order.begin(), order.end(),
                   [&](int32_t a, int32_t b) { return logits[a] > logits[b]; });
  for (int k : {1, 40, 1000, 19999, 20000, 50000}) {
    SamplingParams p = plain();
    p.top_k = k;
    Sampler s(p, 20000);
    const auto d = s.distribution(logits);
    const size_t expected = std::min<size_t>(static_cast<size_t>(k), logits.size());
    ASSERT_EQ(d.size(), expected) << k;
    if (static_cast<size_t>(k) >= logits.size()) continue;  // off: id order
    for (size_t i = 0; i < d.size(); ++i) ASSERT_EQ(d[i].id, order[i]) << "k " << k << " i " << i;
  }
}

TEST(SamplerTest, TopPKeepsTheSmallestPrefixReachingP) {
  const std::vector<float> logits = {std::log(0.15f), std::log(0.5f), std::log(0.05f),
                                     std::log(0.3f)};
  SamplingParams p = plain();
  p.top_p = 0.7f;  // 0.5 < 0.7 <= 0.8
  auto d = as_map(Sampler(p, 4).distribution(logits));
  ASSERT_EQ(d.size(), 2u);
  EXPECT_NEAR(d[1], 0.5 / 0.8, 1e-6);
  EXPECT_NEAR(d[3], 0.3 / 0.8, 1e-6);
  p.top_p = 0.0f;  // keeps one token
  EXPECT_EQ(Sampler(p, 4).distribution(logits).size(), 1u);
  p.top_p = 0.96f;
  EXPECT_EQ(Sampler(p, 4).distribution(logits).size(), 4u);
}

TEST(SamplerTest, MinPCutsRelativeToTheBest) {
  const std::vector<float> logits = {std::log(0.15f), std::log(0.5f), std::log(0.05f),
                                     std::log(0.3f)};
  SamplingParams p = plain();
  p.min_p = 0.2f;  // keeps p >= 0.1: drops 0.05
  auto d = as_map(Sampler(p, 4).distribution(logits));
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d.count(2), 0u);
  EXPECT_NEAR(d[1], 0.5 / 0.95, 1e-6);
  p.min_p = 0.5f;  // keeps p >= 0.25
  EXPECT_EQ(Sampler(p, 4).distribution(logits).size(), 2u);
  p.min_p = 1.0f;  // only the best
  EXPECT_EQ(Sampler(p, 4).distribution(logits).size(), 1u);
  // With top-p: top-p measures against all candidates, then min-p cuts further.
  p.min_p = 0.5f;
  p.top_p = 0.9f;  // alone it would keep three (0.5, 0.3, 0.15)
  EXPECT_EQ(Sampler(p, 4).distribution(logits).size(), 2u);
  p.min_p = 0.2f;
  p.top_p = 0.6f;  // top-p alone keeps two, min-p alone three
  EXPECT_EQ(Sampler(p, 4).distribution(logits).size(), 2u);
}

TEST(SamplerTest, PenaltiesChangeOnlyRecentTokens) {
  SamplingParams p = plain();
  p.repeat_penalty = 2.0f;
  p.presence_penalty = 0.5f;
  p.frequency_penalty = 0.25f;
  p.repeat_last_n = 3;
  Sampler s(p, 5);
  const std::vector<float> logits = {1.0f, -1.0f, 2.0f, 0.5f, 0.0f};
  s.accept(4);  // falls out of the window of 3 below
  s.accept(0);
  s.accept(1);
  s.accept(0);
  // Penalized logits: token 0 (2 times, > 0): 1/2 - 2*0.25 - 0.5 = -0.5
  //                   token 1 (once, <= 0):  -1*2 - 0.25 - 0.5 = -2.75; others unchanged.
  const std::vector<float> expected = {-0.5f, -2.75f, 2.0f, 0.5f, 0.0f};
  auto d = as_map(s.distribution(logits));
  for (int32_t i = 1; i < 5; ++i) {
    EXPECT_NEAR(std::log(d[i] / d[0]), expected[i] - expected[0], 1e-5) << "token " << i;
  }
  s.reset();  // no history: no penalty
  d = as_map(s.distribution(logits));
  EXPECT_NEAR(std::log(d[2] / d[0]), 1.0, 1e-5);
}

TEST(SamplerTest, RepeatPenaltyMovesGreedyChoice) {
  SamplingParams p = plain(0.0f);
  p.repeat_penalty = 1.5f;
  Sampler s(p, 3);
  const std::vector<float> logits = {3.0f, 2.5f, 0.0f};
  EXPECT_EQ(s.sample(logits), 0);
  s.accept(0);  // 3 / 1.5 = 2 < 2.5
  EXPECT_EQ(s.sample(logits), 1);
  s.accept(1);  // 2.5 / 1.5 < 2
  EXPECT_EQ(s.sample(logits), 0);
}

TEST(SamplerTest, RejectsInvalidLogits) {
  for (float bad :
       {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
    for (float t : {0.0f, 0.8f}) {
      Sampler s(plain(t), 4);
      std::vector<float> logits = {0.0f, 1.0f, bad, 2.0f};
      try {
        s.sample(logits);
        ADD_FAILURE() << "no error for " << bad;
      } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
        EXPECT_NE(std::string(e.what()).find("token 2"), std::string::npos) << e.what();
      }
    }
  }
  Sampler s(plain(), 4);
  const float ninf = -std::numeric_limits<float>::infinity();
  EXPECT_THROW(s.sample(std::vector<float>{ninf, ninf, ninf, ninf}), Error);
  EXPECT_THROW(s.sample(std::vector<float>{0.0f, 1.0f}), Error);  // wrong size
  EXPECT_THROW(s.accept(4), Error);
  EXPECT_THROW(s.accept(-1), Error);
}

TEST(SamplerTest, FindsInvalidLogitsAndTiesAnywhereInALongRow) {
  // The scans run eight lanes at a time with a scalar tail: probe both parts.
  const size_t n = 1003;
  for (size_t pos : {size_t{0}, size_t{7}, size_t{8}, size_t{500}, size_t{999}, size_t{1002}}) {
    std::vector<float> logits(n, 0.5f);
    logits[pos] = std::numeric_limits<float>::quiet_NaN();
    Sampler s(plain(0.0f), static_cast<int>(n));
    try {
      s.sample(logits);
      ADD_FAILURE() << "NaN at " << pos << " not found";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("token " + std::to_string(pos)), std::string::npos)
          << e.what();
    }
    logits[pos] = std::numeric_limits<float>::infinity();
    EXPECT_THROW(s.sample(logits), Error) << "+inf at " << pos;
    logits[pos] = 2.0f;
    logits[n - 1] = 2.0f;  // a tie later on: the first wins
    EXPECT_EQ(s.sample(logits), static_cast<int32_t>(pos));
  }
}

TEST(SamplerTest, ValidatesParams) {
  SamplingParams p;
  p.top_p = -0.1f;
  expect_error(p, "top_p");
  p = {};
  p.top_p = 1.5f;
  expect_error(p, "top_p");
  p = {};
  p.top_k = -1;
  expect_error(p, "top_k");
  p = {};
  p.min_p = std::numeric_limits<float>::quiet_NaN();
  expect_error(p, "min_p");
  p = {};
  p.temperature = std::numeric_limits<float>::infinity();
  expect_error(p, "temperature");
  p = {};
  p.repeat_penalty = 0.0f;
  expect_error(p, "repeat_penalty");
  p = {};
  p.repeat_last_n = -1;
  expect_error(p, "repeat_last_n");
  p = {};
  p.presence_penalty = std::numeric_limits<float>::quiet_NaN();
  expect_error(p, "presence_penalty");
  p = {};
  p.frequency_penalty = -std::numeric_limits<float>::infinity();
  expect_error(p, "frequency_penalty");
  EXPECT_THROW(Sampler(SamplingParams{}, 0), Error);
  EXPECT_NO_THROW(validate_sampling_params(SamplingParams{}));
}

TEST(SamplerTest, DefaultParamsOnAQwenSizedVocabulary) {
  // 152k logits, default chain plus a repeat penalty: every draw is among the 40 best penalized
  // logits, and a penalized token drops out so others can come in.
  std::mt19937 rng(5);
  const std::vector<float> logits = random_logits(152064, rng);
  SamplingParams p;
  p.repeat_penalty = 1.1f;
  Sampler s(p, static_cast<int>(logits.size()));
  // Penalties are computed from the raw logit, so a repeated token is not penalized twice; the
  // window (64) holds all 50 draws.
  std::vector<float> penalized = logits;
  for (int i = 0; i < 50; ++i) {
    std::vector<float> sorted = penalized;
    std::nth_element(sorted.begin(), sorted.begin() + 39, sorted.end(), std::greater<float>());
    const int32_t t = s.sample(logits);
    ASSERT_GE(penalized[static_cast<size_t>(t)], sorted[39]) << "draw " << i;
    const float x = logits[static_cast<size_t>(t)];
    penalized[static_cast<size_t>(t)] = x > 0 ? x / 1.1f : x * 1.1f;
    s.accept(t);
  }
}

}  // namespace
}  // namespace pocket
