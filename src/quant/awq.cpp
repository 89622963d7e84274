#include "quant/awq.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "kernels/matmul.h"
#include "kernels/ref/dequant.h"
#include "quant/gptq.h"
#include "quant/group_search.h"

namespace pocket::quant {
namespace {

constexpr int kAlphaSteps = 10;     // alpha = 0, 0.1, ..., 1
constexpr int64_t kAwqRows = 1024;  // calibration rows the output error is measured on
constexpr int64_t kGptqRows = 128;  // rows per matrix quantized by the GPTQ-judged search

const ModelTensor* find_tensor(const std::vector<ModelTensor>& ts, const std::string& name) {
  for (const auto& t : ts) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

const Transform* find_transform(const TransformMap& m, const std::string& name) {
  const auto it = m.find(name);
  return it == m.end() ? nullptr : &it->second;
}

// sum over calibration rows of ||xs Δ^T||^2 where Δ = W - Q(W) (W already column-scaled).
double output_error(const std::vector<float>& w, int64_t rows, int64_t cols, DType type,
                    const std::vector<float>& importance, const std::vector<float>& xs, int64_t n,
                    ThreadPool& pool) {
  std::vector<float> delta(w.size());
  const uint64_t rb = row_bytes(type, static_cast<uint64_t>(cols));
  pool.parallel_for(rows, [&](int, int64_t r0, int64_t r1) {
    std::vector<uint8_t> buf(rb);
    std::vector<float> back(static_cast<size_t>(cols));
    for (int64_t r = r0; r < r1; ++r) {
      const float* x = &w[static_cast<size_t>(r * cols)];
      quantize_row_best(type, x, importance.data(), cols, buf.data());
      dequantize_row(type, buf.data(), back.data(), cols);
      for (int64_t c = 0; c < cols; ++c) {
        delta[static_cast<size_t>(r * cols + c)] = x[c] - back[static_cast<size_t>(c)];
      }
    }
  });
  TensorView v;
  v.name = "awq delta";
  v.type = DType::kF32;
  v.n_dims = 2;
  v.ne = {cols, rows, 1, 1};
  v.data = delta.data();
  v.nbytes = delta.size() * sizeof(float);
  std::vector<float> y(static_cast<size_t>(n * rows));
  matmul(v, xs.data(), cols, n, y.data(), rows, pool);
  double e = 0;
  for (float a : y) e += static_cast<double>(a) * a;
  return e;
}

// sum over (up to kGptqRows evenly spaced) rows of (w - q)^T H_s (w - q), q what the writer
// makes of the row (GPTQ for group-wise types), scaled to all rows.
double gptq_output_error(const std::vector<float>& w, int64_t rows, int64_t cols, DType type,
                         const std::vector<float>& importance, const GptqFactor& fs,
                         ThreadPool& pool) {
  const auto format = group_format(type);
  const int64_t stride = std::max<int64_t>(1, rows / kGptqRows);
  const int64_t n = (rows + stride - 1) / stride;
  const uint64_t rb = row_bytes(type, static_cast<uint64_t>(cols));
  std::vector<double> err(static_cast<size_t>(n));
  pool.parallel_for(n, [&](int, int64_t b, int64_t e) {
    std::vector<uint8_t> buf(rb);
    std::vector<float> back(static_cast<size_t>(cols));
    for (int64_t j = b; j < e; ++j) {
      const float* x = &w[static_cast<size_t>(j * stride * cols)];
      if (format) {
        quantize_row_gptq(*format, x, importance.data(), fs, cols, buf.data());
      } else {
        quantize_row_best(type, x, importance.data(), cols, buf.data());
      }
      dequantize_row(type, buf.data(), back.data(), cols);
      err[static_cast<size_t>(j)] = hessian_error(fs, x, back.data(), cols);
    }
  });
  double total = 0;
  for (double v : err) total += v;
  return total * static_cast<double>(rows) / static_cast<double>(n);
}

// One joint search over the matrices that read the same input; returns the chosen scales.
std::vector<float> search(const std::vector<const ModelTensor*>& ws, const TypeOf& type_of,
                          const TransformMap& transforms, const ChannelStats& st,
                          const GptqFactor* gptq, ThreadPool& pool, AwqStep& step) {
  const int64_t k = st.width, n = std::min(st.n_samples(), kAwqRows);
  const std::vector<float> mean_abs = st.mean_abs(), mean_sq = st.mean_sq();
  std::vector<std::vector<float>> base;
  for (const ModelTensor* t : ws) {
    base.push_back(transformed_rows(*t, find_transform(transforms, t->name), 0, t->rows()));
  }
  std::vector<float> best_s(static_cast<size_t>(k), 1.0f);
  double best = INFINITY;
  for (int a = 0; a <= kAlphaSteps; ++a) {
    const float alpha = static_cast<float>(a) / kAlphaSteps;
    std::vector<float> s(static_cast<size_t>(k));
    float lo = INFINITY, hi = 0;
    for (int64_t c = 0; c < k; ++c) {
      s[static_cast<size_t>(c)] =
          std::pow(std::max(mean_abs[static_cast<size_t>(c)], 1e-6f), alpha);
      lo = std::min(lo, s[static_cast<size_t>(c)]);
      hi = std::max(hi, s[static_cast<size_t>(c)]);
    }
    const float norm = 1.0f / std::sqrt(lo * hi);  // centre the scales around 1 (as AWQ does)
    std::vector<float> importance(static_cast<size_t>(k));
    std::vector<float> xs(gptq ? 0 : static_cast<size_t>(n * k));
    for (int64_t c = 0; c < k; ++c) {
      s[static_cast<size_t>(c)] *= norm;
      importance[static_cast<size_t>(c)] =
          mean_sq[static_cast<size_t>(c)] /
              (s[static_cast<size_t>(c)] * s[static_cast<size_t>(c)]) +
          1e-12f;
    }
    GptqFactor fs;
    if (gptq) {
      fs = scale_factor(*gptq, s);
    } else {
      for (int64_t r = 0; r < n; ++r) {
        for (int64_t c = 0; c < k; ++c) {
          xs[static_cast<size_t>(r * k + c)] =
              st.samples[static_cast<size_t>(r * k + c)] / s[static_cast<size_t>(c)];
        }
      }
    }
    double err = 0;
    for (size_t i = 0; i < ws.size(); ++i) {
      std::vector<float> w = base[i];
      const int64_t rows = ws[i]->rows();
      for (int64_t r = 0; r < rows; ++r) {
        for (int64_t c = 0; c < k; ++c)
          w[static_cast<size_t>(r * k + c)] *= s[static_cast<size_t>(c)];
      }
      err += gptq ? gptq_output_error(w, rows, k, type_of(*ws[i]), importance, fs, pool)
                  : output_error(w, rows, k, type_of(*ws[i]), importance, xs, n, pool);
    }
    if (a == 0) step.err_plain = err;
    if (err < best) {
      best = err;
      best_s = s;
      step.alpha = alpha;
    }
  }
  step.err_best = best;
  return best_s;
}

void scale_cols(Transform& t, const std::vector<float>& s, bool invert) {
  if (t.col_scale.empty()) t.col_scale.assign(s.size(), 1.0f);
  for (size_t i = 0; i < s.size(); ++i) t.col_scale[i] *= invert ? 1.0f / s[i] : s[i];
}

void scale_rows(Transform& t, const std::vector<float>& s) {
  if (t.row_scale.empty()) t.row_scale.assign(s.size(), 1.0f);
  for (size_t i = 0; i < s.size(); ++i) t.row_scale[i] /= s[i];
}

}  // namespace

std::vector<float> transformed_rows(const ModelTensor& t, const Transform* tr, int64_t r0,
                                    int64_t r1) {
  const int64_t k = t.cols();
  std::vector<float> out(static_cast<size_t>((r1 - r0) * k));
  for (int64_t r = r0; r < r1; ++r) {
    float* row = &out[static_cast<size_t>((r - r0) * k)];
    read_row_f32(t, r, row);
    if (!tr) continue;
    const float rs = tr->row_scale.empty() ? 1.0f : tr->row_scale[static_cast<size_t>(r)];
    for (int64_t c = 0; c < k; ++c) {
      row[c] *= rs * (tr->col_scale.empty() ? 1.0f : tr->col_scale[static_cast<size_t>(c)]);
    }
  }
  return out;
}

std::vector<AwqStep> awq_search(const std::vector<ModelTensor>& tensors, const TypeOf& type_of,
                                const CalibrationStats& stats, ThreadPool& pool,
                                TransformMap& transforms, const GptqOf& gptq_of) {
  std::vector<AwqStep> steps;
  int64_t n_layer = 0;
  for (const auto& t : tensors) n_layer = std::max(n_layer, t.layer + 1);
  for (int64_t l = 0; l < n_layer; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    auto get = [&](const char* n) { return find_tensor(tensors, p + n); };
    // Down first: its scales change the rows of up, which the gate/up search then sees.
    struct Job {
      const char* what;
      LinearInput input;
      std::vector<const ModelTensor*> weights;
      std::vector<const ModelTensor*> producers;  // get 1/s: a norm (columns) or up (rows)
    };
    const std::vector<Job> jobs = {
        {"ffn_down", LinearInput::kFfnDown, {get("ffn_down.weight")}, {get("ffn_up.weight")}},
        {"ffn_in",
         LinearInput::kFfnIn,
         {get("ffn_gate.weight"), get("ffn_up.weight")},
         {get("ffn_norm.weight")}},
        {"attn_in",
         LinearInput::kAttnIn,
         {get("attn_q.weight"), get("attn_k.weight"), get("attn_v.weight")},
         {get("attn_norm.weight")}},
    };
    for (const Job& job : jobs) {
      const ChannelStats* st = stats.find(l, job.input);
      const bool complete =
          std::all_of(job.weights.begin(), job.weights.end(), [](auto* t) { return t; }) &&
          job.producers[0] != nullptr;
      if (!st || st->n_samples() == 0 || !complete) continue;
      AwqStep step;
      step.what = p + job.what;
      const GptqFactor* gptq = gptq_of ? gptq_of(l, job.input) : nullptr;
      const std::vector<float> s = search(job.weights, type_of, transforms, *st, gptq, pool, step);
      steps.push_back(step);
      if (step.alpha == 0.0f) continue;
      for (const ModelTensor* w : job.weights) scale_cols(transforms[w->name], s, false);
      const ModelTensor* prod = job.producers[0];
      if (prod->role == TensorRole::kVector) {
        scale_cols(transforms[prod->name], s, true);
      } else {
        scale_rows(transforms[prod->name], s);
      }
    }
  }
  return steps;
}

}  // namespace pocket::quant
