#include "quant/evaluator.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <vector>

#include "core/error.h"
#include "runtime/context.h"

namespace pocket::quant {
namespace {

std::vector<int32_t> tokenize_text(const LoadedModel& m, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  POCKET_CHECK(in.good(), ErrorCode::kIo, "cannot open text '", path, "'");
  std::vector<int32_t> ids;
  for (std::string line; std::getline(in, line);) {
    line += '\n';
    const auto part = m.tokenizer->encode(line, false, false);
    ids.insert(ids.end(), part.begin(), part.end());
  }
  return ids;
}

// log-softmax of one row of logits, in double.
void log_softmax(std::span<const float> logits, std::vector<double>& out) {
  out.resize(logits.size());
  const float mx = *std::max_element(logits.begin(), logits.end());
  double sum = 0;
  for (float v : logits) sum += std::exp(static_cast<double>(v) - mx);
  const double lse = mx + std::log(sum);
  for (size_t i = 0; i < logits.size(); ++i) out[i] = logits[i] - lse;
}

// Runs one window and returns the log-probabilities of the scored rows (first..n-2).
void run_window(Context& ctx, const std::vector<int32_t>& w, size_t first,
                std::vector<std::vector<double>>& rows) {
  ctx.kv().clear();
  Batch b;
  for (size_t i = 0; i < w.size(); ++i) {
    b.add(w[i], static_cast<int32_t>(i), 0, i >= first && i + 1 < w.size());
  }
  ctx.decode(b);
  rows.resize(static_cast<size_t>(ctx.n_outputs()));
  for (int i = 0; i < ctx.n_outputs(); ++i)
    log_softmax(ctx.logits(i), rows[static_cast<size_t>(i)]);
}

size_t argmax(const std::vector<double>& v) {
  return static_cast<size_t>(std::max_element(v.begin(), v.end()) - v.begin());
}

}  // namespace

EvalResult evaluate(const LoadedModel& model, const LoadedModel* ref, const EvalOptions& o) {
  POCKET_CHECK(o.ctx >= 8, ErrorCode::kInvalidArgument, "--ctx must be at least 8, not ", o.ctx);
  if (ref) {
    POCKET_CHECK(ref->model->spec().n_vocab == model.model->spec().n_vocab,
                 ErrorCode::kInvalidArgument, "the reference has ", ref->model->spec().n_vocab,
                 " tokens, the model ", model.model->spec().n_vocab, ": not comparable");
  }
  const std::vector<int32_t> ids = tokenize_text(model, o.text_path);
  const bool bos = model.tokenizer->spec().add_bos && model.tokenizer->spec().bos_id >= 0;
  const size_t body = static_cast<size_t>(o.ctx) - (bos ? 1 : 0);
  size_t n_windows = ids.size() / body;
  if (o.max_windows > 0) n_windows = std::min(n_windows, static_cast<size_t>(o.max_windows));
  POCKET_CHECK(n_windows > 0, ErrorCode::kInvalidArgument, "text '", o.text_path, "' has ",
               ids.size(), " tokens: fewer than one window of ", o.ctx);

  ContextParams params;
  params.n_ctx = o.ctx;
  params.n_threads = o.threads;
  params.kv_type = o.kv_type;
  params.fast_math = o.fast_math;
  params.n_batch = std::max<int64_t>(params.n_batch, o.ctx);  // a window is one batch
  Context ctx(*model.model, params);
  std::unique_ptr<Context> ref_ctx;
  if (ref) {
    ContextParams ref_params = params;
    ref_params.kv_type = o.ref_kv_type.value_or(o.kv_type);
    ref_params.fast_math = o.ref_fast_math;
    ref_ctx = std::make_unique<Context>(*ref->model, ref_params);
  }

  const size_t first = static_cast<size_t>(o.ctx) / 2;
  double nll = 0, ref_nll = 0;
  int64_t agree = 0;
  std::vector<double> kls;
  std::vector<std::vector<double>> rows, ref_rows;
  for (size_t wi = 0; wi < n_windows; ++wi) {
    std::vector<int32_t> w;
    if (bos) w.push_back(model.tokenizer->spec().bos_id);
    w.insert(w.end(), ids.begin() + static_cast<std::ptrdiff_t>(wi * body),
             ids.begin() + static_cast<std::ptrdiff_t>((wi + 1) * body));
    run_window(ctx, w, first, rows);
    if (ref_ctx) run_window(*ref_ctx, w, first, ref_rows);
    for (size_t j = 0; j < rows.size(); ++j) {
      const auto next = static_cast<size_t>(w[first + j + 1]);
      nll -= rows[j][next];
      if (!ref_ctx) continue;
      const auto& p = ref_rows[j];
      ref_nll -= p[next];
      double kl = 0;
      for (size_t v = 0; v < p.size(); ++v) kl += std::exp(p[v]) * (p[v] - rows[j][v]);
      kls.push_back(std::max(0.0, kl));
      agree += argmax(p) == argmax(rows[j]) ? 1 : 0;
    }
  }
  EvalResult r;
  r.n_windows = static_cast<int64_t>(n_windows);
  r.n_tokens = static_cast<int64_t>(n_windows * (static_cast<size_t>(o.ctx) - 1 - first));
  const auto n = static_cast<double>(r.n_tokens);
  r.ppl = std::exp(nll / n);
  if (ref_ctx) {
    r.has_ref = true;
    r.ref_ppl = std::exp(ref_nll / n);
    double sum = 0;
    for (double k : kls) sum += k;
    r.kl_mean = sum / n;
    std::sort(kls.begin(), kls.end());
    const size_t idx = static_cast<size_t>(std::ceil(0.99 * static_cast<double>(kls.size()))) - 1;
    r.kl_p99 = kls[std::min(idx, kls.size() - 1)];
    r.top1_agreement = static_cast<double>(agree) / n;
  }
  return r;
}

}  // namespace pocket::quant
