// tokenizer_config.json, the transformers-side settings next to tokenizer.json / tokenizer.model:
// which special tokens the model adds, which tokens are BOS/EOS, and the chat template.
#pragma once

#include <optional>
#include <string>

namespace pocket {

struct HfTokenizerConfig {
  bool present = false;  // the file exists
  std::optional<bool> add_bos_token;
  std::optional<bool> add_eos_token;
  // Token contents; nullopt when absent or null. Written as "..." or {"content": "..."}.
  std::optional<std::string> bos_token;
  std::optional<std::string> eos_token;
  std::optional<std::string> unk_token;
  std::optional<std::string> pad_token;
  std::string chat_template;  // the default one when the file lists several
};

// Reads `path`; a missing file gives present=false. Malformed content throws Error(kFormat)
// naming the file and field.
HfTokenizerConfig read_hf_tokenizer_config(const std::string& path);

// The tokenizer_config.json in the folder of `file`.
std::string sibling_path(const std::string& file, const std::string& name);

}  // namespace pocket
