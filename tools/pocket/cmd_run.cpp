// pocket run: generate text from a prompt, streamed as it comes; tokens/s at the end.
#include <cstdio>
#include <fstream>
#include <memory>

#include "commands.h"
#include "core/error.h"
#include "default_paths.h"
#include "memory_flags.h"
#include "runtime/model_loader.h"
#include "sampling_flags.h"

namespace pocket::cli {
namespace {

struct RunOptions {
  std::string model;
  std::string prompt = "Once upon a time";
  std::string prompt_file;
  bool no_bos = false;
  std::string dump_logits;
  GenerationFlags gen;
  MemoryFlags memory;
};

int run(const RunOptions& o) {
  std::string prompt = o.prompt;
  if (!o.prompt_file.empty()) {
    std::ifstream in(o.prompt_file, std::ios::binary);
    if (!in) fail(ErrorCode::kIo, "cannot open prompt file '", o.prompt_file, "'");
    prompt.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const std::string path = o.model.empty() ? default_model_path() : o.model;
  LoadedModel lm = load_model(path);
  const std::vector<int32_t> ids = lm.tokenizer->encode(prompt, !o.no_bos);
  POCKET_CHECK(!ids.empty(), ErrorCode::kInvalidArgument,
               "the prompt is empty and the model has no BOS token to start from");
  ContextParams params{.n_ctx = o.gen.ctx,
                       .n_seq_max = 1,
                       .n_threads = o.gen.threads,
                       .kv_type = o.gen.kv_type,
                       .fast_math = o.gen.fast_math};
  const PreparedWeights weights = prepare_weights_for(*lm.model, params, o.memory, false);
  params.streamer = weights.streamer.get();
  Context ctx(*lm.model, params);
  Generator gen(ctx, *lm.tokenizer);

  std::unique_ptr<std::FILE, int (*)(std::FILE*)> dump(nullptr, &std::fclose);
  LogitsCallback on_logits;
  if (!o.dump_logits.empty()) {
    dump.reset(std::fopen(o.dump_logits.c_str(), "wb"));
    if (!dump) fail(ErrorCode::kIo, "cannot write logits to '", o.dump_logits, "'");
    on_logits = [&](std::span<const float> row) {
      if (std::fwrite(row.data(), sizeof(float), row.size(), dump.get()) != row.size()) {
        fail(ErrorCode::kIo, "write to '", o.dump_logits, "' failed");
      }
    };
  }
  std::fputs(prompt.c_str(), stdout);
  std::fflush(stdout);
  const GenerateResult r = gen.generate(
      ids, o.gen.params,
      [](std::string_view text) {
        std::fwrite(text.data(), 1, text.size(), stdout);
        std::fflush(stdout);
        return true;
      },
      on_logits);
  if (dump && std::fflush(dump.get()) != 0)
    fail(ErrorCode::kIo, "write to '", o.dump_logits, "' failed");
  const double pp = r.prefill_seconds > 0 ? r.n_prompt / r.prefill_seconds : 0.0;
  const double tg =
      r.decode_seconds > 0 ? static_cast<double>(r.tokens.size()) / r.decode_seconds : 0.0;
  std::fprintf(stderr,
               "\n\n[%s] prompt: %d tokens, %.1f tok/s | generated: %zu tokens, %.1f tok/s | "
               "threads %d | stop: %s | %s\n",
               path.c_str(), r.n_prompt, pp, r.tokens.size(), tg, ctx.n_threads(),
               r.stop_reason.c_str(), memory_report(weights).c_str());
  return 0;
}

}  // namespace

void add_run_command(CLI::App& app, CommandBody& body) {
  auto opts = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand("run", "Generate text from a prompt");
  cmd->add_option("-m,--model", opts->model,
                  "GGUF file or Hugging Face folder (default: " + default_model_path() + ")");
  cmd->add_option("-p,--prompt", opts->prompt, "Prompt text")->capture_default_str();
  cmd->add_option("-f,--file", opts->prompt_file, "Read the prompt from this file");
  cmd->add_flag("--no-bos", opts->no_bos, "Do not add the model's BOS token");
  cmd->add_option("--dump-logits", opts->dump_logits,
                  "Write float32 logits of every evaluated position (prompt, then each generated "
                  "token) to this file");
  add_generation_flags(*cmd, opts->gen);
  add_memory_flags(*cmd, opts->memory);
  cmd->callback([opts, &body] { body = [opts] { return run(*opts); }; });
}

}  // namespace pocket::cli
