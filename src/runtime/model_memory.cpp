#include "runtime/model_memory.h"

#include "core/page_advice.h"
#include "core/thread_pool.h"

namespace pocket {

PreparedWeights prepare_weights(Model& model, const ContextParams& params,
                                const MemoryOptions& options) {
  const ModelSpec& spec = model.spec();
  const int64_t n_ctx = Context::resolved_ctx(spec, params);
  MemoryNeeds needs;
  needs.runtime = resident_bytes();
  needs.kv_cache = KvCache::bytes_when_full(spec, n_ctx, params.n_seq_max, params.kv_type);
  needs.scratch = Context::scratch_bytes(spec, params);
  const ModelWeights& w = model.weights();
  if (w.output != w.tok_embd) {
    needs.embedding_rows =
        static_cast<uint64_t>(n_ctx) * params.n_seq_max * w.tok_embd->row_nbytes();
  }
  PreparedWeights out;
  out.plan = plan_residency(model, options.budget, needs);
  if (options.repack) {
    const int threads = params.n_threads > 0 ? params.n_threads : ThreadPool::default_threads();
    out.repacked = repack_weights(model, &out.plan, threads, options.repack_progress);
  }
  if (options.populate) {
    out.populated_bytes = populate_weights(model, &out.plan, options.chunk_bytes, options.progress);
  }
  if (out.plan.any_streamed()) out.streamer = std::make_unique<WeightStreamer>(model, out.plan);
  return out;
}

}  // namespace pocket
