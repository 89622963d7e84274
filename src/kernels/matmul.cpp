#include "kernels/matmul.h"

#include <vector>

#include "core/error.h"
#include "kernels/ref/dequant.h"
#include "kernels/ref/ops.h"

namespace pocket {

void matmul(const TensorView& w, const float* x, int64_t x_stride, int64_t n_tokens, float* y,
            int64_t y_stride, ThreadPool& pool) {
  const int64_t k = w.ne[0];
  const int64_t n_rows = w.n_rows();
  const uint64_t row_size = w.row_nbytes();
  const auto* base = static_cast<const uint8_t*>(w.data);
  // Reference path: dequantize one weight row at a time, then dot it with every token, so each
  // row is read once per call whatever the batch size.
  pool.parallel_for(n_rows, [&](int, int64_t begin, int64_t end) {
    thread_local std::vector<float> row;
    row.resize(static_cast<size_t>(k));
    for (int64_t r = begin; r < end; ++r) {
      const float* wr = nullptr;
      // F32 rows are used in place when aligned (safetensors does not promise alignment).
      if (w.type == DType::kF32 && reinterpret_cast<uintptr_t>(base) % alignof(float) == 0 &&
          row_size % alignof(float) == 0) {
        wr = reinterpret_cast<const float*>(base + static_cast<uint64_t>(r) * row_size);
      } else {
        dequantize_row(w.type, base + static_cast<uint64_t>(r) * row_size, row.data(), k);
        wr = row.data();
      }
      for (int64_t t = 0; t < n_tokens; ++t) {
        y[t * y_stride + r] = ref::dot_f32(wr, x + t * x_stride, k);
      }
    }
  });
}

void get_row_f32(const TensorView& w, int64_t row, float* out) {
  POCKET_CHECK(row >= 0 && row < w.n_rows(), ErrorCode::kOutOfRange, "row ", row,
               " is outside tensor '", w.name, "' of ", w.n_rows(), " rows");
  dequantize_row(w.type, w.row(row), out, w.ne[0]);
}

}  // namespace pocket
