#include "runtime/residency_plan.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "core/error.h"

namespace pocket {
namespace {

void add(WeightUnit& unit, const TensorView* t) {
  if (!t || t->nbytes < 4096) return;  // norms and biases are f32 copies on the heap
  unit.tensors.emplace_back(static_cast<const uint8_t*>(t->data), t->nbytes);
  unit.bytes += t->nbytes;
}

}  // namespace

std::vector<WeightUnit> weight_units(const Model& model) {
  const ModelWeights& w = model.weights();
  std::vector<WeightUnit> units;
  for (size_t l = 0; l < w.layers.size(); ++l) {
    const LayerWeights& lw = w.layers[l];
    WeightUnit u;
    u.name = "block " + std::to_string(l);
    for (const TensorView* t : {lw.wq, lw.wk, lw.wv, lw.wo, lw.w_gate, lw.w_up, lw.w_down})
      add(u, t);
    units.push_back(std::move(u));
  }
  WeightUnit out;
  out.name = w.output == w.tok_embd ? "output (tied embedding)" : "output";
  add(out, w.output);
  units.push_back(std::move(out));
  return units;
}

ResidencyPlan plan_residency(const Model& model, uint64_t budget, const MemoryNeeds& needs) {
  const std::vector<WeightUnit> units = weight_units(model);
  ResidencyPlan plan;
  plan.budget = budget;
  plan.needs = needs;
  plan.streamed.assign(units.size(), false);
  uint64_t total = 0, largest = 0;
  size_t largest_at = 0;
  for (size_t i = 0; i < units.size(); ++i) {
    total += units[i].bytes;
    if (units[i].bytes > largest) largest = units[i].bytes, largest_at = i;
  }
  plan.minimum_bytes = needs.total() + largest;
  plan.resident_bytes = total;
  if (budget == 0 || needs.total() + total <= budget) return plan;
  if (budget < plan.minimum_bytes) {
    fail(ErrorCode::kInvalidArgument, "memory budget ", format_bytes(budget),
         " is below the minimum this model needs, ", format_bytes(plan.minimum_bytes), ": runtime ",
         format_bytes(needs.runtime), " + KV cache ", format_bytes(needs.kv_cache), " + scratch ",
         format_bytes(needs.scratch), " + embedding rows ", format_bytes(needs.embedding_rows),
         " + margin ", format_bytes(needs.margin), " + the largest weight unit (",
         units[largest_at].name, ") ", format_bytes(largest),
         ", which must be resident while it is used (try a smaller --ctx or a smaller model)");
  }
  // The output matrix is the biggest unit of these models: keeping it resident lets the window
  // shrink to one block. Try both; keep the first k blocks resident, stream the rest.
  const size_t n_blocks = units.size() - 1;
  uint64_t best_resident = 0;
  std::vector<bool> best(units.size(), true);
  for (bool output_resident : {true, false}) {
    uint64_t resident = output_resident ? units.back().bytes : 0;
    for (size_t k = 0; k <= n_blocks; ++k) {
      if (k > 0) resident += units[k - 1].bytes;
      uint64_t window = output_resident ? 0 : units.back().bytes;
      for (size_t i = k; i < n_blocks; ++i) window = std::max(window, units[i].bytes);
      if (needs.total() + resident + window > budget) continue;
      if (resident >= best_resident) {
        best_resident = resident;
        for (size_t i = 0; i < n_blocks; ++i) best[i] = i >= k;
        best.back() = !output_resident;
      }
    }
  }
  plan.streamed = best;
  plan.resident_bytes = 0;
  for (size_t i = 0; i < units.size(); ++i) {
    if (plan.streamed[i]) {
      plan.streamed_bytes += units[i].bytes;
      plan.window_bytes = std::max(plan.window_bytes, units[i].bytes);
    } else {
      plan.resident_bytes += units[i].bytes;
    }
  }
  return plan;
}

uint64_t parse_byte_size(const std::string& text) {
  size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  std::string unit = text.substr(used);
  for (char& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  double scale = 0;
  if (unit.empty() || unit == "B") scale = 1;
  if (unit == "K" || unit == "KB") scale = 1e3;
  if (unit == "M" || unit == "MB") scale = 1e6;
  if (unit == "G" || unit == "GB") scale = 1e9;
  if (unit == "KIB") scale = 1024.0;
  if (unit == "MIB") scale = 1024.0 * 1024;
  if (unit == "GIB") scale = 1024.0 * 1024 * 1024;
  POCKET_CHECK(used > 0 && scale > 0 && std::isfinite(value) && value > 0 && value * scale < 1e18,
               ErrorCode::kInvalidArgument, "'", text,
               "' is not a memory size (examples: 3.8G, 3800M, 3.5GiB, 512MiB)");
  return static_cast<uint64_t>(value * scale);
}

std::string format_bytes(uint64_t bytes) {
  char buf[32];
  if (bytes >= 1000000000ull) {
    std::snprintf(buf, sizeof buf, "%.2f GB", static_cast<double>(bytes) / 1e9);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / 1e6);
  }
  return buf;
}

}  // namespace pocket
