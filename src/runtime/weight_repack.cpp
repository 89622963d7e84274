#include "runtime/weight_repack.h"

#include <cstring>
#include <memory>
#include <vector>

#include "core/anon_pages.h"
#include "core/error.h"
#include "core/file_region.h"
#include "core/page_advice.h"
#include "core/thread_pool.h"
#include "kernels/gemm.h"
#include "kernels/repack_x16.h"

namespace pocket {
namespace {

constexpr size_t kArenaAlign = 4096;  // each matrix starts on its own page

// The x16 type to repack a `source` matrix into, or nothing when this CPU's kernels gain nothing
// from it (no x16 type, or no SIMD kernel for it).
std::optional<DType> x16_target(DType source) {
  const std::optional<DType> x16 = x16_type_for(source);
  if (!x16) return std::nullopt;
  const GemmKernel* kern = active_kernels().find(*x16);
  const GemmKernel* scalar = kernels_for(Isa::kScalar)->find(*x16);
  if (kern == nullptr || (scalar != nullptr && kern->fn == scalar->fn)) return std::nullopt;
  return x16;
}

// The same for one matrix, which must also be whole 16-row groups.
std::optional<DType> repack_target(const TensorView& t) {
  if (t.n_rows() % kX16Rows != 0) return std::nullopt;
  return x16_target(t.type);
}

// One matrix to rewrite: into an x16 type, or its own type when it is moved as it is.
struct Job {
  const TensorView* t;
  DType target;
  bool mapped;  // its bytes are in a file mapping (then released after the copy)
};

}  // namespace

std::vector<DType> repacked_types() {
  std::vector<DType> out;
  for (uint32_t id = 0; id < kMaxTypeId; ++id) {
    const auto type = static_cast<DType>(id);
    if (dtype_info(id) && x16_target(type)) out.push_back(type);
  }
  return out;
}

RepackStats repack_weights(Model& model, const ResidencyPlan* plan, int n_threads,
                           const LoadProgress& progress) {
  POCKET_CHECK(n_threads > 0, ErrorCode::kInvalidArgument, "repack needs at least one thread");
  const ModelWeights& w = model.weights();
  // Units in weight_units() order: blocks, then the output.
  std::vector<const TensorView*> todo;
  for (size_t l = 0; l < w.layers.size(); ++l) {
    if (plan && plan->streamed[l]) continue;
    const LayerWeights& lw = w.layers[l];
    for (const TensorView* t : {lw.wq, lw.wk, lw.wv, lw.wo, lw.w_gate, lw.w_up, lw.w_down}) {
      if (t) todo.push_back(t);
    }
  }
  if (w.output != w.tok_embd && !(plan && plan->streamed.back())) todo.push_back(w.output);

  const bool move_the_rest = !repacked_types().empty();
  uint64_t total = 0;
  std::vector<Job> jobs;
  for (const TensorView* t : todo) {
    const std::optional<DType> x16 = repack_target(*t);
    const std::optional<FileRegion> region = find_file_region(t->data);
    const bool mapped = region && region->available >= t->nbytes;
    // Moved only out of a file mapping: a matrix already in anonymous memory (an in-memory
    // model) cannot be released, so a copy would hold it twice.
    if (!x16 && !(move_the_rest && mapped)) continue;
    jobs.push_back({t, x16 ? *x16 : t->type, mapped});
    total += t->nbytes;
  }
  RepackStats stats;
  if (jobs.empty()) return stats;
  // One arena for every repacked matrix: transparent huge pages only back whole, aligned 2 MB
  // extents, so a buffer per matrix would leave every matrix under 2 MB (the attention
  // projections of a 1.5B model) and the tail of every other one in 4 KB pages. Measured: 516 of
  // 750 MB in huge pages with one buffer per matrix, and decode pays for every 4 KB page walk.
  std::vector<size_t> offsets;
  size_t arena_bytes = 0;
  for (const auto& job : jobs) {
    offsets.push_back(arena_bytes);
    arena_bytes += (job.t->nbytes + kArenaAlign - 1) / kArenaAlign * kArenaAlign;
  }
  const std::shared_ptr<void> arena = allocate_pages(arena_bytes);
  ThreadPool pool(n_threads);
  for (size_t j = 0; j < jobs.size(); ++j) {
    const auto& [t, target, mapped] = jobs[j];
    void* raw = static_cast<uint8_t*>(arena.get()) + offsets[j];
    std::shared_ptr<void> buffer(arena, raw);  // shares the arena's lifetime
    const auto* src = static_cast<const uint8_t*>(t->data);
    auto* dst = static_cast<uint8_t*>(raw);
    const size_t stride = t->row_nbytes();
    const int64_t k = t->ne[0];
    const DType source = t->type;
    // A file mapping is mapped in with one call (not a page fault per 4 KB read) and released
    // after; anonymous memory (in-memory models) is left alone: released, it would read as zeros.
    if (mapped) populate_pages(src, t->nbytes);
    const bool moved = target == source;
    if (moved) {
      pool.parallel_for(t->n_rows(), [&](int, int64_t begin, int64_t end) {
        const size_t at = static_cast<size_t>(begin) * stride;
        std::memcpy(dst + at, src + at, static_cast<size_t>(end - begin) * stride);
      });
    } else {
      pool.parallel_for(t->n_rows() / kX16Rows, [&](int, int64_t begin, int64_t end) {
        const size_t at = static_cast<size_t>(begin) * kX16Rows * stride;
        repack_x16(source, src + at, stride, (end - begin) * kX16Rows, k, dst + at);
      });
    }
    if (mapped) release_pages(src, t->nbytes);
    model.replace_tensor_data(t, target, raw, std::move(buffer));
    ++(moved ? stats.moved_tensors : stats.tensors);
    (moved ? stats.moved_bytes : stats.bytes) += t->nbytes;
    if (progress) progress(stats.bytes + stats.moved_bytes, total);
  }
  return stats;
}

}  // namespace pocket
