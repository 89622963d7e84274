#include "bench_scenarios.h"

#include <cstdio>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "bench_load.h"
#include "core/error.h"
#include "core/page_advice.h"
#include "io/json_guard.h"
#include "runtime/chat_template.h"
#include "runtime/generator.h"

namespace pocket::cli {
namespace {

struct Scenario {
  std::string name;
  std::string prompt;
  bool chat = false;
  int max_tokens = 128;
};

std::vector<Scenario> read_scenarios(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(ErrorCode::kIo, "cannot open scenario file '", path, "'");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const nlohmann::json doc = parse_untrusted_json(text, path);
  POCKET_CHECK(doc.is_object() && doc.contains("scenarios") && doc["scenarios"].is_array() &&
                   !doc["scenarios"].empty(),
               ErrorCode::kFormat, "'", path,
               "': expected {\"scenarios\": [ ... ]} with at least one");
  std::vector<Scenario> out;
  for (size_t i = 0; i < doc["scenarios"].size(); ++i) {
    const nlohmann::json& s = doc["scenarios"][i];
    auto where = [&] { return "'" + path + "': scenarios[" + std::to_string(i) + "]"; };
    POCKET_CHECK(s.is_object(), ErrorCode::kFormat, where(), " is not an object");
    Scenario sc;
    POCKET_CHECK(s.contains("name") && s["name"].is_string(), ErrorCode::kFormat, where(),
                 ": \"name\" must be a string");
    POCKET_CHECK(s.contains("prompt") && s["prompt"].is_string() &&
                     !s["prompt"].get_ref<const std::string&>().empty(),
                 ErrorCode::kFormat, where(), ": \"prompt\" must be a non-empty string");
    sc.name = s["name"].get<std::string>();
    sc.prompt = s["prompt"].get<std::string>();
    if (s.contains("chat")) {
      POCKET_CHECK(s["chat"].is_boolean(), ErrorCode::kFormat, where(),
                   ": \"chat\" must be true or false");
      sc.chat = s["chat"].get<bool>();
    }
    if (s.contains("max_tokens")) {
      POCKET_CHECK(s["max_tokens"].is_number_integer() && s["max_tokens"].get<int64_t>() > 0 &&
                       s["max_tokens"].get<int64_t>() <= 65536,
                   ErrorCode::kFormat, where(), ": \"max_tokens\" must be an integer in 1..65536");
      sc.max_tokens = s["max_tokens"].get<int>();
    }
    out.push_back(std::move(sc));
  }
  return out;
}

std::vector<int32_t> prompt_ids(const LoadedModel& lm, const Scenario& s) {
  if (s.chat && lm.chat_format) {
    const ChatMessage user{"user", s.prompt};
    const std::string text = render_chat(*lm.chat_format, std::span(&user, 1),
                                         /*add_generation_prompt=*/true, lm.bos_text);
    // The rendered template carries its own BOS text.
    return lm.tokenizer->encode(text, /*add_bos=*/false, /*parse_special=*/true);
  }
  return lm.tokenizer->encode(s.prompt, /*add_bos=*/true);
}

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", s);
  return buf;
}

}  // namespace

int run_scenarios(const ScenarioOptions& o) {
  const std::vector<Scenario> scenarios = read_scenarios(o.file);
  if (!o.json) {
    std::printf(
        "| model | weights | scenario | prompt tokens | generated | first load (cold) s | load "
        "(warm) s | time to first token s | prefill t/s | decode t/s | peak RSS |\n"
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  }
  for (const std::string& path : o.models) {
    // The context must hold the longest scenario; the tokenizer is needed to know how long.
    int64_t n_ctx = o.ctx;
    if (n_ctx == 0) {
      const auto tok = load_tokenizer(path);
      for (const Scenario& s : scenarios) {
        const auto n = static_cast<int64_t>(tok->encode(s.prompt, true).size());
        n_ctx = std::max(n_ctx, n + 64 + s.max_tokens);  // 64: the chat template's tokens
      }
    }
    const ContextParams params{.n_ctx = n_ctx,
                               .n_seq_max = 1,
                               .n_threads = o.threads,
                               .kv_type = o.kv_type,
                               .fast_math = o.fast_math};
    const double cached = drop_model_from_cache(path);
    double cold = load_ready(path, params, o.memory)->load_seconds;
    std::string cold_text = seconds(cold);
    if (cached < 0 || cached >= 0.01)
      cold_text += cached < 0 ? " (cache state unknown)"
                              : " (not cold: page cache kept " +
                                    std::to_string(static_cast<int>(100 * cached)) + "%)";
    auto ready = load_ready(path, params, o.memory);
    const double warm = ready->load_seconds;
    const LoadedModel& lm = ready->lm;
    for (const Scenario& s : scenarios) {
      const std::vector<int32_t> ids = prompt_ids(lm, s);
      ready->ctx->kv().clear();
      reset_peak_resident();
      Generator gen(*ready->ctx, *lm.tokenizer);
      GenerateParams p;
      p.max_tokens = s.max_tokens;
      p.sampling.temperature = 0;
      p.ignore_eos = true;
      const GenerateResult r = gen.generate(ids, p, {});
      const double pp = r.n_prompt / r.prefill_seconds;
      // decode_seconds covers max_tokens samplings and max_tokens - 1 forward passes.
      const double tg =
          r.tokens.size() > 1 ? static_cast<double>(r.tokens.size() - 1) / r.decode_seconds : 0.0;
      const uint64_t peak = peak_resident_bytes();
      if (o.json) {
        const nlohmann::json j = {{"model", path},
                                  {"weight_bytes", lm.model->weight_bytes()},
                                  {"scenario", s.name},
                                  {"prompt_tokens", r.n_prompt},
                                  {"generated_tokens", r.tokens.size()},
                                  {"load_cold_s", cold},
                                  {"cold_cached_fraction", cached},
                                  {"load_warm_s", warm},
                                  {"ttft_s", r.prefill_seconds},
                                  {"prefill_tok_s", pp},
                                  {"decode_tok_s", tg},
                                  {"peak_rss_bytes", peak},
                                  {"mem_budget_bytes", ready->weights.plan.budget},
                                  {"threads", ready->ctx->n_threads()}};
        std::printf("%s\n", j.dump().c_str());
      } else {
        std::printf("| %s | %s | %s | %d | %zu | %s | %s | %s | %.1f | %.2f | %s |\n", path.c_str(),
                    format_bytes(lm.model->weight_bytes()).c_str(), s.name.c_str(), r.n_prompt,
                    r.tokens.size(), cold_text.c_str(), seconds(warm).c_str(),
                    seconds(r.prefill_seconds).c_str(), pp, tg, format_bytes(peak).c_str());
      }
      std::fflush(stdout);
    }
  }
  return 0;
}

}  // namespace pocket::cli
