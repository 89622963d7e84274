// The GGUF metadata of a model (architecture hyper-parameters and tokenizer), shared by every
// writer of whole models (pocket synth, pocket quantize) so they describe models identically.
#pragma once

#include <cstdint>
#include <string>

#include "io/gguf_writer.h"
#include "model/model_spec.h"
#include "tokenizer/tokenizer_spec.h"

namespace pocket {

// Adds general.* (architecture, name, file_type), the <arch>.* hyper-parameters and the
// tokenizer.ggml.* keys. file_type is llama.cpp's LLAMA_FTYPE_* number for the file's main type.
void add_model_metadata(GgufWriter& w, const ModelSpec& spec, const TokenizerSpec& tokenizer,
                        uint32_t file_type, const std::string& name);

}  // namespace pocket
