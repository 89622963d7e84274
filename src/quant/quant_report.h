// What a quantization run did, tensor by tensor, and how it prints.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "quant/awq.h"

namespace pocket::quant {

struct TensorReport {
  std::string name;
  DType type = DType::kF32;
  std::vector<int64_t> shape;
  uint64_t bytes = 0;
  int64_t n_elements = 0;
  double rel_rms = 0;  // sqrt(sum err^2 / sum w^2) of the written values (AWQ-scaled domain)
  double seconds = 0;
  std::string note;  // why a fallback type was taken
};

struct QuantReport {
  std::vector<TensorReport> tensors;
  std::vector<AwqStep> awq;
  int64_t calib_tokens = 0;
  double calib_seconds = 0;
  double seconds = 0;  // whole run
  uint64_t file_bytes = 0;
  uint64_t tensor_bytes = 0;
  int64_t n_elements = 0;
  double bits_per_weight() const {
    return n_elements ? 8.0 * static_cast<double>(tensor_bytes) / static_cast<double>(n_elements)
                      : 0;
  }
};

// The per-tensor table, the AWQ choices, fallbacks and the totals.
void print_report(const QuantReport& r, std::FILE* out);

// A one-line progress bar on stderr, drawn only when stderr is a terminal and the run has taken
// more than a second (so tests and pipes see none).
class Progress {
 public:
  explicit Progress(int64_t total);
  void advance(int64_t n, const std::string& label);
  void finish();

 private:
  int64_t total_, done_ = 0;
  double start_;
  bool tty_, drawn_ = false;
};

}  // namespace pocket::quant
