#include "quant/quant_report.h"

#include <unistd.h>

#include <chrono>

namespace pocket::quant {
namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string shape_text(const std::vector<int64_t>& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) out += 'x';
    out += std::to_string(s[i]);
  }
  return out;
}

}  // namespace

void print_report(const QuantReport& r, std::FILE* out) {
  std::fprintf(out, "%-28s %-10s %-11s %12s %10s %8s\n", "tensor", "type", "shape", "bytes",
               "rel.rms", "ms");
  for (const auto& t : r.tensors) {
    std::fprintf(out, "%-28s %-10s %-11s %12llu %10.2e %8.1f\n", t.name.c_str(),
                 std::string(dtype_name(t.type)).c_str(), shape_text(t.shape).c_str(),
                 static_cast<unsigned long long>(t.bytes), t.rel_rms, t.seconds * 1e3);
  }
  for (const auto& t : r.tensors) {
    if (!t.note.empty())
      std::fprintf(out, "fallback: %s -> %s: %s\n", t.name.c_str(),
                   std::string(dtype_name(t.type)).c_str(), t.note.c_str());
  }
  if (!r.awq.empty()) {
    std::fprintf(
        out, "calibration: %lld tokens in %.1f s; AWQ scales (alpha, output error vs alpha 0):\n",
        static_cast<long long>(r.calib_tokens), r.calib_seconds);
    for (const auto& s : r.awq) {
      std::fprintf(out, "  %-18s alpha %.1f  error %.3e -> %.3e (%.0f%%)\n", s.what.c_str(),
                   s.alpha, s.err_plain, s.err_best,
                   s.err_plain > 0 ? 100.0 * (s.err_best / s.err_plain - 1.0) : 0.0);
    }
  }
  std::fprintf(
      out,
      "total: %lld weights, %.2f MiB of tensors (%.3f bits per weight), file %.2f MiB, %.2f s\n",
      static_cast<long long>(r.n_elements), static_cast<double>(r.tensor_bytes) / (1 << 20),
      r.bits_per_weight(), static_cast<double>(r.file_bytes) / (1 << 20), r.seconds);
}

Progress::Progress(int64_t total)
    : total_(total), start_(now_seconds()), tty_(isatty(STDERR_FILENO) != 0) {}

void Progress::advance(int64_t n, const std::string& label) {
  done_ += n;
  if (!tty_ || now_seconds() - start_ < 1.0) return;
  constexpr int kWidth = 30;
  const double frac = total_ ? static_cast<double>(done_) / static_cast<double>(total_) : 1.0;
  const int fill = static_cast<int>(frac * kWidth);
  std::fprintf(
      stderr, "\r[%s%s] %3.0f%% %-28.28s", std::string(static_cast<size_t>(fill), '#').c_str(),
      std::string(static_cast<size_t>(kWidth - fill), ' ').c_str(), frac * 100.0, label.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::finish() {
  if (drawn_) std::fprintf(stderr, "\n");
}

}  // namespace pocket::quant
