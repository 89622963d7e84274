#include "tokenizer/pretokenizer_patterns.h"

namespace pocket {

const char* const kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

const char* const kLlama3Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

const char* const kQwen2Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

PretokenizerPreset pretokenizer_preset(std::string_view pre) {
  if (pre == "qwen2" || pre == "deepseek-r1-qwen") return {{kQwen2Pattern}, true, false};
  if (pre == "llama3" || pre == "llama-bpe" || pre == "llama-v3") {
    return {{kLlama3Pattern}, false, true};
  }
  return {{kGpt2Pattern}, false, false};
}

}  // namespace pocket
