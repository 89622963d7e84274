// Calibration: runs text through the full-precision model and keeps, for every linear input
// (per block: attention in, attention out, FFN in, FFN down; and the output projection), the
// per-channel statistics E[x^2] and E[|x|] plus a sample of whole input rows for the AWQ search.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "runtime/activation_observer.h"
#include "runtime/model_loader.h"

namespace pocket::quant {

struct ChannelStats {
  int64_t width = 0;
  int64_t count = 0;           // rows seen
  std::vector<double> sum_sq;  // per channel
  std::vector<double> sum_abs;
  std::vector<float> samples;  // kept rows, width floats each
  int64_t n_samples() const { return width ? static_cast<int64_t>(samples.size()) / width : 0; }
  std::vector<float> mean_sq() const;
  std::vector<float> mean_abs() const;
};

class CalibrationStats : public ActivationObserver {
 public:
  // keep_every: keep one row in this many as a sample, at most max_samples rows per input.
  CalibrationStats(int64_t keep_every, int64_t max_samples)
      : keep_every_(keep_every), max_samples_(max_samples) {}
  void observe(int64_t layer, LinearInput which, const float* rows, int64_t n_rows,
               int64_t width) override;
  // Null when that input was never seen.
  const ChannelStats* find(int64_t layer, LinearInput which) const;
  int64_t tokens() const { return tokens_; }
  void add_tokens(int64_t n) { tokens_ += n; }

 private:
  int64_t keep_every_, max_samples_;
  std::map<std::pair<int64_t, int>, ChannelStats> stats_;
  int64_t tokens_ = 0;
};

struct CalibrationOptions {
  std::string text_path;
  int samples = 128;  // lines of the text used (each one window of at most ctx tokens)
  int64_t ctx = 256;  // tokens per sample
  // Rows kept per linear input for the GPTQ Hessian (the AWQ search uses the first 1024):
  // at most this many, and at most 4M values per input.
  int64_t max_rows = 8192;
  int threads = 0;
};

// Throws Error(kIo) for a missing/unreadable file, kInvalidArgument for one without text.
CalibrationStats run_calibration(const LoadedModel& model, const CalibrationOptions& options);

}  // namespace pocket::quant
