#include "runtime/weight_streamer.h"

#include <algorithm>

#include "core/error.h"
#include "core/page_advice.h"

namespace pocket {

WeightStreamer::WeightStreamer(const Model& model, ResidencyPlan plan)
    : units_(weight_units(model)), plan_(std::move(plan)) {
  POCKET_CHECK(plan_.streamed.size() == units_.size(), ErrorCode::kInternal, "residency plan has ",
               plan_.streamed.size(), " units, the model ", units_.size());
}

void WeightStreamer::before_unit(int64_t u) {
  const auto i = static_cast<size_t>(u);
  // Start reading the next streamed unit's pages into the page cache while this one computes.
  for (size_t j = 1; j < units_.size(); ++j) {
    const size_t next = (i + j) % units_.size();
    if (!plan_.streamed[next]) continue;
    for (const auto& t : units_[next].tensors) prefetch_pages(t.data(), t.size());
    break;
  }
  if (!plan_.streamed[i]) return;
  // One call maps the whole unit: cheaper than the compute threads faulting page by page.
  for (const auto& t : units_[i].tensors) populate_pages(t.data(), t.size());
}

void WeightStreamer::after_unit(int64_t u) {
  const auto i = static_cast<size_t>(u);
  if (!plan_.streamed[i]) return;
  for (const auto& t : units_[i].tensors) release_pages(t.data(), t.size());
}

uint64_t populate_weights(const Model& model, const ResidencyPlan* plan, uint64_t chunk_bytes,
                          const LoadProgress& progress) {
  POCKET_CHECK(chunk_bytes > 0, ErrorCode::kInvalidArgument, "chunk size must be positive");
  const std::vector<WeightUnit> units = weight_units(model);
  std::vector<std::span<const uint8_t>> todo;
  uint64_t total = 0;
  for (size_t i = 0; i < units.size(); ++i) {
    if (plan && plan->streamed[i]) continue;
    for (const auto& t : units[i].tensors) {
      todo.push_back(t);
      total += t.size();
    }
  }
  // Weights the units do not cover but the pass reads every token: none (the token embedding is
  // read a row at a time and faults in what it needs).
  std::sort(todo.begin(), todo.end(),
            [](const auto& a, const auto& b) { return a.data() < b.data(); });
  uint64_t done = 0;
  for (const auto& t : todo) {
    for (uint64_t off = 0; off < t.size(); off += chunk_bytes) {
      const uint64_t n = std::min<uint64_t>(chunk_bytes, t.size() - off);
      populate_pages(t.data() + off, n);
      done += n;
      if (progress) progress(done, total);
    }
  }
  return done;
}

}  // namespace pocket
