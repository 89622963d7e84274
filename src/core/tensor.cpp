#include "core/tensor.h"

#include "core/error.h"

namespace pocket {

std::string shape_string(const TensorView& t) {
  std::string s = "[";
  for (uint32_t i = 0; i < t.n_dims; ++i) {
    if (i) s += ", ";
    s += std::to_string(t.ne[i]);
  }
  return s + "]";
}

}  // namespace pocket
