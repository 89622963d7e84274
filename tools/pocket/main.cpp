// pocket: one binary, one subcommand per job (run, chat, info, tokenize, synth, bench, quantize,
// eval).
#include <cstdio>
#include <exception>

#include "commands.h"
#include "core/error.h"

namespace {

// Exit codes: 0 success, 1 usage error (CLI11), 2.. one per error kind (see README).
int exit_code_for(pocket::ErrorCode code) { return 1 + static_cast<int>(code); }

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"PocketLLM: run reasoning LLMs on the CPU", "pocket"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "pocket 0.1.0");
  pocket::cli::CommandBody body;
  pocket::cli::add_run_command(app, body);
  pocket::cli::add_chat_command(app, body);
  pocket::cli::add_info_command(app, body);
  pocket::cli::add_tokenize_command(app, body);
  pocket::cli::add_synth_command(app, body);
  pocket::cli::add_bench_command(app, body);
  pocket::cli::add_quantize_command(app, body);
  pocket::cli::add_eval_command(app, body);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every other command-line mistake exits 1.
    return app.exit(e) == 0 ? 0 : 1;
  }
  try {
    return body();
  } catch (const pocket::Error& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "\nerror (%s): %s\n", pocket::error_code_name(e.code()), e.what());
    return exit_code_for(e.code());
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "\nerror: %s\n", e.what());
    return exit_code_for(pocket::ErrorCode::kInternal);
  }
}
