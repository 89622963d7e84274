// The forward pass through the C API: batches of several sequences, greedy generation against
// llama.cpp's golden tokens, rewinding, and rejected batches.
#include <pocket/pocket.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <vector>

#include "c_api_test_util.h"

namespace pocket::test {
namespace {

float max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  float m = 0.0f;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) m = std::max(m, std::abs(a[i] - b[i]));
  return m;
}

// Logits of the last token of `ids` evaluated alone in a fresh context.
std::vector<float> alone(const pocket_model* model, const std::vector<int32_t>& ids) {
  ContextPtr ctx = make_context(model);
  EXPECT_EQ(decode_seq(ctx.get(), ids, 0), POCKET_OK) << pocket_last_error();
  return logits_row(ctx.get(), model, 0);
}

TEST(CApiDecodeTest, TwoSequencesInOneBatchMatchEachAlone) {
  ModelPtr model = load(stories_path());
  ASSERT_TRUE(model);
  const std::vector<int32_t> a = tokenize(model.get(), "Once upon a time", true);
  const std::vector<int32_t> b = tokenize(model.get(), "The cat was very happy.", true);

  ContextPtr ctx = make_context(model.get(), 2);
  ASSERT_TRUE(ctx);
  // Interleaved, as a server's dynamic batching would send them; logits at each one's end.
  std::vector<int32_t> tokens, pos, seq;
  std::vector<int8_t> want;
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    for (int32_t s = 0; s < 2; ++s) {
      const std::vector<int32_t>& ids = s == 0 ? a : b;
      if (i >= ids.size()) continue;
      tokens.push_back(ids[i]);
      pos.push_back(static_cast<int32_t>(i));
      seq.push_back(s);
      want.push_back(i + 1 == ids.size() ? 1 : 0);
    }
  }
  ASSERT_EQ(
      pocket_decode(ctx.get(), tokens.data(), pos.data(), seq.data(), want.data(), tokens.size()),
      POCKET_OK)
      << pocket_last_error();
  EXPECT_EQ(pocket_seq_length(ctx.get(), 0), static_cast<int32_t>(a.size()));
  EXPECT_EQ(pocket_seq_length(ctx.get(), 1), static_cast<int32_t>(b.size()));
  // a is shorter, so its last token comes first in batch order.
  ASSERT_LT(a.size(), b.size());
  EXPECT_LT(max_abs_diff(logits_row(ctx.get(), model.get(), 0), alone(model.get(), a)), 1e-4f);
  EXPECT_LT(max_abs_diff(logits_row(ctx.get(), model.get(), 1), alone(model.get(), b)), 1e-4f);
  EXPECT_EQ(pocket_get_logits(ctx.get(), 2), nullptr);
  EXPECT_TRUE(contains(pocket_last_error(), "i is 2 but the last decode kept logits for 2"))
      << pocket_last_error();
}

TEST(CApiDecodeTest, GreedyGenerationMatchesGolden) {
  const nlohmann::json golden =
      nlohmann::json::parse(read_text_file(shared_path("golden/stories260K/once_upon.json")));
  ModelPtr model = load(stories_path());
  ASSERT_TRUE(model);
  const std::vector<int32_t> prompt = tokenize(model.get(), golden.at("prompt"), true);
  ASSERT_EQ(prompt, golden.at("prompt_tokens").get<std::vector<int32_t>>());
  const std::vector<int32_t> expected = golden.at("generated_tokens").get<std::vector<int32_t>>();

  ContextPtr ctx = make_context(model.get());
  pocket_sampler_params sp = pocket_sampler_default_params();
  sp.temperature = 0.0f;
  pocket_sampler* raw = nullptr;
  ASSERT_EQ(pocket_sampler_create(model.get(), sp, &raw), POCKET_OK) << pocket_last_error();
  SamplerPtr sampler(raw);

  ASSERT_EQ(decode_seq(ctx.get(), prompt, 0), POCKET_OK) << pocket_last_error();
  std::vector<int32_t> generated;
  for (int i = 0; i < 20; ++i) {
    const float* logits = pocket_get_logits(ctx.get(), 0);
    ASSERT_NE(logits, nullptr) << pocket_last_error();
    int32_t token = -1;
    ASSERT_EQ(pocket_sample(sampler.get(), logits, &token), POCKET_OK) << pocket_last_error();
    generated.push_back(token);
    ASSERT_EQ(decode_seq(ctx.get(), {token}, 0), POCKET_OK) << pocket_last_error();
  }
  EXPECT_EQ(generated, std::vector<int32_t>(expected.begin(), expected.begin() + 20));
  EXPECT_EQ(detokenize(model.get(), generated),
            ", there was a little girl named Lily. She loved to play outsid");
}

TEST(CApiDecodeTest, TruncateRewinds) {
  ModelPtr model = load(stories_path());
  ASSERT_TRUE(model);
  const std::vector<int32_t> prompt = tokenize(model.get(), "Once upon a time", true);
  const auto n_prompt = static_cast<int32_t>(prompt.size());
  ContextPtr ctx = make_context(model.get());
  ASSERT_EQ(decode_seq(ctx.get(), prompt, 0), POCKET_OK);
  ASSERT_EQ(decode_seq(ctx.get(), {432}, 0), POCKET_OK);  // ","
  const std::vector<float> after_comma = logits_row(ctx.get(), model.get(), 0);
  ASSERT_EQ(decode_seq(ctx.get(), {383, 286}, 0), POCKET_OK);  // " there was"
  EXPECT_EQ(pocket_seq_length(ctx.get(), 0), n_prompt + 3);

  // Back to the prompt, then the same token again: the same logits as the first time.
  ASSERT_EQ(pocket_seq_truncate(ctx.get(), 0, n_prompt), POCKET_OK);
  EXPECT_EQ(pocket_seq_length(ctx.get(), 0), n_prompt);
  ASSERT_EQ(decode_seq(ctx.get(), {432}, 0), POCKET_OK);
  EXPECT_EQ(max_abs_diff(logits_row(ctx.get(), model.get(), 0), after_comma), 0.0f);

  // Keeping more than there is changes nothing; bad arguments are named.
  EXPECT_EQ(pocket_seq_truncate(ctx.get(), 0, 1000), POCKET_OK);
  EXPECT_EQ(pocket_seq_length(ctx.get(), 0), n_prompt + 1);
  EXPECT_EQ(pocket_seq_truncate(ctx.get(), 0, -1), POCKET_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(pocket_last_error(), "n_keep is -1")) << pocket_last_error();
  EXPECT_EQ(pocket_seq_truncate(ctx.get(), 1, 0), POCKET_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(pocket_last_error(), "seq_id 1 is outside 0..0")) << pocket_last_error();
  EXPECT_EQ(pocket_seq_length(ctx.get(), 3), -1);
}

TEST(CApiDecodeTest, RejectedBatchesAreNamedAndLeaveNoLogits) {
  ModelPtr model = load(stories_path());
  ASSERT_TRUE(model);
  ContextPtr ctx = make_context(model.get(), 1, 8);
  ASSERT_TRUE(ctx);
  EXPECT_EQ(pocket_get_logits(ctx.get(), 0), nullptr);  // nothing decoded yet
  EXPECT_TRUE(contains(pocket_last_error(), "there are no logits")) << pocket_last_error();

  const int32_t token = 1, pos0 = 0, seq0 = 0;
  ASSERT_EQ(pocket_decode(ctx.get(), &token, &pos0, &seq0, nullptr, 1), POCKET_OK);
  ASSERT_NE(pocket_get_logits(ctx.get(), 0), nullptr);

  EXPECT_EQ(pocket_decode(ctx.get(), &token, &pos0, &seq0, nullptr, 0),
            POCKET_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(pocket_last_error(), "n is 0")) << pocket_last_error();
  EXPECT_EQ(pocket_get_logits(ctx.get(), 0), nullptr) << "a failed decode leaves no logits";

  const int32_t pos1 = 1, bad_token = 512, bad_seq = 1;
  EXPECT_EQ(pocket_decode(ctx.get(), &bad_token, &pos1, &seq0, nullptr, 1),
            POCKET_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(pocket_last_error(), "token id 512")) << pocket_last_error();
  EXPECT_EQ(pocket_decode(ctx.get(), &token, &pos1, &bad_seq, nullptr, 1),
            POCKET_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(pocket_last_error(), "sequence id 1")) << pocket_last_error();
  EXPECT_EQ(pocket_decode(ctx.get(), &token, &pos0, &seq0, nullptr, 1),
            POCKET_ERR_INVALID_ARGUMENT);  // position 0 again
  EXPECT_TRUE(contains(pocket_last_error(), "should be 1")) << pocket_last_error();
  EXPECT_EQ(pocket_decode(ctx.get(), nullptr, &pos1, &seq0, nullptr, 1),
            POCKET_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(pocket_last_error(), "tokens is NULL")) << pocket_last_error();
  EXPECT_EQ(pocket_decode(ctx.get(), &token, nullptr, &seq0, nullptr, 1),
            POCKET_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(pocket_decode(ctx.get(), &token, &pos1, nullptr, nullptr, 1),
            POCKET_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(pocket_seq_length(ctx.get(), 0), 1) << "rejected batches leave the cache alone";

  // The context holds 8 positions: 8 more tokens do not fit.
  const std::vector<int32_t> eight(8, 1);
  EXPECT_EQ(decode_seq(ctx.get(), eight, 0), POCKET_ERR_OUT_OF_RANGE);
  EXPECT_TRUE(contains(pocket_last_error(), "is full")) << pocket_last_error();
  EXPECT_EQ(pocket_seq_length(ctx.get(), 0), 1);
}

TEST(CApiDecodeTest, WantLogitsSelectsRows) {
  ModelPtr model = load(stories_path());
  ASSERT_TRUE(model);
  const std::vector<int32_t> prompt = tokenize(model.get(), "Once upon a time", true);
  ContextPtr ctx = make_context(model.get());
  std::vector<int32_t> pos(prompt.size()), seq(prompt.size(), 0);
  for (size_t i = 0; i < pos.size(); ++i) pos[i] = static_cast<int32_t>(i);
  const std::vector<int8_t> all(prompt.size(), 1);
  ASSERT_EQ(
      pocket_decode(ctx.get(), prompt.data(), pos.data(), seq.data(), all.data(), prompt.size()),
      POCKET_OK);
  const std::vector<float> last =
      logits_row(ctx.get(), model.get(), static_cast<int32_t>(prompt.size()) - 1);
  EXPECT_EQ(pocket_get_logits(ctx.get(), static_cast<int32_t>(prompt.size())), nullptr);
  EXPECT_LT(max_abs_diff(last, alone(model.get(), prompt)), 1e-5f);
}

}  // namespace
}  // namespace pocket::test
