// Puts a loaded model's weights in memory for a context: plans what stays resident under an
// optional memory budget (runtime/residency_plan.h), maps the resident weights in before the
// first token, chunk by chunk, and returns the streamer that handles the rest.
#pragma once

#include <cstdint>
#include <memory>

#include "model/model.h"
#include "runtime/context.h"
#include "runtime/residency_plan.h"
#include "runtime/weight_repack.h"
#include "runtime/weight_streamer.h"

namespace pocket {

struct MemoryOptions {
  uint64_t budget = 0;                  // peak resident bytes to stay under; 0: no budget
  uint64_t chunk_bytes = 512ull << 20;  // most bytes mapped in at a time while loading
  bool populate = true;                 // map resident weights in now rather than at first use
  // Repack the resident matrices into this CPU's faster layout (runtime/weight_repack.h), where
  // it has one (AVX-512: Q4_0, Q8_0, PQ4/PQ8 g64/g128, Q4_K, F16, BF16; AVX2: Q4_0, Q8_0, PQ4,
  // Q4_K): decode ~10% faster (Q4_K_M ~20%, AVX2 13-26%), F16/BF16 and AVX2 prefill ~1.5-2.2x,
  // for a load that copies those matrices once (docs/MEMORY.md has the figures); where anything
  // is repacked, the other resident matrices are moved into the same huge pages as they are.
  // A no-op on ARM64.
  bool repack = true;
  LoadProgress progress;         // (done, total) after each chunk
  LoadProgress repack_progress;  // (done, total) after each repacked matrix
};

struct PreparedWeights {
  ResidencyPlan plan;
  std::unique_ptr<WeightStreamer> streamer;  // null when nothing is streamed
  uint64_t populated_bytes = 0;
  RepackStats repacked;
};

// Call after load_model() and before the context is made; pass result.streamer.get() as
// ContextParams::streamer. Throws Error(kInvalidArgument) before touching any weight when the
// budget is below what the model needs (each term named).
// Repacking changes the model's tensor views: every context of this model then reads the
// repacked layout.
PreparedWeights prepare_weights(Model& model, const ContextParams& params,
                                const MemoryOptions& options);

}  // namespace pocket
