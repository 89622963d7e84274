// Sampling and generation flags shared by `run` and `chat`.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "runtime/generator.h"

namespace pocket::cli {

struct GenerationFlags {
  GenerateParams params;
  int threads = 0;
  int64_t ctx = 0;
  KvType kv_type = KvType::kF16;
  bool fast_math = false;
};

// Adds -n, --temp, --top-k, --top-p, --min-p, --repeat-penalty, --repeat-last-n,
// --presence-penalty, --frequency-penalty, --seed, --stop, --ignore-eos, -t, -c, --kv-type,
// --fast-math.
void add_generation_flags(CLI::App& cmd, GenerationFlags& flags);

}  // namespace pocket::cli
