// Timed model loading for pocket bench: cold (page cache dropped first) and warm.
#pragma once

#include <memory>
#include <string>

#include "memory_flags.h"
#include "runtime/context.h"
#include "runtime/model_loader.h"

namespace pocket::cli {

// A model ready to compute its first token: loaded, weights mapped, context made.
struct ReadyModel {
  LoadedModel lm;
  PreparedWeights weights;
  std::unique_ptr<Context> ctx;
  double load_seconds = 0;  // load_model() + weight mapping + context, wall time
};

std::unique_ptr<ReadyModel> load_ready(const std::string& path, ContextParams params,
                                       const MemoryFlags& memory);

// Drops the model's files (a file, or every file in a folder) from the page cache. Returns the
// fraction of their pages still cached afterwards (0 means a true cold start), or -1 when the
// kernel did not say.
double drop_model_from_cache(const std::string& path);

}  // namespace pocket::cli
