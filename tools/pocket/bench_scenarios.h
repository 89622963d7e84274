// pocket bench --scenarios FILE: for each model, load time (cold and warm), then each scenario's
// time to first token, prefill and decode speed and peak memory, as one Markdown table.
#pragma once

#include <string>
#include <vector>

#include "memory_flags.h"
#include "runtime/kv_cache.h"

namespace pocket::cli {

struct ScenarioOptions {
  std::vector<std::string> models;
  std::string file;
  int threads = 0;
  int64_t ctx = 0;  // 0: enough for the longest scenario
  KvType kv_type = KvType::kF16;
  bool fast_math = false;
  MemoryFlags memory;
  bool json = false;
};

int run_scenarios(const ScenarioOptions& o);

}  // namespace pocket::cli
