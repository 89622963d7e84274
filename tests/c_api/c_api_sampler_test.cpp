// Sampling through the C API: seeded draws repeat, greedy picks the best, params are checked.
#include <pocket/pocket.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "c_api_test_util.h"

namespace pocket::test {
namespace {

SamplerPtr make_sampler(const pocket_model* model, pocket_sampler_params params) {
  pocket_sampler* s = nullptr;
  EXPECT_EQ(pocket_sampler_create(model, params, &s), POCKET_OK) << pocket_last_error();
  return SamplerPtr(s);
}

// A smooth distribution over the 512 tokens, so that draws differ from one another.
std::vector<float> flat_logits() {
  std::vector<float> logits(512);
  for (size_t i = 0; i < logits.size(); ++i) logits[i] = std::sin(static_cast<float>(i)) * 0.5f;
  return logits;
}

std::vector<int32_t> draw(pocket_sampler* s, const std::vector<float>& logits, int n) {
  std::vector<int32_t> out;
  for (int i = 0; i < n; ++i) {
    int32_t t = -1;
    EXPECT_EQ(pocket_sample(s, logits.data(), &t), POCKET_OK) << pocket_last_error();
    out.push_back(t);
  }
  return out;
}

TEST(CApiSamplerTest, DefaultsMatchTheEngine) {
  const pocket_sampler_params p = pocket_sampler_default_params();
  EXPECT_FLOAT_EQ(p.temperature, 0.8f);
  EXPECT_EQ(p.top_k, 40);
  EXPECT_FLOAT_EQ(p.top_p, 0.95f);
  EXPECT_FLOAT_EQ(p.repeat_penalty, 1.0f);
  EXPECT_EQ(p.seed, 0x5eedu);
}

TEST(CApiSamplerTest, SeededSamplingRepeats) {
  ModelPtr model = load(stories_path());
  ASSERT_TRUE(model);
  pocket_sampler_params p = pocket_sampler_default_params();
  p.temperature = 1.0f;
  p.top_k = 0;
  p.top_p = 1.0f;
  p.min_p = 0.0f;
  p.seed = 1234;
  const std::vector<float> logits = flat_logits();
  SamplerPtr a = make_sampler(model.get(), p);
  SamplerPtr b = make_sampler(model.get(), p);
  const std::vector<int32_t> first = draw(a.get(), logits, 50);
  EXPECT_EQ(draw(b.get(), logits, 50), first);

  // Not one token over and over: the draws are random.
  EXPECT_NE(std::count(first.begin(), first.end(), first[0]), 50);
  // reset() restarts from the seed.
  pocket_sampler_reset(a.get());
  EXPECT_EQ(draw(a.get(), logits, 50), first);
  // Another seed, another sequence.
  p.seed = 99;
  SamplerPtr c = make_sampler(model.get(), p);
  EXPECT_NE(draw(c.get(), logits, 50), first);
}

TEST(CApiSamplerTest, GreedyPicksTheBestAndPenaltiesSeeAcceptedTokens) {
  ModelPtr model = load(stories_path());
  ASSERT_TRUE(model);
  std::vector<float> logits(512, 0.0f);
  logits[7] = 5.0f;
  logits[9] = 4.0f;
  pocket_sampler_params p = pocket_sampler_default_params();
  p.temperature = 0.0f;
  SamplerPtr greedy = make_sampler(model.get(), p);
  EXPECT_EQ(draw(greedy.get(), logits, 3), (std::vector<int32_t>{7, 7, 7}));

  // With a strong repeat penalty, a token fed in as prompt is avoided.
  p.repeat_penalty = 10.0f;
  SamplerPtr penalized = make_sampler(model.get(), p);
  ASSERT_EQ(pocket_sampler_accept(penalized.get(), 7), POCKET_OK);
  EXPECT_EQ(draw(penalized.get(), logits, 1), (std::vector<int32_t>{9}));
  EXPECT_EQ(pocket_sampler_accept(penalized.get(), 512), POCKET_ERR_INVALID_ARGUMENT);
}

TEST(CApiSamplerTest, BadParamsAndLogitsAreRefused) {
  ModelPtr model = load(stories_path());
  ASSERT_TRUE(model);
  pocket_sampler_params p = pocket_sampler_default_params();
  p.top_p = 1.5f;
  pocket_sampler* s = nullptr;
  EXPECT_EQ(pocket_sampler_create(model.get(), p, &s), POCKET_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(s, nullptr);
  EXPECT_TRUE(contains(pocket_last_error(), "top_p")) << pocket_last_error();
  EXPECT_EQ(pocket_sampler_create(model.get(), pocket_sampler_default_params(), nullptr),
            POCKET_ERR_INVALID_ARGUMENT);

  SamplerPtr ok = make_sampler(model.get(), pocket_sampler_default_params());
  int32_t t = 0;
  EXPECT_EQ(pocket_sample(ok.get(), nullptr, &t), POCKET_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(pocket_last_error(), "logits is NULL")) << pocket_last_error();
  std::vector<float> nan_logits(512, 0.0f);
  nan_logits[3] = std::nanf("");
  EXPECT_EQ(pocket_sample(ok.get(), nan_logits.data(), &t), POCKET_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(pocket_sample(ok.get(), nan_logits.data(), nullptr), POCKET_ERR_INVALID_ARGUMENT);
}

}  // namespace
}  // namespace pocket::test
