// Writes a GGUF model with a real architecture's shapes and random weights (for speed and memory
// tests of models we cannot ship), with a real tokenizer so that prompts and output are text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "model/model_spec.h"

namespace pocket {

struct SynthPreset {
  std::string name;
  std::string config_json;  // a Hugging Face config.json
};

// Built-in presets: DeepSeek-R1-Distill-Qwen-1.5B and -7B (their config.json files).
const std::vector<SynthPreset>& synth_presets();
std::optional<SynthPreset> find_synth_preset(const std::string& name);

struct SynthOptions {
  std::string config_json;     // the shapes, as config.json text
  std::string config_origin;   // for error messages
  std::string tokenizer_path;  // a folder with tokenizer.json (+ tokenizer_config.json)
  DType type = DType::kF16;    // F32, F16 or BF16 for the matrices (norms stay F32)
  uint64_t seed = 1;
  int64_t n_layer_override = 0;  // > 0: fewer layers (small test files of the same widths)
  std::string name = "synthetic";
};

// Writes `path` (via a temporary file, renamed at the end). Returns the spec it wrote.
ModelSpec write_synthetic_model(const SynthOptions& options, const std::string& path);

}  // namespace pocket
