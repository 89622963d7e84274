// Incremental detokenization for generation: push ids one at a time, get text that is safe to
// show. A token may end inside a UTF-8 character (byte-fallback pieces, or byte-level tokens that
// split an emoji); those bytes are held back until the character completes. Ill-formed bytes are
// emitted as U+FFFD as soon as they can no longer become a character, and flush() turns whatever
// is still pending into U+FFFD. The concatenated output equals Tokenizer::decode() of all ids.
#pragma once

#include <cstdint>
#include <string>

#include "tokenizer/tokenizer.h"

namespace pocket {

class StreamDecoder {
 public:
  // `tokenizer` must outlive the decoder.
  // continues_text: the ids continue a text already shown (generation after a prompt), so a
  // SentencePiece word-start space on the first piece is kept ("said" + " that"), where a fresh
  // decode would drop it as the dummy prefix.
  explicit StreamDecoder(const Tokenizer& tokenizer, bool skip_special = false,
                         bool continues_text = false);

  std::string push(int32_t id);
  std::string flush();
  void reset();

 private:
  const Tokenizer* tokenizer_;
  bool skip_special_;
  bool run_start_ = true;
  std::string pending_;  // bytes of an incomplete character
};

}  // namespace pocket
