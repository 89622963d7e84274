// --mem-budget, --chunk-mb, --no-prefetch and --no-repack, shared by run, chat and bench; and the
// load step they control (runtime/model_memory.h) with its progress bar and memory report.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <string>

#include "runtime/model_memory.h"

namespace pocket::cli {

struct MemoryFlags {
  std::string budget;  // "3.8G"; empty: none
  int chunk_mb = 512;
  bool no_prefetch = false;
  bool no_repack = false;
};

void add_memory_flags(CLI::App& cmd, MemoryFlags& flags);

// Plans and maps the weights for a context with these parameters. Prints a progress bar on
// stderr when it takes over a second (unless quiet) and, under a budget, what is streamed.
PreparedWeights prepare_weights_for(Model& model, const ContextParams& params,
                                    const MemoryFlags& flags, bool quiet);

// "peak RSS (VmHWM) 1.23 GB" and, under a budget, how it compares.
std::string memory_report(const PreparedWeights& weights);

}  // namespace pocket::cli
