// Helpers for the C API tests: owning wrappers for the opaque handles and one-call forms of the
// size-query protocol, so each test reads as what it checks.
#pragma once

#include <gtest/gtest.h>
#include <pocket/pocket.h>

#include <memory>
#include <string>
#include <vector>

#include "shared_data.h"

namespace pocket::test {

struct ModelDeleter {
  void operator()(pocket_model* m) const { pocket_model_free(m); }
};
struct ContextDeleter {
  void operator()(pocket_context* c) const { pocket_context_free(c); }
};
struct SamplerDeleter {
  void operator()(pocket_sampler* s) const { pocket_sampler_free(s); }
};
using ModelPtr = std::unique_ptr<pocket_model, ModelDeleter>;
using ContextPtr = std::unique_ptr<pocket_context, ContextDeleter>;
using SamplerPtr = std::unique_ptr<pocket_sampler, SamplerDeleter>;

inline std::string stories_path() {
  return shared_path("models/stories260K.gguf");
}
inline std::string brown_gguf_path() {
  return shared_path("models/brown-qwen2-7m/brown-qwen2-7m-f32.gguf");
}

// Loads a model or fails the test (check with ASSERT_TRUE(m)).
inline ModelPtr load(const std::string& path) {
  pocket_model* m = nullptr;
  const pocket_status st = pocket_model_load(path.c_str(), &m);
  EXPECT_EQ(st, POCKET_OK) << pocket_last_error();
  return ModelPtr(m);
}

inline ContextPtr make_context(const pocket_model* model, int32_t n_seq_max = 1,
                               int32_t n_ctx = 0) {
  pocket_context_params p = pocket_context_default_params();
  p.n_seq_max = n_seq_max;
  p.n_ctx = n_ctx;
  p.n_threads = 2;
  pocket_context* c = nullptr;
  EXPECT_EQ(pocket_context_create(model, p, &c), POCKET_OK) << pocket_last_error();
  return ContextPtr(c);
}

inline std::vector<int32_t> tokenize(const pocket_model* model, const std::string& text,
                                     bool add_bos) {
  size_t n = 0;
  const pocket_status st =
      pocket_tokenize(model, text.data(), text.size(), add_bos, 1, nullptr, 0, &n);
  EXPECT_TRUE(st == POCKET_OK || st == POCKET_ERR_BUFFER_TOO_SMALL) << pocket_last_error();
  std::vector<int32_t> ids(n);
  EXPECT_EQ(
      pocket_tokenize(model, text.data(), text.size(), add_bos, 1, ids.data(), ids.size(), &n),
      POCKET_OK)
      << pocket_last_error();
  return ids;
}

inline std::string detokenize(const pocket_model* model, const std::vector<int32_t>& ids) {
  size_t len = 0;
  pocket_detokenize(model, ids.data(), ids.size(), nullptr, 0, &len);
  std::string text(len + 1, '\0');
  EXPECT_EQ(pocket_detokenize(model, ids.data(), ids.size(), text.data(), text.size(), &len),
            POCKET_OK)
      << pocket_last_error();
  text.resize(len);
  return text;
}

// Evaluates `ids` as the continuation of sequence `seq`, logits for the last token only.
inline pocket_status decode_seq(pocket_context* ctx, const std::vector<int32_t>& ids, int32_t seq) {
  const int32_t start = pocket_seq_length(ctx, seq);
  std::vector<int32_t> pos(ids.size()), seqs(ids.size(), seq);
  for (size_t i = 0; i < ids.size(); ++i) pos[i] = start + static_cast<int32_t>(i);
  return pocket_decode(ctx, ids.data(), pos.data(), seqs.data(), nullptr, ids.size());
}

inline std::vector<float> logits_row(pocket_context* ctx, const pocket_model* model, int32_t i) {
  const float* row = pocket_get_logits(ctx, i);
  EXPECT_NE(row, nullptr) << pocket_last_error();
  if (!row) return {};
  return std::vector<float>(row, row + pocket_model_n_vocab(model));
}

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace pocket::test
