#include <gtest/gtest.h>

#include "model/hf_config.h"
#include "runtime/synth_model.h"
#include "shared_data.h"

namespace pocket {
namespace {

// The built-in presets must have the shapes of the real models' config.json files.
TEST(Synth, PresetsMatchTheSharedConfigs) {
  for (const char* size : {"1.5b", "7b"}) {
    const std::string name = std::string("deepseek-r1-distill-qwen-") + size;
    const auto preset = find_synth_preset(name);
    ASSERT_TRUE(preset.has_value()) << name;
    const std::string path = test::shared_path("configs/" + name + ".json");
    const ModelSpec want = hf_model_spec(test::read_text_file(path), path);
    const ModelSpec got = hf_model_spec(preset->config_json, name);
    EXPECT_EQ(got.describe(), want.describe()) << name;
  }
  EXPECT_FALSE(find_synth_preset("nope").has_value());
}

}  // namespace
}  // namespace pocket
