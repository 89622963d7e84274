// pocket eval: perplexity, and KL divergence / top-1 agreement against a reference model.
#include <cstdio>
#include <memory>

#include "commands.h"
#include "kv_type_flag.h"
#include "quant/evaluator.h"
#include "runtime/model_loader.h"

namespace pocket::cli {
namespace {

struct EvalFlags {
  std::string model, ref, text;
  int64_t ctx = 256, max_windows = 0;
  int threads = 0;
  bool json = false;
  KvType kv_type = ContextParams{}.kv_type;
  KvType ref_kv_type = ContextParams{}.kv_type;
  bool ref_kv_given = false;
  bool fast_math = false, ref_fast_math = false;
};

int eval(const EvalFlags& f) {
  const LoadedModel model = load_model(f.model);
  LoadedModel ref;
  if (!f.ref.empty()) ref = load_model(f.ref);
  quant::EvalOptions o;
  o.text_path = f.text;
  o.ctx = f.ctx;
  o.max_windows = f.max_windows;
  o.threads = f.threads;
  o.kv_type = f.kv_type;
  if (f.ref_kv_given) o.ref_kv_type = f.ref_kv_type;
  o.fast_math = f.fast_math;
  o.ref_fast_math = f.ref_fast_math;
  const quant::EvalResult r = quant::evaluate(model, f.ref.empty() ? nullptr : &ref, o);
  // KL divergences to 6 significant digits: 6 decimals print small costs (fast math) as 0.
  auto sig6 = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return std::string(buf);
  };
  if (f.json) {
    std::printf(
        "{\"ppl\": %.6f, \"ref_ppl\": %s, \"kl_mean\": %s, \"kl_p99\": %s, "
        "\"top1_agreement\": %s, \"n_tokens\": %lld}\n",
        r.ppl, r.has_ref ? std::to_string(r.ref_ppl).c_str() : "null",
        r.has_ref ? sig6(r.kl_mean).c_str() : "null", r.has_ref ? sig6(r.kl_p99).c_str() : "null",
        r.has_ref ? std::to_string(r.top1_agreement).c_str() : "null",
        static_cast<long long>(r.n_tokens));
    return 0;
  }
  std::printf("windows: %lld of %lld tokens, scored tokens: %lld\n",
              static_cast<long long>(r.n_windows), static_cast<long long>(f.ctx),
              static_cast<long long>(r.n_tokens));
  std::printf("perplexity: %.4f\n", r.ppl);
  if (r.has_ref) {
    std::printf("reference perplexity: %.4f\n", r.ref_ppl);
    std::printf("KL(ref || model): mean %s, p99 %s\n", sig6(r.kl_mean).c_str(),
                sig6(r.kl_p99).c_str());
    std::printf("top-1 agreement (accuracy retention): %.2f%%\n", 100.0 * r.top1_agreement);
  }
  return 0;
}

}  // namespace

void add_eval_command(CLI::App& app, CommandBody& body) {
  auto f = std::make_shared<EvalFlags>();
  CLI::App* cmd = app.add_subcommand(
      "eval", "Perplexity of a model, and KL divergence / top-1 agreement against a reference");
  cmd->add_option("-m,--model", f->model, "Model to evaluate (GGUF or HF folder)")->required();
  cmd->add_option("--ref", f->ref, "Reference model (same vocabulary)");
  cmd->add_option("--text", f->text, "Text file")->required();
  cmd->add_option("-c,--ctx", f->ctx, "Tokens per window (the second half is scored)")
      ->capture_default_str();
  cmd->add_option("--max-windows", f->max_windows, "Evaluate at most this many windows (0: all)")
      ->capture_default_str();
  cmd->add_option("-t,--threads", f->threads, "Threads (0: every core)")->capture_default_str();
  cmd->add_flag("--json", f->json, "Print one JSON object");
  add_kv_type_flag(*cmd, f->kv_type, "--kv-type", "The model's KV cache storage");
  add_kv_type_flag(*cmd, f->ref_kv_type, "--ref-kv-type",
                   "The reference's KV cache storage (default: as --kv-type); e.g. --model M "
                   "--ref M --kv-type q8 --ref-kv-type f16 measures the int8 KV cache's cost");
  add_fast_math_flag(*cmd, f->fast_math, "--fast-math",
                     "The model's context uses fast math (cheaper exp in softmax and SiLU); "
                     "--model M --ref M --fast-math measures its cost");
  add_fast_math_flag(*cmd, f->ref_fast_math, "--ref-fast-math",
                     "The reference's context uses fast math too (default: accurate)");
  cmd->callback([f, &body, cmd] {
    f->ref_kv_given = cmd->count("--ref-kv-type") > 0;
    if (!f->ref_kv_given) f->ref_kv_type = f->kv_type;
    body = [f] { return eval(*f); };
  });
}

}  // namespace pocket::cli
