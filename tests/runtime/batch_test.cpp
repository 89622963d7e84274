// A batch that mixes sequences of different lengths must give, per sequence, the logits of
// running each sequence alone.
#include <gtest/gtest.h>

#include <random>

#include "core/error.h"
#include "random_model.h"
#include "runtime/context.h"

namespace pocket {
namespace {

using test::RandomModel;

// Logits at every position of `tokens` evaluated alone, one prefill call.
std::vector<std::vector<float>> run_alone(const Model& model, const std::vector<int32_t>& tokens) {
  Context ctx(model, {.n_ctx = 64, .n_seq_max = 1, .n_threads = 2});
  Batch b;
  for (size_t i = 0; i < tokens.size(); ++i) b.add(tokens[i], static_cast<int32_t>(i), 0, true);
  ctx.decode(b);
  std::vector<std::vector<float>> out;
  for (int i = 0; i < ctx.n_outputs(); ++i)
    out.emplace_back(ctx.logits(i).begin(), ctx.logits(i).end());
  return out;
}

void expect_close(const std::vector<float>& a, std::span<const float> b, const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (size_t i = 0; i < a.size(); ++i) ASSERT_NEAR(a[i], b[i], 1e-4f) << what << " logit " << i;
}

class BatchTest : public ::testing::TestWithParam<Arch> {};

TEST_P(BatchTest, MixedSequencesMatchRunningEachAlone) {
  RandomModel rm(RandomModel::small_spec(GetParam()));
  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int32_t> tok(0, 96);
  const std::vector<size_t> lengths = {7, 1, 13, 4};
  std::vector<std::vector<int32_t>> seqs;
  for (size_t len : lengths) {
    auto& s = seqs.emplace_back();
    for (size_t i = 0; i < len; ++i) s.push_back(tok(rng));
  }
  // All sequences in one batch, interleaved token by token.
  Context ctx(rm.model(), {.n_ctx = 64, .n_seq_max = 4, .n_threads = 2});
  Batch b;
  std::vector<std::pair<int, size_t>> order;  // (seq, position) of each output row
  for (size_t pos = 0; pos < 13; ++pos) {
    for (int s = 0; s < 4; ++s) {
      if (pos < seqs[static_cast<size_t>(s)].size()) {
        b.add(seqs[static_cast<size_t>(s)][pos], static_cast<int32_t>(pos), s, true);
        order.emplace_back(s, pos);
      }
    }
  }
  ctx.decode(b);
  ASSERT_EQ(ctx.n_outputs(), static_cast<int>(order.size()));
  for (int s = 0; s < 4; ++s) {
    const auto alone = run_alone(rm.model(), seqs[static_cast<size_t>(s)]);
    for (size_t row = 0; row < order.size(); ++row) {
      if (order[row].first != s) continue;
      expect_close(alone[order[row].second], ctx.logits(static_cast<int>(row)),
                   "seq " + std::to_string(s) + " pos " + std::to_string(order[row].second));
    }
  }
}

TEST_P(BatchTest, TokenByTokenDecodeMatchesPrefill) {
  RandomModel rm(RandomModel::small_spec(GetParam()));
  const std::vector<int32_t> tokens = {5, 17, 3, 88, 42, 0, 96, 11};
  const auto prefill = run_alone(rm.model(), tokens);
  Context ctx(rm.model(), {.n_ctx = 64, .n_seq_max = 1, .n_threads = 1});
  for (size_t i = 0; i < tokens.size(); ++i) {
    Batch b;
    b.add(tokens[i], static_cast<int32_t>(i), 0, true);
    ctx.decode(b);
    expect_close(prefill[i], ctx.logits(0), "position " + std::to_string(i));
  }
}

INSTANTIATE_TEST_SUITE_P(Archs, BatchTest, ::testing::Values(Arch::kLlama, Arch::kQwen2));

TEST(Batch, RejectsBadEntriesWithoutTouchingTheCache) {
  RandomModel rm(RandomModel::small_spec());
  Context ctx(rm.model(), {.n_ctx = 8, .n_seq_max = 2, .n_threads = 1});
  Batch b;
  b.add(1, 0, 0, true);
  b.add(200, 1, 0, true);  // token outside the vocabulary
  EXPECT_THROW(ctx.decode(b), Error);
  EXPECT_EQ(ctx.kv().seq_len(0), 0);
  b.clear();
  b.add(1, 3, 0, true);  // skips positions 0..2
  EXPECT_THROW(ctx.decode(b), Error);
  b.clear();
  b.add(1, 0, 5, true);  // no such sequence
  EXPECT_THROW(ctx.decode(b), Error);
  b.clear();
  EXPECT_THROW(ctx.decode(b), Error);  // empty
  for (int32_t p = 0; p < 8; ++p) b.add(1, p, 1, false);
  ctx.decode(b);
  EXPECT_EQ(ctx.n_outputs(), 0);
  b.clear();
  b.add(1, 8, 1, true);  // context full
  EXPECT_THROW(ctx.decode(b), Error);
  ctx.kv().truncate(1, 4);  // rewind, then continue from position 4
  b.clear();
  b.add(2, 4, 1, true);
  EXPECT_NO_THROW(ctx.decode(b));
}

}  // namespace
}  // namespace pocket
