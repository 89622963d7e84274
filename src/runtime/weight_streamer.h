// Runs a model under a memory budget (runtime/residency_plan.h): the context calls it around each
// unit of weights it reads. A streamed unit is mapped in (from the page cache or the file) when
// its turn comes, the next streamed unit's file pages are prefetched in the background, and the
// unit is released from this process's memory when the pass is done with it.
//
// Also the load-time population of resident weights, in chunks.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "model/model.h"
#include "runtime/residency_plan.h"

namespace pocket {

class WeightStreamer {
 public:
  WeightStreamer(const Model& model, ResidencyPlan plan);

  const ResidencyPlan& plan() const { return plan_; }

  // Unit u of weight_units(): a block index, or n_layer for the output projection.
  void before_unit(int64_t u);
  void after_unit(int64_t u);

 private:
  std::vector<WeightUnit> units_;
  ResidencyPlan plan_;
};

// Called with (bytes done, bytes total) after each chunk.
using LoadProgress = std::function<void(uint64_t, uint64_t)>;

// Maps the resident weights into memory before the first token (reading them from the file when
// they are not in the page cache), at most chunk_bytes at a time so progress can be shown and a
// cold read is spread evenly. plan null: every weight. Returns the bytes populated.
uint64_t populate_weights(const Model& model, const ResidencyPlan* plan, uint64_t chunk_bytes,
                          const LoadProgress& progress = {});

}  // namespace pocket
