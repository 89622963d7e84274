// pocket chat: multi-turn chat on stdin/stdout with the model's chat template. The reasoning
// (text before </think>) is shown apart from the answer: dimmed on a terminal, else prefixed.
// Each turn re-renders the whole conversation; the generator keeps the cached prefix, so only
// the new tokens are evaluated.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>

#include "commands.h"
#include "core/error.h"
#include "default_paths.h"
#include "memory_flags.h"
#include "runtime/model_loader.h"
#include "runtime/reasoning_split.h"
#include "sampling_flags.h"

namespace pocket::cli {
namespace {

struct ChatOptions {
  std::string model;
  std::string system;
  std::string format;
  bool no_think = false;
  GenerationFlags gen;
  MemoryFlags memory;
};

class ReasoningPrinter {
 public:
  explicit ReasoningPrinter(bool tty) : tty_(tty) {}

  void print(const SplitPiece& p) {
    if (!p.reasoning.empty()) {
      if (!in_reasoning_) std::fputs(tty_ ? "\x1b[2m" : "[reasoning] ", stdout);
      in_reasoning_ = true;
      std::fputs(p.reasoning.c_str(), stdout);
    }
    if (!p.answer.empty()) {
      if (!in_answer_) {
        std::fputs(in_reasoning_ ? (tty_ ? "\x1b[0m\n" : "\n[answer] ") : (tty_ ? "" : "[answer] "),
                   stdout);
      }
      in_answer_ = true;
      std::fputs(p.answer.c_str(), stdout);
    }
    std::fflush(stdout);
  }

  void end() {
    if (tty_ && in_reasoning_ && !in_answer_) std::fputs("\x1b[0m", stdout);
    std::fputs("\n", stdout);
    std::fflush(stdout);
  }

 private:
  bool tty_;
  bool in_reasoning_ = false;
  bool in_answer_ = false;
};

int chat(ChatOptions o) {
  LoadedModel lm = load_model(o.model.empty() ? default_model_path() : o.model);
  std::optional<ChatFormat> format = lm.chat_format;
  if (!o.format.empty()) {
    format = parse_chat_format(o.format);
    if (!format)
      fail(ErrorCode::kInvalidArgument, "unknown --chat-format '", o.format,
           "' (use deepseek-r1, chatml or llama3)");
  }
  if (!format) {
    fail(ErrorCode::kInvalidArgument, "the model has no chat template this engine recognizes; ",
         "pass --chat-format deepseek-r1|chatml|llama3");
  }
  const bool thinks = *format == ChatFormat::kDeepSeekR1 && !o.no_think;
  ContextParams params{.n_ctx = o.gen.ctx,
                       .n_seq_max = 1,
                       .n_threads = o.gen.threads,
                       .kv_type = o.gen.kv_type,
                       .fast_math = o.gen.fast_math};
  const PreparedWeights weights = prepare_weights_for(*lm.model, params, o.memory, false);
  params.streamer = weights.streamer.get();
  Context ctx(*lm.model, params);
  Generator gen(ctx, *lm.tokenizer);
  std::vector<ChatMessage> messages;
  if (!o.system.empty()) messages.push_back({"system", o.system});
  const bool tty = isatty(STDOUT_FILENO) != 0;
  const bool interactive = isatty(STDIN_FILENO) != 0;

  std::string line;
  for (;;) {
    if (interactive) std::fputs("\n> ", stdout), std::fflush(stdout);
    if (!std::getline(std::cin, line)) break;
    if (line == "/exit" || line == "/quit") break;
    if (line == "/reset") {
      messages.resize(o.system.empty() ? 0 : 1);
      continue;
    }
    if (line.empty()) continue;
    messages.push_back({"user", line});
    const std::string prompt = render_chat(*format, messages, true, lm.bos_text);
    const std::vector<int32_t> ids = lm.tokenizer->encode(prompt, /*add_bos=*/false);
    ReasoningSplitter splitter(thinks);
    ReasoningPrinter printer(tty);
    std::string answer;
    const GenerateResult r = gen.generate(ids, o.gen.params, [&](std::string_view text) {
      const SplitPiece p = splitter.push(text);
      answer += p.answer;
      printer.print(p);
      return true;
    });
    const SplitPiece rest = splitter.finish();
    answer += rest.answer;
    printer.print(rest);
    printer.end();
    std::fprintf(
        stderr, "[%zu tokens, %.1f tok/s, stop: %s]\n", r.tokens.size(),
        r.decode_seconds > 0 ? static_cast<double>(r.tokens.size()) / r.decode_seconds : 0.0,
        r.stop_reason.c_str());
    messages.push_back({"assistant", answer});
  }
  return 0;
}

}  // namespace

void add_chat_command(CLI::App& app, CommandBody& body) {
  auto opts = std::make_shared<ChatOptions>();
  opts->gen.params.max_tokens = 1024;
  CLI::App* cmd = app.add_subcommand(
      "chat", "Multi-turn chat: one user message per line on stdin (/reset, /exit)");
  cmd->add_option("-m,--model", opts->model, "GGUF file or Hugging Face folder");
  cmd->add_option("-s,--system", opts->system, "System prompt");
  cmd->add_option("--chat-format", opts->format,
                  "Override the template: deepseek-r1, chatml or llama3");
  cmd->add_flag("--no-think", opts->no_think, "The model does not open with reasoning");
  add_generation_flags(*cmd, opts->gen);
  add_memory_flags(*cmd, opts->memory);
  cmd->callback([opts, &body] { body = [opts] { return chat(*opts); }; });
}

}  // namespace pocket::cli
