// Reads a Hugging Face config.json (model_type llama or qwen2) into a ModelSpec.
#pragma once

#include <string>

#include "model/model_spec.h"

namespace pocket {

// `text` is the JSON, `origin` names the file in errors.
ModelSpec hf_model_spec(const std::string& text, const std::string& origin);

// The Hugging Face parameter name for a GGUF-style tensor name ("blk.0.attn_q.weight" ->
// "model.layers.0.self_attn.q_proj.weight"); empty when there is none.
std::string hf_tensor_name(const std::string& gguf_name);

}  // namespace pocket
