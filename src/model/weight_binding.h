// Binds the tensors a ModelSpec needs (by their GGUF names) to the model, checking each shape.
// Both loaders use it: the HF loader translates names first (hf_names.h).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/tensor.h"
#include "model/model.h"

namespace pocket {

// Returns the tensor with that GGUF-style name ("blk.3.attn_q.weight"), or nullptr.
using TensorLookup = std::function<const TensorView*(const std::string& name)>;

// Fills model.mutable_weights(). Throws Error naming the tensor when one is missing or has the
// wrong shape or a type we cannot compute with. Small 1-D tensors are converted to f32.
// display_name turns a GGUF-style name into the file's own naming for error messages.
using NameDisplay = std::function<std::string(const std::string& name)>;
void bind_weights(Model& model, const TensorLookup& lookup, const std::string& origin,
                  const NameDisplay& display_name = {});

}  // namespace pocket
