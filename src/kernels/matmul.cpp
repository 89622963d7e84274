#include "kernels/matmul.h"

#include <algorithm>
#include <vector>

#include "core/error.h"
#include "kernels/gemm.h"
#include "kernels/ref/dequant.h"

namespace pocket {

void matmul(const TensorView& w, const float* x, int64_t x_stride, int64_t n_tokens, float* y,
            int64_t y_stride, ThreadPool& pool) {
  const KernelSet& ks = active_kernels();
  const GemmKernel* kern = ks.find(w.type);
  POCKET_CHECK(kern != nullptr, ErrorCode::kUnsupported, "no matrix kernel for tensor '", w.name,
               "' of type ", dtype_name(w.type));
  const int64_t k = w.ne[0];
  GemmArgs args;
  args.w = static_cast<const uint8_t*>(w.data);
  args.w_stride = w.row_nbytes();
  args.k = k;
  args.n_tok = n_tokens;
  args.y = y;
  args.y_stride = y_stride;
  if (kern->act == ActFormat::kQ8) {
    // Quantize each token's activations once per product, shared by all threads.
    POCKET_CHECK(k % kActBlock == 0, ErrorCode::kUnsupported, "tensor '", w.name, "' has rows of ",
                 k, ", not a multiple of ", kActBlock);
    thread_local std::vector<ActBlockQ8> act;
    const int64_t blocks = k / kActBlock;
    act.resize(static_cast<size_t>(blocks * n_tokens));
    // A thread_local is not captured by a lambda: each worker would see its own (empty) vector.
    ActBlockQ8* act_rows = act.data();
    pool.parallel_for(n_tokens, [&](int, int64_t t0, int64_t t1) {
      for (int64_t t = t0; t < t1; ++t) ks.quantize_act(x + t * x_stride, act_rows + t * blocks, k);
    });
    args.x = act.data();
    args.x_stride = static_cast<size_t>(blocks) * sizeof(ActBlockQ8);
  } else {
    args.x = x;
    args.x_stride = static_cast<size_t>(x_stride) * sizeof(float);
  }
  const int64_t tile = kern->row_tile;
  const int64_t n_rows = w.n_rows();
  const int64_t n_tiles = (n_rows + tile - 1) / tile;
  pool.parallel_for(n_tiles, [&](int, int64_t begin, int64_t end) {
    GemmArgs a = args;
    a.r0 = begin * tile;
    a.r1 = std::min(n_rows, end * tile);
    kern->fn(a);
  });
}

void get_row_f32(const TensorView& w, int64_t row, float* out) {
  POCKET_CHECK(row >= 0 && row < w.n_rows(), ErrorCode::kOutOfRange, "row ", row,
               " is outside tensor '", w.name, "' of ", w.n_rows(), " rows");
  dequantize_row(w.type, w.row(row), out, w.ne[0]);
}

}  // namespace pocket
