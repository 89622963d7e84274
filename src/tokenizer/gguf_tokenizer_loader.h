// A tokenizer from GGUF metadata (llama.cpp's tokenizer.* keys).
//
// tokenizer.ggml.model "gpt2" is byte-level BPE: tokens, merges ("a b"), and the pre-tokenizer
// regexes named by tokenizer.ggml.pre ("qwen2", "deepseek-r1-qwen", "llama3"/"llama-bpe", "gpt2";
// other names get GPT-2's). For the Qwen family text is NFC-normalized, as Hugging Face does
// (llama.cpp does not; GGUF does not record the normalizer). "llama" is SentencePiece BPE: tokens
// and scores, dummy prefix per tokenizer.ggml.add_space_prefix (default true).
// Control, user-defined and unknown tokens (tokenizer.ggml.token_type 3, 4, 2) are cut out of the
// text before encoding, as llama.cpp does; control and unknown ones only when parse_special.
#pragma once

#include "io/gguf.h"
#include "tokenizer/tokenizer_spec.h"

namespace pocket {

// Throws Error(kFormat) naming the file and key when the metadata is missing or inconsistent,
// Error(kUnsupported) for other tokenizer models (bert, t5, rwkv...).
TokenizerSpec load_gguf_tokenizer(const GgufFile& gguf);

}  // namespace pocket
