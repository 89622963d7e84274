#include "model/hf_model_loader.h"

#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/error.h"
#include "io/safetensors_folder.h"
#include "model/hf_config.h"
#include "model/weight_binding.h"

namespace pocket {

std::unique_ptr<Model> load_hf_model(const std::string& dir) {
  const std::string config_path = (std::filesystem::path(dir) / "config.json").string();
  std::ifstream in(config_path, std::ios::binary);
  if (!in) fail(ErrorCode::kIo, "cannot open '", config_path, "'");
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  ModelSpec spec = hf_model_spec(text, config_path);

  auto weights = std::make_shared<const SafetensorsFolder>(SafetensorsFolder::open(dir));
  // Hugging Face's tie_word_embeddings can be true while lm_head.weight is still stored.
  if (!spec.tied_output && !weights->find_tensor("lm_head.weight")) spec.tied_output = true;
  auto model = std::make_unique<Model>(std::move(spec), ModelFormat::kHuggingFace, dir);
  const SafetensorsFolder& w = *weights;
  bind_weights(
      *model,
      [&w](const std::string& gguf_name) -> const TensorView* {
        const std::string hf = hf_tensor_name(gguf_name);
        return hf.empty() ? nullptr : w.find_tensor(hf);
      },
      dir, hf_tensor_name);
  model->keep_alive(std::move(weights));
  return model;
}

}  // namespace pocket
