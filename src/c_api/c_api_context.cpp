// Contexts: the KV cache and the forward pass over a batch of tokens from several sequences.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>

#include "c_api_guard.h"
#include "c_api_handles.h"

using pocket::capi::guard;
using pocket::capi::guard_value;
using pocket::capi::require;

namespace {

void require_seq(const pocket_context* ctx, int32_t seq_id) {
  require(ctx != nullptr, "ctx is NULL");
  const int n_seq = ctx->ctx.kv().n_seq_max();
  require(seq_id >= 0 && seq_id < n_seq, "seq_id ", seq_id, " is outside 0..", n_seq - 1);
}

}  // namespace

extern "C" {

pocket_context_params pocket_context_default_params(void) {
  pocket_context_params p{};
  p.n_ctx = 0;
  p.n_seq_max = 1;
  p.n_threads = 0;
  p.fast_math = 0;
  return p;
}

pocket_status pocket_context_create(const pocket_model* model, pocket_context_params params,
                                    pocket_context** out_ctx) {
  return guard("pocket_context_create", [&] {
    require(out_ctx != nullptr, "out_ctx is NULL");
    *out_ctx = nullptr;
    require(model != nullptr, "model is NULL");
    require(params.n_ctx >= 0, "params.n_ctx is ", params.n_ctx, " (0 means the model's)");
    require(params.n_seq_max >= 0, "params.n_seq_max is ", params.n_seq_max, " (0 means 1)");
    require(params.n_threads >= 0, "params.n_threads is ", params.n_threads,
            " (0 means all cores)");
    pocket::ContextParams cp;
    cp.n_ctx = params.n_ctx;
    cp.n_seq_max = params.n_seq_max == 0 ? 1 : params.n_seq_max;
    cp.n_threads = params.n_threads;
    cp.fast_math = params.fast_math != 0;
    // Any batch that fits the context is accepted (the arena's pages are touched only as used).
    cp.n_batch = std::max<int64_t>(cp.n_batch, params.n_ctx > 0 ? params.n_ctx : 4096);
    *out_ctx = new pocket_context(model->loaded, cp);
    return POCKET_OK;
  });
}

void pocket_context_free(pocket_context* ctx) {
  delete ctx;
}

pocket_status pocket_decode(pocket_context* ctx, const int32_t* tokens, const int32_t* positions,
                            const int32_t* seq_ids, const int8_t* want_logits, size_t n) {
  return guard("pocket_decode", [&] {
    require(ctx != nullptr, "ctx is NULL");
    ctx->has_logits = false;
    require(n > 0, "n is 0 (nothing to decode)");
    require(n <= static_cast<size_t>(std::numeric_limits<int32_t>::max()), "n is ", n,
            ", more than a batch can hold");
    require(tokens != nullptr, "tokens is NULL");
    require(positions != nullptr, "positions is NULL");
    require(seq_ids != nullptr, "seq_ids is NULL");
    pocket::Batch& batch = ctx->batch;
    batch.clear();
    for (size_t i = 0; i < n; ++i) {
      const bool logits = want_logits ? want_logits[i] != 0 : i + 1 == n;
      batch.add(tokens[i], positions[i], seq_ids[i], logits);
    }
    // Context::decode checks ids, positions and room, naming the batch entry at fault.
    ctx->ctx.decode(batch);
    ctx->has_logits = true;
    return POCKET_OK;
  });
}

const float* pocket_get_logits(pocket_context* ctx, int32_t i) {
  return guard_value("pocket_get_logits", static_cast<const float*>(nullptr), [&] {
    require(ctx != nullptr, "ctx is NULL");
    require(ctx->has_logits,
            "there are no logits: no pocket_decode has succeeded since the "
            "context was created or the last one failed");
    const int n_out = ctx->ctx.n_outputs();
    require(i >= 0 && i < n_out, "i is ", i, " but the last decode kept logits for ", n_out,
            " token(s)");
    return ctx->ctx.logits(i).data();
  });
}

int32_t pocket_seq_length(const pocket_context* ctx, int32_t seq_id) {
  return guard_value("pocket_seq_length", int32_t{-1}, [&] {
    require_seq(ctx, seq_id);
    return static_cast<int32_t>(ctx->ctx.kv().seq_len(seq_id));
  });
}

pocket_status pocket_seq_truncate(pocket_context* ctx, int32_t seq_id, int32_t n_keep) {
  return guard("pocket_seq_truncate", [&] {
    require_seq(ctx, seq_id);
    require(n_keep >= 0, "n_keep is ", n_keep, " (must be >= 0)");
    ctx->ctx.kv().truncate(seq_id, n_keep);
    return POCKET_OK;
  });
}

}  // extern "C"
