// Hugging Face tokenizer.json (+ tokenizer_config.json in the same folder, when present).
//
// Supported: model BPE (merges as ["a", "b"] pairs or "a b" strings) over the byte-level
// alphabet; normalizer null, NFC, or a Sequence of NFC; pre_tokenizer ByteLevel, or a Sequence
// of Split(Regex|String, Isolated) / Digits ending in ByteLevel; post_processor TemplateProcessing
// (BOS/EOS), ByteLevel, or a Sequence of them; added_tokens with their flags.
// BOS/EOS: tokenizer_config.json's bos_token/eos_token and add_bos_token/add_eos_token win over
// the post-processor, as transformers' tokenizer classes do.
#pragma once

#include <string>

#include "tokenizer/tokenizer_spec.h"

namespace pocket {

// Throws Error: kIo if unreadable, kFormat (naming file and field) if malformed, kUnsupported for
// a well-formed tokenizer of a kind we do not implement (WordPiece, Unigram, Metaspace, ...).
TokenizerSpec load_hf_tokenizer_json(const std::string& path);

}  // namespace pocket
