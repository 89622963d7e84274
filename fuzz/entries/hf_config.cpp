// Hugging Face config.json -> ModelSpec, and the tensor name mapping on arbitrary text.
#include "model/hf_config.h"

#include "support.h"

namespace pocket::fuzz {

void hf_config_input(Input data) {
  const std::string text(data.begin(), data.end());
  guarded([&] { hf_model_spec(text, "fuzz/config.json").describe(); });
  hf_tensor_name(text);
}

}  // namespace pocket::fuzz
