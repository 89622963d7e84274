// SentencePiece tokenizer.model (a serialized ModelProto) + tokenizer_config.json beside it.
//
// Read: pieces (text, score, type); trainer_spec model_type (BPE only), byte_fallback,
// unk/bos/eos/pad ids; normalizer_spec add_dummy_prefix, remove_extra_whitespaces and the
// normalization name (identity only: rule tables are not implemented).
// Encoding follows transformers' slow LlamaTokenizer with legacy=true, which is
// sentencepiece's own encode on each text chunk between special tokens: every chunk gets the
// dummy prefix when the model has add_dummy_prefix.
#pragma once

#include <string>

#include "tokenizer/tokenizer_spec.h"

namespace pocket {

// Throws Error: kIo if unreadable, kFormat (naming the file and field) if malformed,
// kUnsupported for Unigram/word/char models or non-identity normalization rules.
TokenizerSpec load_sentencepiece_model(const std::string& path);

}  // namespace pocket
