// What a kernel derives from its quantized activations before it streams weights (a reordering
// that meets the weight layout), kept per thread for the product it was made for. A product calls
// the kernel once per chunk of rows (matmul_many's dynamic split: 10-30 calls for a large matrix),
// and every call of one product carries the same GemmArgs::x_version, so the work is done once per
// thread and product instead of once per call. x_version 0 (a caller that does not name its
// activations) always prepares again.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/gemm.h"

namespace pocket {

template <class T>
class ActPrepCache {
 public:
  // The prepared data for a.x: made by prepare(std::vector<T>&) unless this thread already made it
  // for the same activations (same x_version, x and k).
  template <class Prepare>
  const T* get(const GemmArgs& a, Prepare&& prepare) {
    if (a.x_version == 0 || a.x_version != version_ || a.x != x_ || a.k != k_) {
      version_ = 0;  // stays unusable if prepare throws
      prepare(data_);
      version_ = a.x_version;
      x_ = a.x;
      k_ = a.k;
    }
    return data_.data();
  }

 private:
  uint64_t version_ = 0;
  const void* x_ = nullptr;
  int64_t k_ = 0;
  std::vector<T> data_;
};

}  // namespace pocket
