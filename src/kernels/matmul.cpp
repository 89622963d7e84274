#include "kernels/matmul.h"

#include <algorithm>
#include <array>
#include <vector>

#include "core/error.h"
#include "kernels/gemm.h"
#include "kernels/ref/dequant.h"

namespace pocket {
namespace {

constexpr size_t kMaxOutputs = 8;
constexpr int64_t kMinChunkBytes = 32 * 1024;

constexpr size_t kInt8Formats = 2;
constexpr std::array<ActFormat, kInt8Formats> kInt8FormatOf = {ActFormat::kQ8, ActFormat::kQ8G128};
size_t int8_slot(ActFormat f) {
  return f == ActFormat::kQ8G128 ? 1 : 0;
}

struct Job {
  const GemmKernel* kern;
  GemmArgs args;
  int64_t n_rows;
  int64_t first_tile;  // tiles of earlier outputs
};

}  // namespace

void matmul_many(std::span<const MatmulOutput> outputs, const float* x, int64_t x_stride,
                 int64_t n_tokens, ThreadPool& pool) {
  POCKET_CHECK(!outputs.empty() && outputs.size() <= kMaxOutputs, ErrorCode::kInternal,
               "matmul_many takes 1..", kMaxOutputs, " outputs");
  const KernelSet& ks = active_kernels();
  const int64_t k = outputs[0].w->ne[0];
  std::array<Job, kMaxOutputs> jobs;
  // The int8 formats the kernels ask for (kernels of group-128 weights want theirs, the others
  // blocks of 32): each is made once, shared by all threads and outputs.
  std::array<bool, kInt8Formats> wanted{};
  int64_t n_tiles = 0;
  for (size_t i = 0; i < outputs.size(); ++i) {
    const TensorView& w = *outputs[i].w;
    POCKET_CHECK(w.ne[0] == k, ErrorCode::kInternal, "tensor '", w.name, "' has rows of ", w.ne[0],
                 " but shares an input of ", k);
    const GemmKernel* kern = ks.find(w.type);
    POCKET_CHECK(kern != nullptr, ErrorCode::kUnsupported, "no matrix kernel for tensor '", w.name,
                 "' of type ", dtype_name(w.type));
    if (is_int8(kern->act)) {
      const int64_t span = kern->act == ActFormat::kQ8G128 ? kActSpan128 * kActBlock : kActBlock;
      POCKET_CHECK(k % span == 0, ErrorCode::kUnsupported, "tensor '", w.name, "' has rows of ", k,
                   ", not a multiple of ", span);
      wanted[int8_slot(kern->act)] = true;
    }
    Job& job = jobs[i];
    job.kern = kern;
    job.n_rows = w.n_rows();
    job.first_tile = n_tiles;
    n_tiles += (job.n_rows + kern->row_tile - 1) / kern->row_tile;
    job.args.w = static_cast<const uint8_t*>(w.data);
    job.args.w_stride = w.row_nbytes();
    job.args.k = k;
    job.args.n_tok = n_tokens;
    job.args.y = outputs[i].y;
    job.args.y_stride = outputs[i].y_stride;
  }
  thread_local std::array<std::vector<ActBlockQ8>, kInt8Formats> act;
  std::array<uint64_t, kInt8Formats> act_version{};
  const int64_t blocks = k / kActBlock;
  for (size_t f = 0; f < kInt8Formats; ++f) {
    if (!wanted[f]) continue;
    act_version[f] = new_activation_version();
    act[f].resize(static_cast<size_t>(blocks * n_tokens));
    // A thread_local is not captured by a lambda: each worker would see its own (empty) vector.
    ActBlockQ8* act_rows = act[f].data();
    const QuantizeActFn quantize = ks.quantizer(kInt8FormatOf[f]);
    pool.parallel_for(n_tokens, [&](int, int64_t t0, int64_t t1) {
      for (int64_t t = t0; t < t1; ++t) quantize(x + t * x_stride, act_rows + t * blocks, k);
    });
  }
  for (size_t i = 0; i < outputs.size(); ++i) {
    GemmArgs& a = jobs[i].args;
    if (is_int8(jobs[i].kern->act)) {
      const size_t f = int8_slot(jobs[i].kern->act);
      a.x = act[f].data();
      a.x_stride = static_cast<size_t>(blocks) * sizeof(ActBlockQ8);
      a.x_version = act_version[f];
    } else {
      a.x = x;
      a.x_stride = static_cast<size_t>(x_stride) * sizeof(float);
    }
  }
  // Tiles of all outputs in one list, split into per-thread shares that a free thread takes over
  // (see parallel_for_dynamic); a chunk becomes one kernel call per output it touches. A chunk
  // holds at least kMinChunkBytes of weights so that the streams stay long.
  const size_t n_jobs = outputs.size();
  const int64_t tile_bytes = jobs[0].kern->row_tile * static_cast<int64_t>(jobs[0].args.w_stride);
  const int64_t min_chunk = std::max<int64_t>(1, kMinChunkBytes / std::max<int64_t>(1, tile_bytes));
  pool.parallel_for_dynamic(n_tiles, min_chunk, [&](int, int64_t begin, int64_t end) {
    for (size_t i = 0; i < n_jobs; ++i) {
      const Job& job = jobs[i];
      const int64_t tile = job.kern->row_tile;
      const int64_t job_end = job.first_tile + (job.n_rows + tile - 1) / tile;
      const int64_t b = std::max(begin, job.first_tile), e = std::min(end, job_end);
      if (b >= e) continue;
      GemmArgs a = job.args;
      a.r0 = (b - job.first_tile) * tile;
      a.r1 = std::min(job.n_rows, (e - job.first_tile) * tile);
      job.kern->fn(a);
    }
  });
}

void matmul(const TensorView& w, const float* x, int64_t x_stride, int64_t n_tokens, float* y,
            int64_t y_stride, ThreadPool& pool) {
  const MatmulOutput out{&w, y, y_stride};
  matmul_many({&out, 1}, x, x_stride, n_tokens, pool);
}

void get_row_f32(const TensorView& w, int64_t row, float* out) {
  POCKET_CHECK(row >= 0 && row < w.n_rows(), ErrorCode::kOutOfRange, "row ", row,
               " is outside tensor '", w.name, "' of ", w.n_rows(), " rows");
  dequantize_row(w.type, w.row(row), out, w.ne[0]);
}

}  // namespace pocket
