// A neutral description of a tokenizer, filled by the loaders (tokenizer.json, tokenizer.model,
// GGUF metadata) and turned into a working Tokenizer. Nothing here depends on the file it came
// from, so one Tokenizer implementation serves every source.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace pocket {

enum class TokenizerKind {
  kByteLevelBpe,      // GPT-2 / Qwen / Llama-3 style: bytes -> alphabet, merges by rank
  kSentencePieceBpe,  // SentencePiece BPE / llama.cpp "llama": spaces -> U+2581, merges by score
};

// GGUF's tokenizer.ggml.token_type values (the same numbers as SentencePiece's piece types).
enum class TokenType : uint8_t {
  kUndefined = 0,
  kNormal = 1,
  kUnknown = 2,
  kControl = 3,
  kUserDefined = 4,
  kUnused = 5,
  kByte = 6,
};

// A token that is cut out of the text before the model sees it (Hugging Face's AddedToken).
struct AddedToken {
  std::string content;
  int32_t id = -1;
  bool special = false;      // matched only when parse_special; dropped by decode(skip_special)
  bool lstrip = false;       // the match swallows whitespace on its left
  bool rstrip = false;       // ... and on its right
  bool normalized = false;   // matched in the normalized text instead of the raw text
  bool single_word = false;  // matched only when not inside a word
};

struct TokenizerSpec {
  TokenizerKind kind = TokenizerKind::kByteLevelBpe;
  std::string source;  // the file it came from, for error messages

  // id -> piece as the model stores it (byte-level alphabet for kByteLevelBpe, U+2581 for
  // spaces and "<0x41>" byte pieces for kSentencePieceBpe). Added tokens are included.
  std::vector<std::string> tokens;
  std::vector<float> scores;           // kSentencePieceBpe: higher merges first
  std::vector<TokenType> token_types;  // empty means all kNormal
  std::vector<std::pair<std::string, std::string>> merges;  // kByteLevelBpe, by rank
  bool ignore_merges = false;  // kByteLevelBpe: a word that is a whole token skips merging
  std::vector<AddedToken> added_tokens;

  int32_t bos_id = -1;  // -1: none
  int32_t eos_id = -1;
  int32_t unk_id = -1;
  int32_t pad_id = -1;
  bool add_bos = false;  // what encode(..., add_bos=true) adds: the model's own convention
  bool add_eos = false;
  std::vector<int32_t> eog_ids;  // ids that end a generation (eos, <|im_end|>, <|eot_id|>, ...)

  // Text processing.
  bool nfc = false;  // NFC-normalize text outside non-normalized added tokens
  // Pre-tokenizer regexes, applied in order, each splitting every piece into matches and gaps
  // (Hugging Face's Split with behavior "Isolated"). Empty: the text is one word.
  std::vector<std::string> pretokenizer_regexes;
  bool add_prefix_space = false;  // ByteLevel: prepend ' ' to text not starting with one

  // SentencePiece text handling.
  bool add_dummy_prefix = true;           // prepend U+2581 to every raw text chunk
  bool remove_extra_whitespaces = false;  // collapse runs of ' ', trim both ends
  bool byte_fallback = true;              // unknown characters -> <0xXX> pieces (else unk)

  std::string chat_template;  // Jinja source, empty if none
};

}  // namespace pocket
