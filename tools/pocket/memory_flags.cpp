#include "memory_flags.h"

#include <cstdio>
#include <memory>

#include "core/page_advice.h"

namespace pocket::cli {

void add_memory_flags(CLI::App& cmd, MemoryFlags& flags) {
  cmd.add_option("--mem-budget", flags.budget,
                 "Keep peak resident memory under this (3.8G = 3.8e9 bytes, 3.5GiB, 900M): "
                 "weights that do not fit are streamed from the file layer by layer");
  cmd.add_option("--chunk-mb", flags.chunk_mb, "Map weights in at most this many MB at a time")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  cmd.add_flag("--no-prefetch", flags.no_prefetch,
               "Do not map the weights in at load; let the first tokens fault them in");
  cmd.add_flag("--no-repack", flags.no_repack,
               "Keep the file's weight layout: by default Q4_0, Q8_0, PQ4/PQ8 g64/g128, Q4_K, "
               "F16 and BF16 weights are repacked at load into an interleaved layout on AVX-512 "
               "(on AVX2: Q4_0, Q8_0, PQ4, Q4_K), and the other matrices moved as they are into "
               "huge pages, for faster decode and prefill, at the cost of a copy at load");
}

namespace {

// "label: 42% (done / total MB)" on stderr, from the first second on (fast loads print nothing).
LoadProgress progress_bar(const char* label) {
  const auto t0 = std::chrono::steady_clock::now();
  auto shown = std::make_shared<bool>(false);
  return [=](uint64_t done, uint64_t total) {
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (s < 1.0 && !*shown) return;
    *shown = true;
    std::fprintf(stderr, "\r%s: %3d%% (%llu / %llu MB)", label,
                 static_cast<int>(100.0 * static_cast<double>(done) / static_cast<double>(total)),
                 static_cast<unsigned long long>(done >> 20),
                 static_cast<unsigned long long>(total >> 20));
    if (done == total) std::fputc('\n', stderr);
  };
}

}  // namespace

PreparedWeights prepare_weights_for(Model& model, const ContextParams& params,
                                    const MemoryFlags& flags, bool quiet) {
  MemoryOptions options;
  if (!flags.budget.empty()) options.budget = parse_byte_size(flags.budget);
  options.chunk_bytes = static_cast<uint64_t>(flags.chunk_mb) << 20;
  options.populate = !flags.no_prefetch;
  options.repack = !flags.no_repack;
  if (!quiet) {
    options.progress = progress_bar("mapping weights");
    options.repack_progress = progress_bar("repacking weights");
  }
  PreparedWeights out = prepare_weights(model, params, options);
  if (!quiet && out.plan.any_streamed()) {
    const ResidencyPlan& p = out.plan;
    std::fprintf(stderr,
                 "memory budget %s: %s of weights resident, %s streamed from the file each "
                 "token (at most %s at a time); runtime %s, KV cache %s, scratch %s\n",
                 format_bytes(p.budget).c_str(), format_bytes(p.resident_bytes).c_str(),
                 format_bytes(p.streamed_bytes).c_str(), format_bytes(p.window_bytes).c_str(),
                 format_bytes(p.needs.runtime).c_str(), format_bytes(p.needs.kv_cache).c_str(),
                 format_bytes(p.needs.scratch).c_str());
  }
  return out;
}

std::string memory_report(const PreparedWeights& weights) {
  std::string s = "peak RSS (VmHWM) " + format_bytes(peak_resident_bytes());
  if (weights.plan.budget > 0) s += ", budget " + format_bytes(weights.plan.budget);
  return s;
}

}  // namespace pocket::cli
