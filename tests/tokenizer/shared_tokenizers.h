// The shared tokenizers the tests use, each loaded once per test binary.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "io/gguf.h"
#include "shared_data.h"
#include "tokenizer/gguf_tokenizer_loader.h"
#include "tokenizer/hf_folder_loader.h"
#include "tokenizer/tokenizer.h"

namespace pocket::test {

inline const Tokenizer& deepseek_tokenizer() {
  static const Tokenizer tok(
      load_hf_tokenizer_dir(shared_path("tokenizers/deepseek-r1-distill-qwen")));
  return tok;
}

inline const Tokenizer& qwen3_tokenizer() {
  static const Tokenizer tok(load_hf_tokenizer_dir(shared_path("tokenizers/qwen3")));
  return tok;
}

inline const Tokenizer& brown_hf_tokenizer() {
  static const Tokenizer tok(load_hf_tokenizer_dir(shared_path("models/brown-qwen2-7m/hf")));
  return tok;
}

inline const Tokenizer& stories_tokenizer() {
  static const Tokenizer tok(
      load_gguf_tokenizer(GgufFile::open(shared_path("models/stories260K.gguf"))));
  return tok;
}

inline const Tokenizer& brown_gguf_tokenizer() {
  static const Tokenizer tok(load_gguf_tokenizer(
      GgufFile::open(shared_path("models/brown-qwen2-7m/brown-qwen2-7m-f32.gguf"))));
  return tok;
}

// One JSON object per line.
inline std::vector<nlohmann::json> read_jsonl(const std::string& path) {
  std::vector<nlohmann::json> out;
  const std::string text = read_text_file(path);
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    if (end > pos) out.push_back(nlohmann::json::parse(text.substr(pos, end - pos)));
    pos = end + 1;
  }
  return out;
}

}  // namespace pocket::test
