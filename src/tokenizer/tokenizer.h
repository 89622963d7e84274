// Text <-> token ids, giving exactly the ids of the reference tokenizers (Hugging Face
// `tokenizers` for byte-level BPE, sentencepiece / llama.cpp for SentencePiece BPE).
//
// Build one from a TokenizerSpec, which the loaders fill:
//   Tokenizer(load_hf_tokenizer_json("dir/tokenizer.json"))        tokenizer_json_loader.h
//   Tokenizer(load_sentencepiece_model("dir/tokenizer.model"))     sentencepiece_loader.h
//   Tokenizer(load_gguf_tokenizer(gguf_file))                      gguf_tokenizer_loader.h
//   Tokenizer(load_hf_tokenizer_dir("dir"))                        either of the first two
//
// Encoding, in order: added tokens are cut out of the raw text (leftmost, then longest); the rest
// is normalized (NFC when the spec says so) and, for byte-level BPE, pre-tokenized by regex and
// merged word by word; for SentencePiece, spaces become U+2581, each chunk gets the dummy-prefix
// U+2581 and is merged by piece score.
//
// Input that is not valid UTF-8 never fails: each ill-formed byte sequence (a maximal subpart, as
// U+FFFD replacement counts them) is kept as raw bytes and encoded as a word of its own (byte-level
// tokens, or <0xXX> byte pieces for SentencePiece), so decode() gives the bytes back (as U+FFFD,
// since decode() returns valid UTF-8). It is not normalized and never matches an added token.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/tokenizer_spec.h"

namespace pocket {

class Tokenizer {
 public:
  // Throws Error(kFormat) naming spec.source when the spec is inconsistent (ids out of range,
  // merges naming unknown pieces, a regex that does not compile).
  explicit Tokenizer(TokenizerSpec spec);
  ~Tokenizer();
  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;

  // add_bos: add the special tokens the model adds around a text (its BOS when spec.add_bos, its
  // EOS when spec.add_eos), like Hugging Face's add_special_tokens; a model without BOS adds none.
  // parse_special: whether special (control) tokens written in the text become their ids;
  // non-special added tokens (e.g. <think>) are always matched, as in Hugging Face.
  // Thread-safe: encode() keeps no state between calls.
  std::vector<int32_t> encode(std::string_view text, bool add_bos, bool parse_special = true) const;

  // The text of the ids, as valid UTF-8 (ill-formed byte runs become U+FFFD). Added and control
  // tokens appear as their text unless skip_special (which drops special ones, not <think>).
  // SentencePiece: the dummy-prefix space is dropped at the start and after each added token.
  // Ids outside the vocabulary decode to nothing (a model's output layer may be padded).
  std::string decode(std::span<const int32_t> ids, bool skip_special = false) const;

  // The raw bytes a token stands for (byte-level alphabet undone, U+2581 as ' ', <0x41> as 'A',
  // added tokens as their text). Empty for ids outside the vocabulary.
  const std::string& token_piece_bytes(int32_t id) const;

  int32_t n_vocab() const;
  int32_t bos() const;                // -1 if none
  int32_t eos() const;                // -1 if none
  bool is_eog(int32_t id) const;      // ends a generation: eos and end-of-turn tokens
  bool is_special(int32_t id) const;  // control / special added token (skipped by skip_special)
  std::optional<int32_t> token_id(std::string_view piece) const;  // by stored piece or content
  TokenizerKind kind() const;
  const std::string& chat_template() const;
  const TokenizerSpec& spec() const;

 private:
  friend class StreamDecoder;
  // Appends the bytes `id` contributes to decoded text. *run_start tracks whether the next piece
  // begins a text run (SentencePiece drops the dummy-prefix space there).
  void append_decoded(int32_t id, bool skip_special, bool* run_start, std::string* bytes) const;

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pocket
