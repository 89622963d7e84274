// pocket quantize: F32/F16/BF16 (GGUF or Hugging Face folder) -> group-wise INT8/INT4/FP8 GGUF.
#include <cstdio>
#include <memory>

#include "commands.h"
#include "core/error.h"
#include "quant/mix_policy.h"
#include "quant/quantizer.h"

namespace pocket::cli {
namespace {

struct QuantizeFlags {
  std::string in, out, config, scheme = "sym", mix, calib;
  int bits = 8, group = 128, calib_samples = 128, threads = 0;
  bool fp8 = false, awq = false, no_awq = false, no_gptq = false, act_order = false, quiet = false;
};

int quantize(const QuantizeFlags& f) {
  POCKET_CHECK(f.scheme == "sym" || f.scheme == "asym", ErrorCode::kInvalidArgument,
               "--scheme must be sym or asym, not '", f.scheme, "'");
  quant::Quantizer q(f.in, f.config, f.out, f.bits, f.group);
  quant::QuantOptions& o = q.options();
  o.scheme = f.scheme == "sym" ? quant::Scheme::kSym : quant::Scheme::kAsym;
  o.fp8 = f.fp8;
  o.mix = f.mix;
  o.calib_path = f.calib;
  o.calib_samples = f.calib_samples;
  POCKET_CHECK(!(f.awq && f.no_awq), ErrorCode::kInvalidArgument,
               "--awq and --no-awq contradict each other");
  o.awq = f.awq ? quant::AwqMode::kOn : f.no_awq ? quant::AwqMode::kOff : quant::AwqMode::kAuto;
  o.gptq = !f.no_gptq;
  o.act_order = f.act_order;
  o.threads = f.threads;
  const quant::QuantReport report = q.run();
  if (!f.quiet) quant::print_report(report, stdout);
  std::printf("wrote %s: %.2f MiB, %.3f bits per weight, %.2f s\n", f.out.c_str(),
              static_cast<double>(report.file_bytes) / (1 << 20), report.bits_per_weight(),
              report.seconds);
  return 0;
}

}  // namespace

void add_quantize_command(CLI::App& app, CommandBody& body) {
  auto f = std::make_shared<QuantizeFlags>();
  CLI::App* cmd = app.add_subcommand(
      "quantize", "Quantize an F32/F16/BF16 model (GGUF or HF folder) to INT8/INT4/FP8 GGUF");
  cmd->add_option("--in", f->in, "Input model: GGUF file or Hugging Face folder")->required();
  cmd->add_option("--out", f->out, "Output GGUF file")->required();
  cmd->add_option("--bits", f->bits, "4 or 8")->capture_default_str();
  cmd->add_option("--group-size", f->group, "Values per scale: 32 (GGML types), 64 or 128")
      ->capture_default_str();
  cmd->add_option("--scheme", f->scheme, "sym (scale only) or asym (scale and offset, 4-bit)")
      ->capture_default_str();
  cmd->add_flag("--fp8", f->fp8, "FP8 E4M3 with a per-group scale (group 128)");
  std::string presets;
  for (const auto& p : quant::mix_presets()) presets += "\n  " + p.name + ": " + p.description;
  cmd->add_option("--mix", f->mix,
                  "Mixed precision: rules glob[@layers]=type, comma-separated, first match wins, "
                  "or a preset:" +
                      presets);
  cmd->add_option("--calib", f->calib, "Calibration text (one sample per line)");
  cmd->add_option("--calib-samples", f->calib_samples,
                  "Lines of the calibration text to use (1..1024)")
      ->capture_default_str();
  cmd->add_flag("--awq", f->awq,
                "With --calib: AWQ scaling even with GPTQ (alphas judged by GPTQ's error)");
  cmd->add_flag("--no-awq", f->no_awq, "With --calib: no AWQ scaling (default with GPTQ)");
  cmd->add_flag("--no-gptq", f->no_gptq, "With --calib: no GPTQ error compensation");
  cmd->add_flag("--act-order", f->act_order,
                "GPTQ in order of decreasing input energy (static groups)");
  cmd->add_option("--config", f->config, "JSON file of options (keys as in quant/quantizer.h)");
  cmd->add_option("-t,--threads", f->threads, "Threads (0: every core)")->capture_default_str();
  cmd->add_flag("-q,--quiet", f->quiet, "No per-tensor report");
  cmd->callback([f, &body] { body = [f] { return quantize(*f); }; });
}

}  // namespace pocket::cli
