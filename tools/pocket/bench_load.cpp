#include "bench_load.h"

#include <chrono>
#include <filesystem>
#include <vector>

#include "core/page_advice.h"
#include "io/gguf_split.h"

namespace pocket::cli {

std::unique_ptr<ReadyModel> load_ready(const std::string& path, ContextParams params,
                                       const MemoryFlags& memory) {
  const auto t0 = std::chrono::steady_clock::now();
  auto r = std::make_unique<ReadyModel>();
  r->lm = load_model(path);
  r->weights = prepare_weights_for(*r->lm.model, params, memory, /*quiet=*/true);
  params.streamer = r->weights.streamer.get();
  r->ctx = std::make_unique<Context>(*r->lm.model, params);
  r->load_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

double drop_model_from_cache(const std::string& path) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  if (fs::is_directory(path)) {
    for (const auto& e : fs::directory_iterator(path)) {
      if (e.is_regular_file()) files.push_back(e.path().string());
    }
  } else {
    files.push_back(path);
    // A split GGUF model: every part (the header read here is dropped with the rest).
    const auto info = gguf_split_info(GgufFile::open(path));
    const auto prefix =
        info ? gguf_split_prefix(path, info->split_no, info->split_count) : std::nullopt;
    if (info && prefix) {
      for (int k = 1; k < info->split_count; ++k) {
        files.push_back(gguf_split_path(*prefix, k, info->split_count));
      }
    }
  }
  double worst = 0;
  for (const auto& f : files) {
    drop_file_cache(f);
    const double cached = file_cached_fraction(f);
    if (cached < 0) return -1;
    worst = std::max(worst, cached);
  }
  return worst;
}

}  // namespace pocket::cli
