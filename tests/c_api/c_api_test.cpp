// The C API's models and its error contract: statuses, messages naming the culprit, NULLs.
#include <pocket/pocket.h>

#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "c_api_test_util.h"

namespace pocket::test {
namespace {

TEST(CApiModelTest, LoadsStoriesAndAnswersQuestions) {
  ModelPtr model = load(stories_path());
  ASSERT_TRUE(model);
  EXPECT_EQ(pocket_model_n_vocab(model.get()), 512);
  EXPECT_EQ(pocket_model_n_ctx_train(model.get()), 2048);
  EXPECT_EQ(pocket_model_bos(model.get()), 1);
  EXPECT_EQ(pocket_model_eos(model.get()), 2);
  EXPECT_NE(pocket_model_is_eog(model.get(), 2), 0);
  EXPECT_EQ(pocket_model_is_eog(model.get(), 432), 0);
  EXPECT_EQ(pocket_model_is_eog(model.get(), -5), 0);
  EXPECT_EQ(pocket_model_is_eog(model.get(), 100000), 0);
}

TEST(CApiModelTest, LoadsHuggingFaceFolder) {
  ModelPtr model = load(shared_path("models/brown-qwen2-7m/hf"));
  ASSERT_TRUE(model);
  EXPECT_EQ(pocket_model_n_vocab(model.get()), 4096);
  EXPECT_EQ(pocket_model_bos(model.get()), 1);
}

// Last-token logits of a 24-token prompt (ids 10..33), with 2 threads.
std::vector<float> prompt_logits(const pocket_model* model) {
  pocket_context_params p = pocket_context_default_params();
  p.n_ctx = 64;
  p.n_threads = 2;
  pocket_context* raw = nullptr;
  EXPECT_EQ(pocket_context_create(model, p, &raw), POCKET_OK) << pocket_last_error();
  ContextPtr ctx(raw);
  std::vector<int32_t> tokens, positions, seqs(24, 0);
  for (int32_t i = 0; i < 24; ++i) {
    tokens.push_back(10 + i);
    positions.push_back(i);
  }
  EXPECT_EQ(pocket_decode(ctx.get(), tokens.data(), positions.data(), seqs.data(), nullptr, 24),
            POCKET_OK)
      << pocket_last_error();
  const float* row = pocket_get_logits(ctx.get(), 0);
  if (row == nullptr) return {};
  return {row, row + pocket_model_n_vocab(model)};
}

// Models load repacked by default (as `pocket run` does; a no-op without AVX-512), or in the file
// layout with repack = 0; both give the same logits but for the order of the float sums.
TEST(CApiModelTest, RepackedAndFileLayoutLoadsAgree) {
  const pocket_model_params defaults = pocket_model_default_params();
  EXPECT_EQ(defaults.repack, 1);
  EXPECT_EQ(defaults.n_threads, 0);
  const std::string path = shared_path("models/brown-qwen2-7m/brown-qwen2-7m-f16.gguf");
  ModelPtr repacked = load(path);
  pocket_model_params file_layout = defaults;
  file_layout.repack = 0;
  pocket_model* raw = nullptr;
  ASSERT_EQ(pocket_model_load_with_params(path.c_str(), file_layout, &raw), POCKET_OK)
      << pocket_last_error();
  ModelPtr plain(raw);
  const std::vector<float> a = prompt_logits(repacked.get()), b = prompt_logits(plain.get());
  ASSERT_EQ(a.size(), 4096u);
  ASSERT_EQ(b.size(), a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    // Six layers of differently ordered sums (and the f16 KV cache's rounding of them) moved the
    // logits by up to 3.7e-4; a wrong layout moves them by whole units.
    ASSERT_NEAR(a[i], b[i], 2e-3f * (1.0f + std::fabs(b[i]))) << "logit " << i;
  }
}

TEST(CApiModelTest, FreeingNullIsANoOp) {
  pocket_model_free(nullptr);
  pocket_context_free(nullptr);
  pocket_sampler_free(nullptr);
}

TEST(CApiModelTest, VersionIsSet) {
  EXPECT_STREQ(pocket_version(), "0.1.0");
}

TEST(CApiErrorTest, MissingFileIsIoErrorNamingThePath) {
  const std::string path = shared_path("models/no-such-model.gguf");
  pocket_model* model = reinterpret_cast<pocket_model*>(0x1);  // must be reset to NULL
  EXPECT_EQ(pocket_model_load(path.c_str(), &model), POCKET_ERR_IO);
  EXPECT_EQ(model, nullptr);
  const std::string message = pocket_last_error();
  EXPECT_TRUE(contains(message, path)) << message;
  EXPECT_TRUE(contains(message, "pocket_model_load")) << message;
}

TEST(CApiErrorTest, MalformedFileIsFormatError) {
  // A file that exists but is not GGUF.
  const std::string path = shared_path("golden/stories260K/once_upon.json");
  pocket_model* model = nullptr;
  const pocket_status st = pocket_model_load(path.c_str(), &model);
  EXPECT_EQ(st, POCKET_ERR_FORMAT) << pocket_last_error();
  EXPECT_EQ(model, nullptr);
}

TEST(CApiErrorTest, NullArgumentsAreNamed) {
  pocket_model* model = nullptr;
  EXPECT_EQ(pocket_model_load(nullptr, &model), POCKET_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(pocket_last_error(), "path is NULL")) << pocket_last_error();
  EXPECT_EQ(pocket_model_load(stories_path().c_str(), nullptr), POCKET_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(pocket_last_error(), "out_model")) << pocket_last_error();

  EXPECT_EQ(pocket_model_n_vocab(nullptr), -1);
  EXPECT_TRUE(contains(pocket_last_error(), "pocket_model_n_vocab: model is NULL"))
      << pocket_last_error();
  EXPECT_EQ(pocket_model_n_ctx_train(nullptr), -1);
  EXPECT_EQ(pocket_model_bos(nullptr), -1);
  EXPECT_EQ(pocket_model_eos(nullptr), -1);
  EXPECT_EQ(pocket_model_is_eog(nullptr, 2), 0);

  size_t n = 7;
  EXPECT_EQ(pocket_tokenize(nullptr, "a", 1, 1, 1, nullptr, 0, &n), POCKET_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(n, 0u);
  EXPECT_TRUE(contains(pocket_last_error(), "model is NULL")) << pocket_last_error();

  pocket_context* ctx = nullptr;
  EXPECT_EQ(pocket_context_create(nullptr, pocket_context_default_params(), &ctx),
            POCKET_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(pocket_decode(nullptr, nullptr, nullptr, nullptr, nullptr, 1),
            POCKET_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(pocket_last_error(), "ctx is NULL")) << pocket_last_error();
  EXPECT_EQ(pocket_get_logits(nullptr, 0), nullptr);
  EXPECT_EQ(pocket_seq_length(nullptr, 0), -1);
  EXPECT_EQ(pocket_seq_truncate(nullptr, 0, 0), POCKET_ERR_INVALID_ARGUMENT);

  pocket_sampler* sampler = nullptr;
  EXPECT_EQ(pocket_sampler_create(nullptr, pocket_sampler_default_params(), &sampler),
            POCKET_ERR_INVALID_ARGUMENT);
  int32_t token = 0;
  EXPECT_EQ(pocket_sample(nullptr, nullptr, &token), POCKET_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(pocket_sampler_accept(nullptr, 0), POCKET_ERR_INVALID_ARGUMENT);
  pocket_sampler_reset(nullptr);
}

TEST(CApiErrorTest, BadModelParamsAreNamed) {
  pocket_model_params p = pocket_model_default_params();
  p.n_threads = -1;
  pocket_model* model = nullptr;
  EXPECT_EQ(pocket_model_load_with_params(stories_path().c_str(), p, &model),
            POCKET_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(pocket_last_error(), "params.n_threads")) << pocket_last_error();
  EXPECT_EQ(model, nullptr);
  EXPECT_EQ(pocket_model_load_with_params(nullptr, pocket_model_default_params(), &model),
            POCKET_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(pocket_last_error(), "path")) << pocket_last_error();
}

TEST(CApiErrorTest, BadContextParamsAreNamed) {
  ModelPtr model = load(stories_path());
  ASSERT_TRUE(model);
  pocket_context* ctx = nullptr;
  pocket_context_params p = pocket_context_default_params();
  p.n_ctx = -1;
  EXPECT_EQ(pocket_context_create(model.get(), p, &ctx), POCKET_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(pocket_last_error(), "params.n_ctx")) << pocket_last_error();
  p = pocket_context_default_params();
  p.n_seq_max = 1 << 20;
  EXPECT_EQ(pocket_context_create(model.get(), p, &ctx), POCKET_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(pocket_last_error(), "sequence count")) << pocket_last_error();
  p = pocket_context_default_params();
  p.n_threads = -2;
  EXPECT_EQ(pocket_context_create(model.get(), p, &ctx), POCKET_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(pocket_last_error(), "params.n_threads")) << pocket_last_error();
  EXPECT_EQ(ctx, nullptr);
  EXPECT_EQ(pocket_context_create(model.get(), p, nullptr), POCKET_ERR_INVALID_ARGUMENT);
}

TEST(CApiErrorTest, LastErrorIsPerThread) {
  EXPECT_EQ(pocket_model_n_vocab(nullptr), -1);
  const std::string mine = pocket_last_error();
  std::string other;
  std::thread t([&] {
    other = pocket_last_error();  // nothing failed on this thread yet
    pocket_model* m = nullptr;
    pocket_model_load("/nonexistent/model.gguf", &m);
  });
  t.join();
  EXPECT_EQ(other, "");
  EXPECT_EQ(pocket_last_error(), mine);
}

TEST(CApiErrorTest, ContextOutlivesFreedModel) {
  // Bindings with garbage collectors may free the model first; the context keeps it alive.
  ModelPtr model = load(stories_path());
  ASSERT_TRUE(model);
  const std::vector<int32_t> ids = tokenize(model.get(), "Once upon a time", true);
  ContextPtr ctx = make_context(model.get());
  ASSERT_TRUE(ctx);
  model.reset();
  EXPECT_EQ(decode_seq(ctx.get(), ids, 0), POCKET_OK) << pocket_last_error();
  EXPECT_NE(pocket_get_logits(ctx.get(), 0), nullptr);
}

}  // namespace
}  // namespace pocket::test
