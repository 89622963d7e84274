// The pre-tokenizer regexes of the byte-level BPE families, as their tokenizer.json files write
// them. GGUF files only name the family (tokenizer.ggml.pre), so the GGUF loader looks them up
// here.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pocket {

// GPT-2 (also Hugging Face's ByteLevel pre-tokenizer with use_regex: true).
extern const char* const kGpt2Pattern;
// Llama 3: digits in groups of up to three, case-insensitive contractions.
extern const char* const kLlama3Pattern;
// Qwen2 / Qwen3 / DeepSeek-R1-Distill-Qwen: like Llama 3 but single digits.
extern const char* const kQwen2Pattern;

struct PretokenizerPreset {
  std::vector<std::string> patterns;
  bool nfc = false;            // the Hugging Face tokenizer of the family normalizes to NFC
  bool ignore_merges = false;  // ... or looks whole words up before merging (Llama 3)
};

// The preset for a tokenizer.ggml.pre name; unknown names get GPT-2's.
PretokenizerPreset pretokenizer_preset(std::string_view gguf_pre);

}  // namespace pocket
