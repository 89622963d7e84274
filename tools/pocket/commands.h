// Each subcommand of `pocket` lives in its own file and registers itself here.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace pocket::cli {

// A subcommand's body runs after parsing; it returns the process exit code.
using CommandBody = std::function<int()>;

void add_run_command(CLI::App& app, CommandBody& body);
void add_chat_command(CLI::App& app, CommandBody& body);
void add_info_command(CLI::App& app, CommandBody& body);
void add_tokenize_command(CLI::App& app, CommandBody& body);
void add_synth_command(CLI::App& app, CommandBody& body);
void add_bench_command(CLI::App& app, CommandBody& body);
void add_quantize_command(CLI::App& app, CommandBody& body);
void add_eval_command(CLI::App& app, CommandBody& body);

}  // namespace pocket::cli
