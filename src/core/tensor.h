// A view of tensor data that lives elsewhere (usually a mapped file). Shapes use GGML's order:
// ne[0] is the length of a row (the fastest-moving index), ne[1] the number of rows, ...
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "core/dtype.h"

namespace pocket {

struct TensorView {
  std::string name;
  DType type = DType::kF32;
  uint32_t n_dims = 0;
  std::array<int64_t, 4> ne{1, 1, 1, 1};
  const void* data = nullptr;
  uint64_t nbytes = 0;

  int64_t n_elements() const { return ne[0] * ne[1] * ne[2] * ne[3]; }
  int64_t n_rows() const { return ne[1] * ne[2] * ne[3]; }
  uint64_t row_nbytes() const { return row_bytes(type, static_cast<uint64_t>(ne[0])); }
  const uint8_t* row(int64_t i) const {
    return static_cast<const uint8_t*>(data) + static_cast<uint64_t>(i) * row_nbytes();
  }
};

std::string shape_string(const TensorView& t);

}  // namespace pocket
