// Causal self-attention of one layer over the KV cache, for every token of a batch: each token
// attends to its own sequence's positions 0..its position (keys the batch just wrote included).
#pragma once

#include <cstdint>

#include "core/thread_pool.h"
#include "model/model_spec.h"
#include "runtime/batch.h"
#include "runtime/kv_cache.h"

namespace pocket {

// q: n_tokens rows of n_head * head_dim (RoPE applied); out: same shape.
void attention(const ModelSpec& spec, const Batch& batch, int64_t layer, const KvCache& kv,
               const float* q, float* out, ThreadPool& pool);

}  // namespace pocket
