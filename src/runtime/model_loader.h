// Opens what a user points at: a GGUF file, or a Hugging Face folder (config.json + safetensors
// + tokenizer.json or tokenizer.model). Returns the model and its tokenizer together.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "model/model.h"
#include "runtime/chat_template.h"
#include "tokenizer/tokenizer.h"

namespace pocket {

struct LoadedModel {
  std::unique_ptr<Model> model;
  std::unique_ptr<Tokenizer> tokenizer;
  std::optional<ChatFormat> chat_format;  // recognized from the model's chat_template
  std::string bos_text;                   // the BOS token's text, for chat templates
};

LoadedModel load_model(const std::string& path);

// Only the tokenizer: from a GGUF file, a model folder, or a folder holding just tokenizer.json
// (+ tokenizer_config.json) or tokenizer.model.
std::unique_ptr<Tokenizer> load_tokenizer(const std::string& path);

}  // namespace pocket
