// An inference context: a model, its KV cache and scratch memory. decode() runs one forward
// pass over a Batch that may mix sequences and lengths (prefill and decode alike).
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "core/function_ref.h"
#include "core/thread_pool.h"
#include "model/model.h"
#include "runtime/activation_observer.h"
#include "runtime/batch.h"
#include "runtime/kv_cache.h"
#include "runtime/weight_streamer.h"

namespace pocket {

struct ContextParams {
  int64_t n_ctx = 0;  // positions per sequence; 0: the model's training context, at most 4096
  int n_seq_max = 1;  // sequences that can be live at once
  int n_threads = 0;  // 0: every core this process may use
  KvType kv_type = KvType::kF16;  // KV cache storage (runtime/kv_cache.h)
  // Cheaper exp for the attention softmax and SiLU (KernelSet::exp_fast, relative error < 1e-4
  // instead of a few ulp). Costs and gains: docs/ARCHITECTURE.md, "Fast math".
  bool fast_math = false;
  // Most tokens one decode() call takes; the scratch arena is sized for it once, here. Longer
  // prompts are fed in pieces of this size (Generator does it).
  int64_t n_batch = 512;
  // Streams the weights that do not fit a memory budget (runtime/weight_streamer.h); null: all
  // weights stay mapped. Not owned; must outlive the context.
  WeightStreamer* streamer = nullptr;
};

class Context {
 public:
  Context(const Model& model, ContextParams params);

  // Bytes of scratch a context with these parameters allocates (the arena; the logits of one
  // output row included), for memory planning before one exists.
  static uint64_t scratch_bytes(const ModelSpec& spec, const ContextParams& params);
  // The context size these parameters give (n_ctx 0: the model's training context, at most 4096).
  static int64_t resolved_ctx(const ModelSpec& spec, const ContextParams& params);

  const Model& model() const { return model_; }
  int64_t n_batch() const { return n_batch_; }
  KvCache& kv() { return kv_; }
  const KvCache& kv() const { return kv_; }
  int n_threads() const { return pool_.size(); }
  bool fast_math() const { return fast_math_; }

  // Runs the forward pass. At most n_batch() tokens. Each token's position must be the next one of
  // its sequence (the sequence's current length, then +1 for each later token of it in the batch).
  // Throws Error(kInvalidArgument / kOutOfRange) naming the offending batch entry; the cache is
  // left unchanged when the batch is rejected.
  void decode(const Batch& batch);

  // Logits of the i-th token that asked for them, in batch order.
  int n_outputs() const { return n_outputs_; }
  std::span<const float> logits(int i) const;

  // Sees the input of every linear layer in later decode() calls (null: none). Not owned.
  void set_observer(ActivationObserver* observer) { observer_ = observer; }

 private:
  void validate(const Batch& batch);
  void for_tokens(int64_t n, int64_t width, FunctionRef<void(int64_t)> fn);
  void fill_rope_tables(const Batch& batch);

  const Model& model_;
  const ModelSpec& spec_;
  ThreadPool pool_;
  KvCache kv_;
  std::vector<float> inv_freq_;

  // Scratch: one arena sized for n_batch tokens when the context is made, so that decode() does
  // not allocate (its pages are touched only as batches use them). Logits grow with the number
  // of rows asked for (one row is reserved up front).
  int64_t n_batch_;
  std::unique_ptr<float[]> arena_;
  float *x_, *xn_, *q_, *k_, *v_, *attn_, *gate_, *up_;
  float *rope_cos_, *rope_sin_;  // per token: head_dim / 2 each
  std::vector<float> logits_;
  std::vector<int64_t> out_rows_;  // tokens that asked for logits (capacity n_batch)
  std::vector<int64_t> next_pos_;  // validate(): next position per sequence
  int n_outputs_ = 0;
  WeightStreamer* streamer_;
  ActivationObserver* observer_ = nullptr;
  bool fast_math_;
};

}  // namespace pocket
