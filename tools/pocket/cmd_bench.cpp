// pocket bench: prompt processing (pp) and text generation (tg) speed like llama-bench, load
// time, time to first token and peak memory; a read-bandwidth probe for the decode roofline; and
// the scenario table (bench_scenarios.h).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <span>
#include <vector>

#include "bench_load.h"
#include "bench_scenarios.h"
#include "commands.h"
#include "core/anon_pages.h"
#include "core/error.h"
#include "core/page_advice.h"
#include "core/thread_pool.h"
#include "default_paths.h"
#include "kernels/gemm.h"
#include "kv_type_flag.h"
#include "runtime/context.h"
#include "runtime/model_loader.h"

namespace pocket::cli {
namespace {

struct BenchOptions {
  std::vector<std::string> models;
  int n_prompt = 512;
  int n_gen = 128;
  int threads = 0;
  int reps = 3;
  bool json = false;
  bool bandwidth = false;
  int depth = 0;  // tokens already in the cache when tg starts (llama-bench's -d)
  KvType kv_type = KvType::kF16;
  bool fast_math = false;
  bool cold = false;      // drop the file from the page cache before the first load
  std::string scenarios;  // a scenario file: print the scenario table instead
  MemoryFlags memory;
};

using Clock = std::chrono::steady_clock;

struct Stats {
  double median = 0, min = 0, max = 0;
};

Stats stats(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v.front(), v.back()};
}

// Reads a buffer much larger than the caches with every thread; the best of a few passes. The
// read is memchr for a byte that is not there: the C library's version streams with the widest
// vector loads this CPU has (a plain C loop compiled for baseline x86-64 would use 16-byte loads
// and could understate the bandwidth, which would overstate our fraction of the roofline). The
// buffer is in huge pages where the system offers them, as the weights are (core/huge_map.h),
// and handed out in chunks to whichever thread is free, as the matrix products are.
// The buffer and threads are made once per command and kept: a tg run with --bandwidth probes
// before and after each run, and writing 1 GB of fresh pages took more time than reading it five
// times.
class BandwidthProbe {
 public:
  explicit BandwidthProbe(int threads)
      : pages_(allocate_pages(kBytes)), pool_(threads), found_(static_cast<size_t>(threads)) {
    std::memset(pages_.get(), 1, kBytes);  // written: every page is backed before timing
  }

  double measure_gbs() {
    const std::span<const uint8_t> buf(static_cast<const uint8_t*>(pages_.get()), kBytes);
    double best = 0;
    for (int pass = 0; pass < 5; ++pass) {
      const auto t0 = Clock::now();
      pool_.parallel_for_dynamic(
          static_cast<int64_t>(kBytes), kChunk, [&](int tid, int64_t b, int64_t e) {
            found_[static_cast<size_t>(tid)] +=
                std::memchr(buf.data() + b, 0xAB, static_cast<size_t>(e - b)) != nullptr;
          });
      const double s = std::chrono::duration<double>(Clock::now() - t0).count();
      best = std::max(best, static_cast<double>(kBytes) / s / 1e9);
    }
    POCKET_CHECK(std::count(found_.begin(), found_.end(), 0) == pool_.size(), ErrorCode::kInternal,
                 "bandwidth probe found a byte it never wrote");
    return best;
  }

 private:
  static constexpr size_t kBytes = size_t{1} << 30;
  static constexpr int64_t kChunk = int64_t{4} << 20;
  std::shared_ptr<void> pages_;
  ThreadPool pool_;
  std::vector<int> found_;
};

std::vector<int32_t> random_tokens(int n, int64_t n_vocab, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int32_t> dist(
      0, static_cast<int32_t>(std::min<int64_t>(n_vocab, 32000) - 1));
  std::vector<int32_t> out(static_cast<size_t>(n));
  for (auto& t : out) t = dist(rng);
  return out;
}

// Evaluates tokens[0, n) from an empty cache in batches of the context's size, logits for the
// last one only.
void prefill(Context& ctx, const std::vector<int32_t>& tokens, int n) {
  ctx.kv().clear();
  Batch b;
  const auto piece = static_cast<int>(ctx.n_batch());
  for (int start = 0; start < n; start += piece) {
    b.clear();
    const int end = std::min(n, start + piece);
    for (int i = start; i < end; ++i) b.add(tokens[static_cast<size_t>(i)], i, 0, i + 1 == end);
    ctx.decode(b);
  }
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Prefill of n tokens. Returns tokens/s.
double run_pp(Context& ctx, int n, uint32_t seed) {
  const auto tokens = random_tokens(n, ctx.model().spec().n_vocab, seed);
  const auto t0 = Clock::now();
  prefill(ctx, tokens, n);
  return n / seconds_since(t0);
}

// n single-token decode steps after `depth` cached tokens (prefilled, not timed), like
// llama-bench's tg. Returns tokens/s.
double run_tg(Context& ctx, int n, int depth, uint32_t seed) {
  const auto tokens = random_tokens(n + depth, ctx.model().spec().n_vocab, seed);
  prefill(ctx, tokens, depth);
  Batch b;
  const auto t0 = Clock::now();
  for (int i = depth; i < depth + n; ++i) {
    b.clear();
    b.add(tokens[static_cast<size_t>(i)], i, 0, true);
    ctx.decode(b);
  }
  return n / seconds_since(t0);
}

// Time from a fresh cache to the first generated token: prefill of n tokens, then the argmax.
double run_ttft(Context& ctx, int n, uint32_t seed) {
  const auto tokens = random_tokens(n, ctx.model().spec().n_vocab, seed);
  const auto t0 = Clock::now();
  prefill(ctx, tokens, n);
  const auto logits = ctx.logits(0);
  volatile auto first = std::max_element(logits.begin(), logits.end()) - logits.begin();
  (void)first;
  return seconds_since(t0);
}

// probe: with --bandwidth, the one probe of the whole command (its 1 GB is written once).
int bench_model(const BenchOptions& o, const std::string& path, int threads,
                BandwidthProbe* probe) {
  const std::string isa(isa_name(active_kernels().isa));
  const ContextParams params{.n_ctx = std::max(o.n_prompt, o.depth + o.n_gen) + 1,
                             .n_seq_max = 1,
                             .n_threads = threads,
                             .kv_type = o.kv_type,
                             .fast_math = o.fast_math};
  // Load time: from opening the file to a context ready for its first token, weights mapped.
  double cached = -2;  // not asked
  if (o.cold) cached = drop_model_from_cache(path);
  auto ready = load_ready(path, params, o.memory);
  const double first_load = ready->load_seconds;
  double warm_load = first_load;
  if (o.cold) {
    ready.reset();
    ready = load_ready(path, params, o.memory);
    warm_load = ready->load_seconds;
  }
  const double ttft = o.n_prompt > 0 ? run_ttft(*ready->ctx, o.n_prompt, 99) : 0.0;
  const Model& m = *ready->lm.model;
  Context& ctx = *ready->ctx;
  const char* kv_name = kv_type_name(o.kv_type);
  auto base_json = [&](const std::string& test) {
    return nlohmann::json{{"model", path},
                          {"size_bytes", m.weight_bytes()},
                          {"n_params", m.n_params()},
                          {"test", test},
                          {"threads", threads},
                          {"isa", isa}};
  };
  if (o.json) {
    auto j = base_json(o.cold ? "load_cold" : "load");
    j["seconds"] = first_load;
    j["repacked_bytes"] = ready->weights.repacked.bytes;
    j["moved_bytes"] = ready->weights.repacked.moved_bytes;
    if (o.cold) j["cached_fraction_after_drop"] = cached;
    std::printf("%s\n", j.dump().c_str());
    if (o.cold) {
      j = base_json("load_warm");
      j["seconds"] = warm_load;
      std::printf("%s\n", j.dump().c_str());
    }
    if (o.n_prompt > 0) {
      j = base_json("ttft" + std::to_string(o.n_prompt));
      j["seconds"] = ttft;
      std::printf("%s\n", j.dump().c_str());
    }
  } else {
    std::printf("%s: load %.2f s", path.c_str(), first_load);
    if (o.cold) {
      if (cached >= 0 && cached < 0.01) {
        std::printf(" cold (page cache dropped), %.2f s warm", warm_load);
      } else {
        std::printf(" (cold asked, but %s), %.2f s warm",
                    cached < 0 ? "the page cache state is unknown"
                               : ("the page cache kept " +
                                  std::to_string(static_cast<int>(100 * cached)) + "% of the file")
                                     .c_str(),
                    warm_load);
      }
    } else {
      std::printf(" (page cache as found)");
    }
    const RepackStats& repacked = ready->weights.repacked;
    if (repacked.bytes > 0)
      std::printf(", %s of weights repacked", format_bytes(repacked.bytes).c_str());
    if (repacked.moved_bytes > 0)
      std::printf(", %s moved into huge pages as they are",
                  format_bytes(repacked.moved_bytes).c_str());
    if (repacked.bytes + repacked.moved_bytes > 0)
      std::printf(" (--no-repack keeps the file layout)");
    if (o.n_prompt > 0)
      std::printf("; time to first token after a %d-token prompt: %.3f s", o.n_prompt, ttft);
    std::printf(
        "\n| model | size | params | isa | threads | test | t/s "
        "|\n|---|---|---|---|---|---|---|\n");
  }
  // roofline: per run, the fraction of the bandwidth roofline, against the higher of the probes
  // just before and just after it (empty without --bandwidth); the median is reported, with the
  // probes' range.
  struct Roofline {
    std::vector<double> fractions, probes_gbs;
  };
  auto report = [&](const std::string& test, const std::vector<double>& samples,
                    const Roofline& roofline) {
    const Stats s = stats(samples);
    const bool has_roofline = !roofline.fractions.empty();
    const Stats f = has_roofline ? stats(roofline.fractions) : Stats{};
    const Stats bw = has_roofline ? stats(roofline.probes_gbs) : Stats{};
    if (o.json) {
      nlohmann::json j = base_json(test);
      j.update({{"tok_s_median", s.median},
                {"tok_s_min", s.min},
                {"tok_s_max", s.max},
                {"kv_type", kv_name},
                {"fast_math", o.fast_math},
                {"kv_bytes", ctx.kv().bytes_allocated()}});
      if (has_roofline) {
        j["roofline_fraction"] = f.median;
        j["bandwidth_gbs_median"] = bw.median;
      }
      std::printf("%s\n", j.dump().c_str());
    } else {
      std::printf("| %s | %.2f GiB | %.2f B | %s | %d | %s | %.2f ± %.2f", path.c_str(),
                  static_cast<double>(m.weight_bytes()) / (1 << 30),
                  static_cast<double>(m.n_params()) / 1e9,
                  (isa + (o.fast_math ? " fast-math" : "")).c_str(), threads, test.c_str(),
                  s.median, (s.max - s.min) / 2);
      if (has_roofline) {
        std::printf(
            " (%.0f%% of the roofline, median of %zu runs each against the higher of the"
            " probes just before and after it: %.1f-%.1f GB/s)",
            100.0 * f.median, roofline.fractions.size(), bw.min, bw.max);
      }
      std::printf(" |\n");
    }
    std::fflush(stdout);
  };
  if (o.n_prompt > 0) {
    run_pp(ctx, std::min(o.n_prompt, 16), 1);  // warm-up: page in the weights
    std::vector<double> v;
    for (int r = 0; r < o.reps; ++r)
      v.push_back(run_pp(ctx, o.n_prompt, static_cast<uint32_t>(r + 1)));
    report("pp" + std::to_string(o.n_prompt), v, {});
    if (!o.json) {
      std::printf("(KV cache %s after pp%d: %.2f MiB allocated)\n", kv_name, o.n_prompt,
                  static_cast<double>(ctx.kv().bytes_allocated()) / (1 << 20));
    }
  }
  if (o.n_gen > 0) {
    run_tg(ctx, 2, 0, 1);
    // Decode reads every weight once per token (the embedding only one row): the roofline is
    // bandwidth / these bytes. The VM's bandwidth drifts by tens of percent within minutes, and
    // sometimes within a run: each run is set against the probes taken right before and right
    // after it (the after of one run is the before of the next), the higher of the two, so a run
    // that straddles a change is not credited with more than 100% of the slow probe's roofline.
    const double bytes_per_token = static_cast<double>(m.weight_bytes()) -
                                   static_cast<double>(m.weights().tok_embd->nbytes) *
                                       (m.weights().output == m.weights().tok_embd ? 0.0 : 1.0);
    std::vector<double> v;
    Roofline roofline;
    double before_gbs = probe ? probe->measure_gbs() : 0.0;
    if (probe) roofline.probes_gbs.push_back(before_gbs);
    for (int r = 0; r < o.reps; ++r) {
      v.push_back(run_tg(ctx, o.n_gen, o.depth, static_cast<uint32_t>(r + 7)));
      if (probe) {
        const double after_gbs = probe->measure_gbs();
        roofline.probes_gbs.push_back(after_gbs);
        roofline.fractions.push_back(v.back() * bytes_per_token /
                                     (std::max(before_gbs, after_gbs) * 1e9));
        before_gbs = after_gbs;
      }
    }
    const std::string depth = o.depth > 0 ? "@d" + std::to_string(o.depth) : "";
    report("tg" + std::to_string(o.n_gen) + depth, v, roofline);
  }
  const uint64_t peak = peak_resident_bytes();
  if (o.json) {
    auto j = base_json("peak_rss");
    j["bytes"] = peak;
    j["mem_budget_bytes"] = ready->weights.plan.budget;
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("%s\n", memory_report(ready->weights).c_str());
  }
  return 0;
}

int bench(const BenchOptions& o) {
  const int threads = o.threads > 0 ? o.threads : ThreadPool::default_threads();
  double bandwidth = 0;
  std::optional<BandwidthProbe> probe;
  if (o.bandwidth) {
    bandwidth = probe.emplace(threads).measure_gbs();
    if (!o.json) std::printf("read bandwidth: %.1f GB/s (%d threads)\n", bandwidth, threads);
  }
  if (o.bandwidth && o.models.empty()) {
    if (o.json)
      std::printf("%s\n",
                  nlohmann::json{{"test", "bandwidth"}, {"threads", threads}, {"gb_s", bandwidth}}
                      .dump()
                      .c_str());
    return 0;
  }
  std::vector<std::string> models = o.models;
  if (models.empty()) models.push_back(default_model_path());
  if (!o.scenarios.empty()) {
    return run_scenarios({.models = models,
                          .file = o.scenarios,
                          .threads = threads,
                          .ctx = 0,
                          .kv_type = o.kv_type,
                          .fast_math = o.fast_math,
                          .memory = o.memory,
                          .json = o.json});
  }
  for (const std::string& path : models) bench_model(o, path, threads, probe ? &*probe : nullptr);
  return 0;
}

}  // namespace

void add_bench_command(CLI::App& app, CommandBody& body) {
  auto o = std::make_shared<BenchOptions>();
  CLI::App* cmd =
      app.add_subcommand("bench", "Prompt processing and generation speed (like llama-bench)");
  cmd->add_option("-m,--model", o->models, "GGUF file or Hugging Face folder (repeat for several)");
  cmd->add_option("-p,--n-prompt", o->n_prompt, "Prompt tokens (pp test; 0 = skip)")
      ->check(CLI::Range(0, 65536))
      ->capture_default_str();
  cmd->add_option("-n,--n-gen", o->n_gen, "Generated tokens (tg test; 0 = skip)")
      ->check(CLI::Range(0, 65536))
      ->capture_default_str();
  cmd->add_option("-t,--threads", o->threads, "Threads; 0 = all cores")->check(CLI::Range(0, 512));
  cmd->add_option("-r,--repetitions", o->reps, "Runs per test (median reported)")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  cmd->add_option("-d,--depth", o->depth,
                  "Tokens in the KV cache before the tg test (untimed prefill)")
      ->check(CLI::Range(0, 65536))
      ->capture_default_str();
  add_kv_type_flag(*cmd, o->kv_type);
  add_fast_math_flag(*cmd, o->fast_math);
  cmd->add_flag("--json", o->json, "One JSON object per test");
  cmd->add_flag("--bandwidth", o->bandwidth,
                "Measure read bandwidth; the tg line then shows its fraction of the roofline (each "
                "run against the higher of the probes taken just before and just after it)");
  cmd->add_flag("--cold", o->cold,
                "Drop the model from the page cache first: time a cold load, then a warm one");
  cmd->add_option("--scenarios", o->scenarios,
                  "Scenario file (benchmarks/scenarios.json): print the load / first token / "
                  "speed / memory table per scenario instead");
  add_memory_flags(*cmd, o->memory);
  cmd->callback([o, &body] { body = [o] { return bench(*o); }; });
}

}  // namespace pocket::cli
