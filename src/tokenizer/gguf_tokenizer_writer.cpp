#include "tokenizer/gguf_tokenizer_writer.h"

#include <vector>

#include "core/error.h"
#include "tokenizer/pretokenizer_patterns.h"

namespace pocket {

std::string gguf_pretokenizer_name(const TokenizerSpec& spec) {
  const auto& re = spec.pretokenizer_regexes;
  if (re.size() == 1 && re[0] == kQwen2Pattern) {
    // Same regex; llama.cpp knows DeepSeek's distills by their own name.
    for (const auto& t : spec.added_tokens) {
      if (t.content == "<｜begin▁of▁sentence｜>") return "deepseek-r1-qwen";
    }
    return "qwen2";
  }
  if (re.size() == 1 && re[0] == kLlama3Pattern) return "llama-bpe";
  return "gpt-2";
}

void write_gguf_tokenizer(GgufWriter& out, const TokenizerSpec& spec, int64_t n_vocab) {
  const auto n_tokens = static_cast<int64_t>(spec.tokens.size());
  POCKET_CHECK(n_vocab >= n_tokens, ErrorCode::kInvalidArgument, "the model has ", n_vocab,
               " embedding rows but the tokenizer ", n_tokens, " tokens");
  std::vector<std::string> tokens(spec.tokens.begin(), spec.tokens.end());
  std::vector<int32_t> types(static_cast<size_t>(n_vocab),
                             static_cast<int32_t>(TokenType::kNormal));
  for (size_t i = 0; i < spec.token_types.size(); ++i)
    types[i] = static_cast<int32_t>(spec.token_types[i]);
  for (const AddedToken& t : spec.added_tokens) {
    if (t.id >= 0 && t.id < n_vocab) {
      types[static_cast<size_t>(t.id)] =
          static_cast<int32_t>(t.special ? TokenType::kControl : TokenType::kUserDefined);
    }
  }
  for (int64_t i = n_tokens; i < n_vocab; ++i) {
    tokens.push_back("[PAD" + std::to_string(i) + "]");
    types[static_cast<size_t>(i)] = static_cast<int32_t>(TokenType::kUnused);
  }
  if (spec.kind == TokenizerKind::kByteLevelBpe) {
    out.add_string("tokenizer.ggml.model", "gpt2");
    out.add_string("tokenizer.ggml.pre", gguf_pretokenizer_name(spec));
  } else {
    out.add_string("tokenizer.ggml.model", "llama");
  }
  out.add_string_array("tokenizer.ggml.tokens", tokens);
  if (spec.kind == TokenizerKind::kSentencePieceBpe) {
    std::vector<float> scores(spec.scores.begin(), spec.scores.end());
    scores.resize(static_cast<size_t>(n_vocab), 0.0f);
    out.add_float32_array("tokenizer.ggml.scores", scores);
  }
  out.add_int32_array("tokenizer.ggml.token_type", types);
  if (!spec.merges.empty()) {
    std::vector<std::string> merges;
    merges.reserve(spec.merges.size());
    for (const auto& [a, b] : spec.merges) merges.push_back(a + " " + b);
    out.add_string_array("tokenizer.ggml.merges", merges);
  }
  auto add_id = [&](const char* key, int32_t id) {
    if (id >= 0) out.add_uint32(key, static_cast<uint32_t>(id));
  };
  add_id("tokenizer.ggml.bos_token_id", spec.bos_id);
  add_id("tokenizer.ggml.eos_token_id", spec.eos_id);
  add_id("tokenizer.ggml.unknown_token_id", spec.unk_id);
  add_id("tokenizer.ggml.padding_token_id", spec.pad_id);
  out.add_bool("tokenizer.ggml.add_bos_token", spec.add_bos);
  out.add_bool("tokenizer.ggml.add_eos_token", spec.add_eos);
  if (!spec.chat_template.empty()) out.add_string("tokenizer.chat_template", spec.chat_template);
}

}  // namespace pocket
