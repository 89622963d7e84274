// The quantizer (the seed's API): model path, optional config path, output path, bits and group
// size, then run(). Reads a GGUF file (F32/F16/BF16) or a Hugging Face folder and writes a GGUF
// file whose 2-D weight matrices are group-wise quantized (norms and biases stay F32), through a
// temporary name renamed at the end, so a failed run never leaves a partial output file.
#pragma once

#include <string>

#include "quant/quant_report.h"
#include "quant/type_choice.h"

namespace pocket::quant {

// AWQ with calibration: kAuto runs it only without GPTQ (with GPTQ it measured worse on
// brown-qwen2-7m, even with the alphas judged by GPTQ's own error: docs/QUANTIZATION.md).
enum class AwqMode { kAuto, kOn, kOff };

struct QuantOptions {
  int bits = 8;          // 4 or 8
  int group_size = 128;  // 32 (GGML types), 64 or 128 (our PQ types)
  Scheme scheme = Scheme::kSym;
  bool fp8 = false;         // FP8 E4M3 with a per-group scale (group 128) instead of integers
  std::string mix;          // mixed-precision policy or preset (mix_policy.h); empty: all one type
  std::string calib_path;   // calibration text; empty: no calibration (round-to-nearest + search)
  int calib_samples = 128;  // lines of calib_path used, 1..1024
  AwqMode awq = AwqMode::kAuto;  // with calibration: activation-aware scaling (awq.h)
  bool gptq = true;              // with calibration: GPTQ error compensation (gptq.h)
  bool act_order = false;        // GPTQ in order of decreasing input energy, with static groups
  int threads = 0;               // 0: every core
  bool progress = true;          // progress bar on stderr (only on a terminal, only after 1 s)
};

class Quantizer {
 public:
  // config_path: optional JSON object with any of the keys bits, group_size, scheme ("sym" |
  // "asym"), fp8, mix, calib, calib_samples, awq (true/false: kOn/kOff), gptq,
  // act_order, threads; its values override the arguments
  // and options() when run() starts.
  Quantizer(std::string model_path, std::string config_path, std::string output_path, int bits = 8,
            int group_size = 128);

  QuantOptions& options() { return options_; }
  const QuantOptions& options() const { return options_; }

  // Throws pocket::Error with a message naming the bad option, tensor or file.
  QuantReport run();

 private:
  void apply_config();

  std::string model_path_, config_path_, output_path_;
  QuantOptions options_;
};

}  // namespace pocket::quant
