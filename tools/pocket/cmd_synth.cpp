// pocket synth: a GGUF file of a real architecture's shapes with random weights.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>

#include "commands.h"
#include "core/error.h"
#include "default_paths.h"
#include "runtime/synth_model.h"

namespace pocket::cli {
namespace {

struct SynthFlags {
  std::string preset;
  std::string config;
  std::string tokenizer;
  std::string type = "f16";
  std::string out;
  uint64_t seed = 1;
  int64_t layers = 0;
};

int synth(const SynthFlags& f) {
  SynthOptions o;
  if (!f.config.empty()) {
    std::ifstream in(f.config, std::ios::binary);
    if (!in) fail(ErrorCode::kIo, "cannot open config '", f.config, "'");
    o.config_json.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    o.config_origin = f.config;
    o.name = std::filesystem::path(f.config).stem().string();
  } else {
    const auto preset = find_synth_preset(f.preset);
    if (!preset) {
      std::string names;
      for (const auto& p : synth_presets()) names += " " + p.name;
      fail(ErrorCode::kInvalidArgument, "unknown preset '", f.preset, "' (presets:", names, ")");
    }
    o.config_json = preset->config_json;
    o.config_origin = "preset " + preset->name;
    o.name = preset->name + "-synthetic";
  }
  o.tokenizer_path =
      f.tokenizer.empty() ? shared_dir() + "/tokenizers/deepseek-r1-distill-qwen" : f.tokenizer;
  const auto type = dtype_from_name(f.type);
  if (!type || (*type != DType::kF32 && *type != DType::kF16 && *type != DType::kBF16)) {
    fail(ErrorCode::kInvalidArgument, "--type must be f32, f16 or bf16, got '", f.type, "'");
  }
  o.type = *type;
  o.seed = f.seed;
  o.n_layer_override = f.layers;
  const auto t0 = std::chrono::steady_clock::now();
  const ModelSpec spec = write_synthetic_model(o, f.out);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("wrote %s: %s\n%.2f GiB in %.1f s\n", f.out.c_str(), spec.describe().c_str(),
              static_cast<double>(std::filesystem::file_size(f.out)) / (1 << 30), secs);
  return 0;
}

}  // namespace

void add_synth_command(CLI::App& app, CommandBody& body) {
  auto f = std::make_shared<SynthFlags>();
  CLI::App* cmd = app.add_subcommand(
      "synth", "Write a GGUF model of a real architecture's shapes with random weights");
  auto* preset = cmd->add_option("--preset", f->preset,
                                 "deepseek-r1-distill-qwen-1.5b or deepseek-r1-distill-qwen-7b");
  auto* config = cmd->add_option("--config", f->config, "A Hugging Face config.json instead");
  preset->excludes(config);
  cmd->add_option("--tokenizer", f->tokenizer,
                  "Folder with tokenizer.json (default: ../shared/tokenizers/deepseek-r1-distill-qwen)");
  cmd->add_option("--type", f->type, "f32, f16 or bf16")->capture_default_str();
  cmd->add_option("-o,--output", f->out, "Output GGUF file")->required();
  cmd->add_option("--seed", f->seed, "Random seed")->capture_default_str();
  cmd->add_option("--layers", f->layers, "Fewer layers than the preset (small test files)")
      ->check(CLI::PositiveNumber);
  cmd->callback([f, &body, preset, config] {
    if (preset->count() + config->count() == 0) throw CLI::ValidationError("--preset or --config is required");
    body = [f] { return synth(*f); };
  });
}

}  // namespace pocket::cli
