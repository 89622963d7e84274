// Writes a TokenizerSpec as GGUF tokenizer metadata (tokenizer.ggml.*), the way llama.cpp's
// converters do, so that both engines read the file's vocabulary the same way.
#pragma once

#include <cstdint>

#include "io/gguf_writer.h"
#include "tokenizer/tokenizer_spec.h"

namespace pocket {

// n_vocab: rows of the model's embedding. When it is larger than the tokenizer (Qwen pads its
// embedding to 151936), the table is padded with unused "[PADn]" entries, as llama.cpp expects
// one entry per row.
void write_gguf_tokenizer(GgufWriter& out, const TokenizerSpec& spec, int64_t n_vocab);

// The tokenizer.ggml.pre name llama.cpp knows for a byte-level spec's pre-tokenizer.
std::string gguf_pretokenizer_name(const TokenizerSpec& spec);

}  // namespace pocket
