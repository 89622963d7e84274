#include "tokenizer/gguf_tokenizer_loader.h"

#include "core/error.h"
#include "tokenizer/end_of_generation.h"
#include "tokenizer/pretokenizer_patterns.h"

namespace pocket {

namespace {

// A token id key: absent, -1 or 0xFFFFFFFF (llama.cpp writes "none" that way) mean none.
int32_t token_id(const GgufFile& g, const char* key, size_t n_vocab) {
  const std::optional<int64_t> v = g.get_int(key);
  if (!v || *v == -1 || *v == 0xFFFFFFFFll) return -1;
  if (*v < 0 || *v >= static_cast<int64_t>(n_vocab)) {
    fail(ErrorCode::kFormat, g.name(), ": ", key, " = ", *v, " is outside the vocabulary of ",
         n_vocab, " tokens");
  }
  return static_cast<int32_t>(*v);
}

void read_merges(const GgufFile& g, TokenizerSpec* spec) {
  const auto merges = g.string_array_view("tokenizer.ggml.merges");
  spec->merges.reserve(merges.size());
  for (size_t i = 0; i < merges.size(); ++i) {
    const std::string_view m = merges[i];
    const size_t space = m.find(' ');
    if (space == std::string_view::npos || m.find(' ', space + 1) != std::string_view::npos) {
      fail(ErrorCode::kFormat, g.name(), ": tokenizer.ggml.merges[", i,
           "] is not \"a b\" (two pieces and one space)");
    }
    spec->merges.emplace_back(std::string(m.substr(0, space)), std::string(m.substr(space + 1)));
  }
}

}  // namespace

TokenizerSpec load_gguf_tokenizer(const GgufFile& g) {
  TokenizerSpec spec;
  spec.source = g.name();
  const std::optional<std::string> model = g.get_string("tokenizer.ggml.model");
  if (!model)
    fail(ErrorCode::kFormat, g.name(), ": no tokenizer.ggml.model (no tokenizer in the file)");
  if (*model == "gpt2") {
    spec.kind = TokenizerKind::kByteLevelBpe;
  } else if (*model == "llama") {
    spec.kind = TokenizerKind::kSentencePieceBpe;
  } else {
    fail(ErrorCode::kUnsupported, g.name(), ": tokenizer.ggml.model '", *model,
         "' is not supported (gpt2, llama)");
  }

  const auto tokens = g.string_array_view("tokenizer.ggml.tokens");
  if (tokens.empty())
    fail(ErrorCode::kFormat, g.name(), ": tokenizer.ggml.tokens is missing or empty");
  spec.tokens.assign(tokens.begin(), tokens.end());
  const size_t n = spec.tokens.size();

  spec.scores = g.get_float_array("tokenizer.ggml.scores");
  if (!spec.scores.empty() && spec.scores.size() != n) {
    fail(ErrorCode::kFormat, g.name(), ": tokenizer.ggml.scores has ", spec.scores.size(),
         " entries for ", n, " tokens");
  }
  const std::vector<int64_t> types = g.get_int_array("tokenizer.ggml.token_type");
  if (!types.empty() && types.size() != n) {
    fail(ErrorCode::kFormat, g.name(), ": tokenizer.ggml.token_type has ", types.size(),
         " entries for ", n, " tokens");
  }
  spec.token_types.assign(n, TokenType::kNormal);
  for (size_t i = 0; i < types.size(); ++i) {
    if (types[i] < 0 || types[i] > 6) {
      fail(ErrorCode::kFormat, g.name(), ": tokenizer.ggml.token_type[", i, "] = ", types[i],
           " is not a token type (0..6)");
    }
    spec.token_types[i] = static_cast<TokenType>(types[i]);
  }

  spec.bos_id = token_id(g, "tokenizer.ggml.bos_token_id", n);
  spec.eos_id = token_id(g, "tokenizer.ggml.eos_token_id", n);
  spec.unk_id = token_id(g, "tokenizer.ggml.unknown_token_id", n);
  spec.pad_id = token_id(g, "tokenizer.ggml.padding_token_id", n);
  for (const char* key : {"tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id"}) {
    if (const int32_t id = token_id(g, key, n); id >= 0) spec.eog_ids.push_back(id);
  }

  const std::string pre = g.get_string("tokenizer.ggml.pre").value_or("default");
  if (spec.kind == TokenizerKind::kByteLevelBpe) {
    read_merges(g, &spec);
    PretokenizerPreset preset = pretokenizer_preset(pre);
    spec.pretokenizer_regexes = std::move(preset.patterns);
    spec.nfc = preset.nfc;
    spec.ignore_merges = preset.ignore_merges;
    // llama.cpp adds BOS by default for the Llama 3 family only; the key decides when present.
    spec.add_bos = preset.ignore_merges;
  } else {
    spec.add_dummy_prefix = g.get_bool("tokenizer.ggml.add_space_prefix").value_or(true);
    spec.remove_extra_whitespaces =
        g.get_bool("tokenizer.ggml.remove_extra_whitespaces").value_or(false);
    spec.byte_fallback = true;  // <0xXX> pieces when the vocabulary has them, else <unk>
    spec.add_bos = true;
  }
  spec.add_bos = g.get_bool("tokenizer.ggml.add_bos_token").value_or(spec.add_bos);
  spec.add_eos = g.get_bool("tokenizer.ggml.add_eos_token").value_or(false);
  if (spec.bos_id < 0) spec.add_bos = false;
  if (spec.eos_id < 0) spec.add_eos = false;

  for (size_t i = 0; i < n; ++i) {
    const TokenType t = spec.token_types[i];
    if ((t != TokenType::kControl && t != TokenType::kUserDefined && t != TokenType::kUnknown) ||
        spec.tokens[i].empty()) {
      continue;
    }
    AddedToken a;
    a.content = spec.tokens[i];
    a.id = static_cast<int32_t>(i);
    a.special = t != TokenType::kUserDefined;
    spec.added_tokens.push_back(std::move(a));
  }
  spec.chat_template = g.get_string("tokenizer.chat_template").value_or("");
  collect_end_of_generation_ids(&spec);
  return spec;
}

}  // namespace pocket
