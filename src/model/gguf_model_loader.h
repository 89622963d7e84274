// Builds a Model from a parsed GGUF file, or from all parts of a split GGUF model (llama and qwen2
// architectures).
#pragma once

#include <memory>

#include "io/gguf.h"
#include "io/gguf_split.h"
#include "model/model.h"

namespace pocket {

// The model keeps `files` alive; tensor data is read in place from the parts' mappings. Metadata
// comes from part 1; each tensor from whichever part holds it (io/gguf_split.h).
std::unique_ptr<Model> load_gguf_model(std::shared_ptr<const GgufModelFiles> files);

// The model keeps `file` alive; tensor data is read in place from its mapping. `file` must be an
// ordinary (not split) file: a part of a split model is Error(kInvalidArgument), to be opened by
// path with GgufModelFiles::open (or runtime's load_model).
std::unique_ptr<Model> load_gguf_model(std::shared_ptr<const GgufFile> file);

// Reads the ModelSpec from GGUF metadata (no tensors needed except rope_freqs).
ModelSpec gguf_model_spec(const GgufFile& file);
// The same for a possibly split model: metadata from part 1, tensors from any part.
ModelSpec gguf_model_spec(const GgufModelFiles& files);

}  // namespace pocket
