#include "quant/calibration.h"

#include <algorithm>
#include <cmath>
#include <fstream>

#include "core/error.h"
#include "runtime/context.h"

namespace pocket::quant {
namespace {

std::vector<float> mean_of(const std::vector<double>& sums, int64_t count) {
  std::vector<float> out(sums.size());
  for (size_t i = 0; i < sums.size(); ++i) {
    out[i] = count ? static_cast<float>(sums[i] / static_cast<double>(count)) : 0.0f;
  }
  return out;
}

}  // namespace

std::vector<float> ChannelStats::mean_sq() const {
  return mean_of(sum_sq, count);
}
std::vector<float> ChannelStats::mean_abs() const {
  return mean_of(sum_abs, count);
}

void CalibrationStats::observe(int64_t layer, LinearInput which, const float* rows, int64_t n_rows,
                               int64_t width) {
  ChannelStats& s = stats_[{layer, static_cast<int>(which)}];
  if (s.width == 0) {
    s.width = width;
    s.sum_sq.assign(static_cast<size_t>(width), 0.0);
    s.sum_abs.assign(static_cast<size_t>(width), 0.0);
  }
  POCKET_CHECK(s.width == width, ErrorCode::kInternal, "calibration: width changed");
  for (int64_t r = 0; r < n_rows; ++r) {
    const float* x = rows + r * width;
    for (int64_t i = 0; i < width; ++i) {
      s.sum_sq[static_cast<size_t>(i)] += static_cast<double>(x[i]) * x[i];
      s.sum_abs[static_cast<size_t>(i)] += std::fabs(x[i]);
    }
    if (s.count % keep_every_ == 0 && s.n_samples() < max_samples_) {
      s.samples.insert(s.samples.end(), x, x + width);
    }
    ++s.count;
  }
}

const ChannelStats* CalibrationStats::find(int64_t layer, LinearInput which) const {
  const auto it = stats_.find({layer, static_cast<int>(which)});
  return it == stats_.end() ? nullptr : &it->second;
}

CalibrationStats run_calibration(const LoadedModel& m, const CalibrationOptions& o) {
  std::ifstream in(o.text_path, std::ios::binary);
  POCKET_CHECK(in.good(), ErrorCode::kIo, "cannot open calibration file '", o.text_path, "'");
  POCKET_CHECK(o.samples >= 1 && o.samples <= 1024, ErrorCode::kInvalidArgument,
               "--calib-samples must be 1..1024, not ", o.samples);
  // One sample per non-empty line (the calibration files hold one ~128-token passage a line).
  std::vector<std::vector<int32_t>> windows;
  int64_t total = 0;
  const bool bos = m.tokenizer->spec().add_bos;
  for (std::string line; std::getline(in, line) && static_cast<int>(windows.size()) < o.samples;) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto ids = m.tokenizer->encode(line, bos, false);
    if (static_cast<int64_t>(ids.size()) > o.ctx) ids.resize(static_cast<size_t>(o.ctx));
    if (ids.size() < 2) continue;
    total += static_cast<int64_t>(ids.size());
    windows.push_back(std::move(ids));
  }
  POCKET_CHECK(!windows.empty(), ErrorCode::kInvalidArgument, "calibration file '", o.text_path,
               "' has no text");
  // Sample rows evenly over the whole text rather than only its beginning. The row budget is
  // per input; the widest input (FFN down) decides how many rows fit in 4M values.
  const int64_t width = std::max(m.model->spec().n_ff, m.model->spec().n_embd);
  const int64_t rows = std::max<int64_t>(1, std::min(o.max_rows, (int64_t{4} << 20) / width));
  CalibrationStats stats(std::max<int64_t>(1, total / rows), rows);
  ContextParams params;
  params.n_ctx = o.ctx;
  params.n_threads = o.threads;
  params.kv_type = KvType::kF32;  // statistics of the full-precision model
  params.n_batch = std::max<int64_t>(params.n_batch, o.ctx);  // a window is one batch
  Context ctx(*m.model, params);
  ctx.set_observer(&stats);
  for (const auto& ids : windows) {
    ctx.kv().clear();
    Batch batch;
    for (size_t i = 0; i < ids.size(); ++i) {
      batch.add(ids[i], static_cast<int32_t>(i), 0, true);  // logits: the output input rows
    }
    ctx.decode(batch);
    stats.add_tokens(static_cast<int64_t>(ids.size()));
  }
  ctx.set_observer(nullptr);
  return stats;
}

}  // namespace pocket::quant
