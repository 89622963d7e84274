// The forward pass against reference logits in ../shared/golden: llama.cpp's for stories260K,
// the training code's (torch) for brown-qwen2-7m, through GGUF and Hugging Face loading alike.
// Tolerance (../shared/README.md): max |difference| <= 5e-3 at every row with an f32 KV cache,
// and greedy decoding reproduces the reference tokens. The default f16 KV cache rounds keys and
// values (2^-11 relative), which moves stories260K's logits by up to 0.019 and brown-qwen2-7m's
// by ~5e-3, so it is held to the README's F16-KV tolerance, 0.05 (llama.cpp's own F16-KV run
// differs from its F32-KV run by up to 0.024), still with identical greedy tokens.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "io/gguf.h"
#include "model/gguf_model_loader.h"
#include "model/hf_model_loader.h"
#include "runtime/context.h"
#include "runtime/weight_repack.h"
#include "shared_data.h"

namespace pocket {
namespace {

struct Golden {
  std::vector<int32_t> prompt;
  std::vector<int32_t> generated;
  std::vector<float> logits;  // rows of n_vocab
};

Golden read_golden(const std::string& json_path) {
  const auto j = nlohmann::json::parse(test::read_text_file(json_path));
  Golden g;
  g.prompt = j.at("prompt_tokens").get<std::vector<int32_t>>();
  g.generated = j.at("generated_tokens").get<std::vector<int32_t>>();
  const std::string logits_name = j.at("logits_file").get<std::string>();
  g.logits = test::read_f32_file(json_path.substr(0, json_path.rfind('/') + 1) + logits_name);
  return g;
}

struct Case {
  std::string model;   // path under ../shared
  std::string golden;  // golden JSON path under ../shared
  float tolerance;
  KvType kv = KvType::kF32;
  bool fast_math = false;  // ContextParams::fast_math
  bool repack = false;     // repack the weights as `pocket run` does (a no-op without x16 kernels)
};

std::unique_ptr<Model> open_model(const std::string& path) {
  if (path.ends_with(".gguf")) {
    return load_gguf_model(std::make_shared<const GgufFile>(GgufFile::open(path)));
  }
  return load_hf_model(path);
}

int32_t argmax(std::span<const float> v) {
  return static_cast<int32_t>(std::max_element(v.begin(), v.end()) - v.begin());
}

// Runs the prompt then the reference's own greedy tokens, returning the max |difference|.
float max_logit_error(const Model& model, const Golden& g, int threads, KvType kv = KvType::kF32,
                      bool fast_math = false) {
  const auto nv = static_cast<size_t>(model.spec().n_vocab);
  Context ctx(
      model,
      {.n_ctx = 256, .n_seq_max = 1, .n_threads = threads, .kv_type = kv, .fast_math = fast_math});
  Batch b;
  for (size_t i = 0; i < g.prompt.size(); ++i) {
    b.add(g.prompt[i], static_cast<int32_t>(i), 0, i + 1 == g.prompt.size());
  }
  ctx.decode(b);
  const size_t rows = g.logits.size() / nv;
  float worst = 0.0f;
  for (size_t row = 0; row < rows; ++row) {
    const auto got = ctx.logits(0);
    const float* want = &g.logits[row * nv];
    for (size_t i = 0; i < nv; ++i) worst = std::max(worst, std::fabs(got[i] - want[i]));
    if (row < g.generated.size()) {
      EXPECT_EQ(argmax(got), g.generated[row]) << "greedy token " << row;
    }
    if (row + 1 == rows) break;
    b.clear();
    b.add(g.generated[row], static_cast<int32_t>(g.prompt.size() + row), 0, true);
    ctx.decode(b);
  }
  return worst;
}

class GoldenLogits : public ::testing::TestWithParam<Case> {};

TEST_P(GoldenLogits, MatchReferenceAtEveryPosition) {
  const Case& c = GetParam();
  const auto model = open_model(test::shared_path(c.model));
  const RepackStats repacked = c.repack ? repack_weights(*model, nullptr, 2) : RepackStats{};
  const Golden g = read_golden(test::shared_path(c.golden));
  ASSERT_EQ(g.logits.size() % static_cast<size_t>(model->spec().n_vocab), 0u);
  const float err = max_logit_error(*model, g, 2, c.kv, c.fast_math);
  const char* kv = c.kv == KvType::kF32 ? "f32" : "f16";
  const char* math = c.fast_math ? ", fast math" : "";
  const std::string layout =
      c.repack ? ", " + std::to_string(repacked.tensors) + " matrices repacked" : "";
  EXPECT_LE(err, c.tolerance) << c.model << " on " << c.golden << ", " << kv << " KV" << math
                              << layout;
  std::printf("  %s / %s, %s KV%s%s: max |logit diff| = %.3g\n", c.model.c_str(), c.golden.c_str(),
              kv, math, layout.c_str(), err);
}

std::vector<Case> cases() {
  std::vector<Case> out;
  for (const char* g : {"once_upon", "the_cat"}) {
    out.push_back(
        {"models/stories260K.gguf", std::string("golden/stories260K/") + g + ".json", 5e-3f});
    out.push_back({"models/stories260K.gguf", std::string("golden/stories260K/") + g + ".json",
                   5e-2f, KvType::kF16});
    // Fast math (exp with relative error 7.6e-5 in softmax and SiLU) moved the logits by at most
    // 5.4e-4 here and 5.6e-4 on brown-qwen2-7m (AVX-512 host); greedy tokens must not change.
    out.push_back({"models/stories260K.gguf", std::string("golden/stories260K/") + g + ".json",
                   2e-3f, KvType::kF32, true});
  }
  for (const char* g : {"dc4", "dev0", "dev_c0", "dev_c1"}) {
    const std::string golden = std::string("golden/brown-qwen2/") + g + ".json";
    out.push_back({"models/brown-qwen2-7m/brown-qwen2-7m-f32.gguf", golden, 5e-3f});
    out.push_back({"models/brown-qwen2-7m/hf", golden, 5e-3f});
    out.push_back({"models/brown-qwen2-7m/brown-qwen2-7m-f32.gguf", golden, 5e-2f, KvType::kF16});
    out.push_back(
        {"models/brown-qwen2-7m/brown-qwen2-7m-f32.gguf", golden, 2e-3f, KvType::kF32, true});
    // F16 weights cannot reproduce an f32 reference to 5e-3: rounding the weights alone moves
    // the logits by ~6e-3 here (llama.cpp, which also rounds activations to f16: 1.1e-2). We
    // hold them to 1e-2, tighter than llama.cpp manages, with exact greedy tokens.
    out.push_back({"models/brown-qwen2-7m/brown-qwen2-7m-f16.gguf", golden, 1e-2f});
    // The same, repacked at load (the default of `pocket run` on AVX-512: kernels/repack_x16.h).
    out.push_back({"models/brown-qwen2-7m/brown-qwen2-7m-f16.gguf", golden, 1e-2f, KvType::kF32,
                   false, true});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Shared, GoldenLogits, ::testing::ValuesIn(cases()));

TEST(GoldenLogits, GgufAndHuggingFaceFolderGiveTheSameLogits) {
  const auto gguf = open_model(test::shared_path("models/brown-qwen2-7m/brown-qwen2-7m-f32.gguf"));
  const auto hf = open_model(test::shared_path("models/brown-qwen2-7m/hf"));
  const Golden g = read_golden(test::shared_path("golden/brown-qwen2/dev0.json"));
  Context a(*gguf, {.n_ctx = 64, .n_seq_max = 1, .n_threads = 2});
  Context b(*hf, {.n_ctx = 64, .n_seq_max = 1, .n_threads = 2});
  Batch batch;
  for (size_t i = 0; i < g.prompt.size(); ++i)
    batch.add(g.prompt[i], static_cast<int32_t>(i), 0, true);
  a.decode(batch);
  b.decode(batch);
  ASSERT_EQ(a.n_outputs(), b.n_outputs());
  for (int r = 0; r < a.n_outputs(); ++r) {
    const auto la = a.logits(r), lb = b.logits(r);
    for (size_t i = 0; i < la.size(); ++i) ASSERT_NEAR(la[i], lb[i], 1e-5f) << "row " << r;
  }
}

TEST(GoldenLogits, OneAndTwoThreadsAgree) {
  const auto model = open_model(test::shared_path("models/stories260K.gguf"));
  const Golden g = read_golden(test::shared_path("golden/stories260K/once_upon.json"));
  EXPECT_EQ(max_logit_error(*model, g, 1), max_logit_error(*model, g, 2));
}

}  // namespace
}  // namespace pocket
