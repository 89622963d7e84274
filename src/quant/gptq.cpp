#include "quant/gptq.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>

#include "core/error.h"

namespace pocket::quant {
namespace {

// In-place lower Cholesky factor of a symmetric positive definite matrix (row-major k x k).
bool cholesky_lower(std::vector<double>& a, int64_t k) {
  for (int64_t j = 0; j < k; ++j) {
    double d = a[static_cast<size_t>(j * k + j)];
    for (int64_t p = 0; p < j; ++p)
      d -= a[static_cast<size_t>(j * k + p)] * a[static_cast<size_t>(j * k + p)];
    if (d <= 0) return false;
    d = std::sqrt(d);
    a[static_cast<size_t>(j * k + j)] = d;
    for (int64_t i = j + 1; i < k; ++i) {
      double s = a[static_cast<size_t>(i * k + j)];
      for (int64_t p = 0; p < j; ++p)
        s -= a[static_cast<size_t>(i * k + p)] * a[static_cast<size_t>(j * k + p)];
      a[static_cast<size_t>(i * k + j)] = s / d;
    }
    for (int64_t i = 0; i < j; ++i) a[static_cast<size_t>(i * k + j)] = 0;
  }
  return true;
}

}  // namespace

GptqFactor gptq_factor(const std::vector<float>& samples, int64_t n, int64_t k, bool act_order) {
  std::vector<double> h(static_cast<size_t>(k * k), 0.0);
  for (int64_t r = 0; r < n; ++r) {
    const float* x = &samples[static_cast<size_t>(r * k)];
    for (int64_t i = 0; i < k; ++i) {
      const double xi = x[i];
      for (int64_t j = 0; j <= i; ++j) h[static_cast<size_t>(i * k + j)] += xi * x[j];
    }
  }
  double mean_diag = 0;
  for (int64_t i = 0; i < k; ++i) {
    for (int64_t j = 0; j < i; ++j)
      h[static_cast<size_t>(j * k + i)] = h[static_cast<size_t>(i * k + j)];
    mean_diag += h[static_cast<size_t>(i * k + i)];
  }
  mean_diag /= static_cast<double>(k);
  GptqFactor out;
  if (act_order) {
    out.order.resize(static_cast<size_t>(k));
    std::iota(out.order.begin(), out.order.end(), 0);
    std::stable_sort(out.order.begin(), out.order.end(), [&](int32_t a, int32_t b) {
      return h[static_cast<size_t>(a * k + a)] > h[static_cast<size_t>(b * k + b)];
    });
    std::vector<double> p(h.size());
    for (int64_t i = 0; i < k; ++i) {
      for (int64_t j = 0; j < k; ++j) {
        p[static_cast<size_t>(i * k + j)] = h[static_cast<size_t>(
            out.order[static_cast<size_t>(i)] * k + out.order[static_cast<size_t>(j)])];
      }
    }
    h.swap(p);
  }
  const double damp = 0.01 * (mean_diag > 0 ? mean_diag : 1.0);
  for (int64_t i = 0; i < k; ++i) {
    double& d = h[static_cast<size_t>(i * k + i)];
    d = (d == 0 ? mean_diag : d) + damp;
  }
  // H = L L^T  ->  H^-1 = L^-T L^-1; its upper Cholesky factor U satisfies H^-1 = U^T U.
  POCKET_CHECK(cholesky_lower(h, k), ErrorCode::kInternal, "GPTQ: Hessian not positive definite");
  std::vector<double> linv(static_cast<size_t>(k * k), 0.0);  // L^-1 (lower)
  for (int64_t j = 0; j < k; ++j) {
    linv[static_cast<size_t>(j * k + j)] = 1.0 / h[static_cast<size_t>(j * k + j)];
    for (int64_t i = j + 1; i < k; ++i) {
      double s = 0;
      for (int64_t p = j; p < i; ++p)
        s += h[static_cast<size_t>(i * k + p)] * linv[static_cast<size_t>(p * k + j)];
      linv[static_cast<size_t>(i * k + j)] = -s / h[static_cast<size_t>(i * k + i)];
    }
  }
  std::vector<double> hinv(static_cast<size_t>(k * k), 0.0);  // L^-T L^-1
  for (int64_t i = 0; i < k; ++i) {
    for (int64_t j = 0; j <= i; ++j) {
      double s = 0;
      for (int64_t p = i; p < k; ++p)
        s += linv[static_cast<size_t>(p * k + i)] * linv[static_cast<size_t>(p * k + j)];
      hinv[static_cast<size_t>(i * k + j)] = hinv[static_cast<size_t>(j * k + i)] = s;
    }
  }
  // H^-1 = L2 L2^T (lower Cholesky), so U = L2^T is upper with H^-1 = U^T U.
  POCKET_CHECK(cholesky_lower(hinv, k), ErrorCode::kInternal,
               "GPTQ: inverse Hessian not positive definite");
  out.u.resize(static_cast<size_t>(k * k));
  for (int64_t i = 0; i < k; ++i) {
    for (int64_t j = 0; j < k; ++j)
      out.u[static_cast<size_t>(i * k + j)] =
          static_cast<float>(hinv[static_cast<size_t>(j * k + i)]);
  }
  return out;
}

RowError quantize_row_gptq(const GroupFormat& f, const float* x, const float* importance,
                           const GptqFactor& factor, int64_t k, uint8_t* out) {
  const std::vector<float>& u = factor.u;
  const bool ordered = !factor.order.empty();
  auto col_of = [&](int64_t i) {
    return ordered ? static_cast<int64_t>(factor.order[static_cast<size_t>(i)]) : i;
  };
  std::array<float, 256> ones;
  ones.fill(1.0f);
  const int64_t n_groups = k / f.group;
  std::vector<GroupScale> scales(static_cast<size_t>(n_groups));
  if (ordered) {
    for (int64_t g = 0; g < n_groups; ++g) {
      scales[static_cast<size_t>(g)] = choose_group_scale(
          f, x + g * f.group, importance ? importance + g * f.group : ones.data());
    }
  }
  std::vector<float> w(static_cast<size_t>(k));  // in processing order
  for (int64_t i = 0; i < k; ++i) w[static_cast<size_t>(i)] = x[col_of(i)];
  std::vector<float> q(static_cast<size_t>(k));  // quantized values, original order
  for (int64_t i = 0; i < k; ++i) {
    const int64_t col = col_of(i);
    if (!ordered && i % f.group == 0) {
      // Dynamic groups: the scale comes from the values already corrected by earlier columns.
      scales[static_cast<size_t>(i / f.group)] = choose_group_scale(
          f, &w[static_cast<size_t>(i)], importance ? importance + i : ones.data());
    }
    const GroupScale gs = scales[static_cast<size_t>(col / f.group)];
    uint8_t code;
    encode_group_value(f, w[static_cast<size_t>(i)], gs.d, gs.m, &code);
    q[static_cast<size_t>(col)] = gs.d * f.code_value(code) + gs.m;
    const float err = (w[static_cast<size_t>(i)] - q[static_cast<size_t>(col)]) /
                      u[static_cast<size_t>(i * k + i)];
    const float* ui = &u[static_cast<size_t>(i * k)];
    for (int64_t j = i + 1; j < k; ++j) w[static_cast<size_t>(j)] -= err * ui[j];
  }
  uint8_t codes[256];
  for (int64_t g = 0; g < n_groups; ++g) {
    const GroupScale gs = scales[static_cast<size_t>(g)];
    encode_group(f, &q[static_cast<size_t>(g * f.group)], gs.d, gs.m, codes);
    pack_group(f, gs.d, gs.m, codes, out + g * f.block_bytes);
  }
  RowError e;
  for (int64_t i = 0; i < k; ++i) {
    const double r = static_cast<double>(x[i]) - q[static_cast<size_t>(i)];
    e.err2 += r * r;
    e.ref2 += static_cast<double>(x[i]) * x[i];
  }
  return e;
}

}  // namespace pocket::quant
