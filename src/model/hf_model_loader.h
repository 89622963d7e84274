// Builds a Model from a Hugging Face folder: config.json + model.safetensors (or shards).
#pragma once

#include <memory>
#include <string>

#include "model/model.h"

namespace pocket {

std::unique_ptr<Model> load_hf_model(const std::string& dir);

}  // namespace pocket
