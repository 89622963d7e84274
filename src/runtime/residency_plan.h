// Which weights stay resident under a memory budget, and which are streamed from the file layer
// by layer (runtime/weight_streamer.h). The forward pass reads the weights in units: each block's
// matrices, then the output projection; a streamed unit is mapped in when its turn comes and
// released after, so at most one streamed unit is resident at a time.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "model/model.h"

namespace pocket {

struct WeightUnit {
  std::string name;                               // "block 3", "output"
  std::vector<std::span<const uint8_t>> tensors;  // mapped weight data read by this unit
  uint64_t bytes = 0;
};

// Units in the order the forward pass reads them: blocks 0..n_layer-1, then the output matrix
// (the token embedding when the output is tied to it).
std::vector<WeightUnit> weight_units(const Model& model);

// What the process needs besides the weights, in bytes.
struct MemoryNeeds {
  uint64_t runtime = 0;   // resident before any weight is read: code, libraries, tokenizer, header
  uint64_t kv_cache = 0;  // when full
  uint64_t scratch = 0;   // the contexts' arenas
  uint64_t embedding_rows = 0;    // token-embedding rows the context's tokens may touch
  uint64_t margin = 64ull << 20;  // thread stacks, heap growth, kernels' scratch
  uint64_t total() const { return runtime + kv_cache + scratch + embedding_rows + margin; }
};

struct ResidencyPlan {
  uint64_t budget = 0;  // 0: no budget, everything resident
  MemoryNeeds needs;
  std::vector<bool> streamed;  // per unit (weight_units order)
  uint64_t resident_bytes = 0;
  uint64_t streamed_bytes = 0;  // read from the file again on every forward pass
  uint64_t window_bytes = 0;    // the largest streamed unit
  uint64_t minimum_bytes = 0;   // the smallest budget this model can run in
  bool any_streamed() const { return streamed_bytes > 0; }
};

// Keeps the most weight bytes resident such that needs + resident + the largest streamed unit
// fits the budget (budget 0: all resident). Throws Error(kInvalidArgument) when the budget is
// below the minimum (needs + the largest unit), with each term in the message.
ResidencyPlan plan_residency(const Model& model, uint64_t budget, const MemoryNeeds& needs);

// "3.8G" (10^9), "3800M", "3.5GiB" (2^30), "512MiB", or bytes. Throws Error(kInvalidArgument)
// naming the text when it is not a size.
uint64_t parse_byte_size(const std::string& text);
// "3.80 GB" style, for messages.
std::string format_bytes(uint64_t bytes);

}  // namespace pocket
