// Builds a Model from a parsed GGUF file (llama and qwen2 architectures).
#pragma once

#include <memory>

#include "io/gguf.h"
#include "model/model.h"

namespace pocket {

// The model keeps `file` alive; tensor data is read in place from its mapping.
std::unique_ptr<Model> load_gguf_model(std::shared_ptr<const GgufFile> file);

// Reads the ModelSpec from GGUF metadata (no tensors needed except rope_freqs).
ModelSpec gguf_model_spec(const GgufFile& file);

}  // namespace pocket
