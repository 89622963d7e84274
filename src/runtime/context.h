// An inference context: a model, its KV cache and scratch memory. decode() runs one forward
// pass over a Batch that may mix sequences and lengths (prefill and decode alike).
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "core/thread_pool.h"
#include "model/model.h"
#include "runtime/activation_observer.h"
#include "runtime/batch.h"
#include "runtime/kv_cache.h"

namespace pocket {

struct ContextParams {
  int64_t n_ctx = 0;  // positions per sequence; 0: the model's training context, at most 4096
  int n_seq_max = 1;  // sequences that can be live at once
  int n_threads = 0;  // 0: every core this process may use
  KvType kv_type = KvType::kF16;  // KV cache storage (runtime/kv_cache.h)
};

class Context {
 public:
  Context(const Model& model, ContextParams params);

  const Model& model() const { return model_; }
  KvCache& kv() { return kv_; }
  const KvCache& kv() const { return kv_; }
  int n_threads() const { return pool_.size(); }

  // Runs the forward pass. Each token's position must be the next one of its sequence (the
  // sequence's current length, then +1 for each later token of it in the batch). Throws
  // Error(kInvalidArgument / kOutOfRange) naming the offending batch entry; the cache is left
  // unchanged when the batch is rejected.
  void decode(const Batch& batch);

  // Logits of the i-th token that asked for them, in batch order.
  int n_outputs() const { return n_outputs_; }
  std::span<const float> logits(int i) const;

  // Sees the input of every linear layer in later decode() calls (null: none). Not owned.
  void set_observer(ActivationObserver* observer) { observer_ = observer; }

 private:
  void validate(const Batch& batch) const;
  void for_tokens(int64_t n, int64_t width, const std::function<void(int64_t)>& fn);
  void fill_rope_tables(const Batch& batch);

  const Model& model_;
  const ModelSpec& spec_;
  ThreadPool pool_;
  KvCache kv_;
  std::vector<float> inv_freq_;

  // Scratch, sized for the largest batch seen so far.
  std::vector<float> x_, xn_, q_, k_, v_, attn_, gate_, up_, logits_;
  std::vector<float> rope_cos_, rope_sin_;  // per token: head_dim / 2 each
  std::vector<int64_t> out_rows_;           // tokens that asked for logits
  int n_outputs_ = 0;
  ActivationObserver* observer_ = nullptr;
};

}  // namespace pocket
