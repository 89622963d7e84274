// The quality cost of the int8 KV cache (issue 5): mean KL(f16-KV || q8-KV) of the next-token
// distributions of brown-qwen2-7m over chunks of ../shared/corpus/brown-eval.txt, each chunk a
// fresh 256-token context (the model's training context) starting with BOS, every position
// scored. Target: mean KL <= 0.002. f32-KV vs f16-KV is printed alongside for scale.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <sstream>
#include <vector>

#include "runtime/context.h"
#include "runtime/model_loader.h"
#include "shared_data.h"

namespace pocket {
namespace {

constexpr int kChunk = 256;
constexpr int kChunks = 4;

// Log-probabilities of every position of one chunk.
std::vector<std::vector<double>> log_probs(const Model& model, const std::vector<int32_t>& toks,
                                           KvType type) {
  Context ctx(model, {.n_ctx = kChunk, .n_seq_max = 1, .n_threads = 2, .kv_type = type});
  Batch b;
  for (size_t i = 0; i < toks.size(); ++i) b.add(toks[i], static_cast<int32_t>(i), 0, true);
  ctx.decode(b);
  std::vector<std::vector<double>> out;
  for (int r = 0; r < ctx.n_outputs(); ++r) {
    const auto lg = ctx.logits(r);
    double mx = -1e300;
    for (float x : lg) mx = std::max(mx, static_cast<double>(x));
    double sum = 0;
    for (float x : lg) sum += std::exp(x - mx);
    const double lse = mx + std::log(sum);
    auto& row = out.emplace_back(lg.size());
    for (size_t i = 0; i < lg.size(); ++i) row[i] = lg[i] - lse;
  }
  return out;
}

double mean_kl(const std::vector<std::vector<double>>& p,
               const std::vector<std::vector<double>>& q) {
  double total = 0;
  for (size_t r = 0; r < p.size(); ++r) {
    double kl = 0;
    for (size_t i = 0; i < p[r].size(); ++i) kl += std::exp(p[r][i]) * (p[r][i] - q[r][i]);
    total += kl;
  }
  return total / static_cast<double>(p.size());
}

TEST(KvCacheQ8, MeanKlAgainstF16OnBrownEval) {
  const LoadedModel lm =
      load_model(test::shared_path("models/brown-qwen2-7m/brown-qwen2-7m-f32.gguf"));
  std::istringstream text(test::read_text_file(test::shared_path("corpus/brown-eval.txt")));
  std::vector<int32_t> all;
  for (std::string line;
       all.size() < static_cast<size_t>(kChunk * kChunks) && std::getline(text, line);) {
    const auto ids = lm.tokenizer->encode(line + "\n", false);
    all.insert(all.end(), ids.begin(), ids.end());
  }
  ASSERT_GE(all.size(), static_cast<size_t>(kChunk * kChunks));
  double kl_q8 = 0, kl_f32 = 0;
  size_t n_positions = 0;
  for (int c = 0; c < kChunks; ++c) {
    std::vector<int32_t> toks = {lm.tokenizer->bos()};
    toks.insert(toks.end(), all.begin() + c * (kChunk - 1), all.begin() + (c + 1) * (kChunk - 1));
    const auto f16 = log_probs(*lm.model, toks, KvType::kF16);
    kl_q8 +=
        mean_kl(f16, log_probs(*lm.model, toks, KvType::kQ8)) * static_cast<double>(f16.size());
    kl_f32 +=
        mean_kl(log_probs(*lm.model, toks, KvType::kF32), f16) * static_cast<double>(f16.size());
    n_positions += f16.size();
  }
  kl_q8 /= static_cast<double>(n_positions);
  kl_f32 /= static_cast<double>(n_positions);
  std::printf(
      "  brown-qwen2-7m, %zu positions of brown-eval.txt: mean KL(f16-KV || q8-KV) = %.6f, "
      "mean KL(f32-KV || f16-KV) = %.3g\n",
      n_positions, kl_q8, kl_f32);
  EXPECT_LE(kl_q8, 0.002);
}

}  // namespace
}  // namespace pocket
