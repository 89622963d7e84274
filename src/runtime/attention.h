// Causal self-attention of one layer over the KV cache, for every token of a batch: each token
// attends to its own sequence's positions 0..its position (keys the batch just wrote included).
//
// Flash-attention style: keys and values are visited in blocks of positions with a running max,
// sum and weighted sum per (token, head) (online softmax, f32), so no score matrix is built. One
// work item is (sequence, KV head, chunk of query tokens): the q heads that share the KV head and
// the chunk's tokens all use each block of K/V rows while it is in cache, so a row is read from
// memory once per item. When there are fewer items than threads (decode of one sequence), each
// item's positions are also split into parts whose partial (max, sum, acc) are merged at the end.
#pragma once

#include <cstdint>

#include "core/thread_pool.h"
#include "kernels/gemm.h"
#include "model/model_spec.h"
#include "runtime/batch.h"
#include "runtime/kv_cache.h"

namespace pocket {

struct AttentionOptions {
  int64_t key_block = 64;               // positions per online-softmax step
  int64_t query_chunk = 16;             // query tokens of one sequence per work item
  int64_t split_min_keys = 512;         // split positions across threads only from this many keys
  const AttnKernel* kernels = nullptr;  // null: active_kernels().attn[kv.type()]
  ExpFn exp = nullptr;                  // softmax exp; null: active_kernels().exp
};

// q: n_tokens rows of n_head * head_dim (RoPE applied); out: same shape.
void attention(const ModelSpec& spec, const Batch& batch, int64_t layer, const KvCache& kv,
               const float* q, float* out, ThreadPool& pool, const AttentionOptions& options = {});

}  // namespace pocket
