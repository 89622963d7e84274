#include "quant/gptq.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>

#include "core/error.h"
#include "core/half.h"

namespace pocket::quant {
namespace {

constexpr int kStaticPasses = 3;  // at most this many GPTQ passes after the first
// Dampening of H, as a fraction of its mean diagonal. 5% measured best on brown-qwen2-7m (mean KL
// 0.01658 / 0.01633 / 0.01617 / 0.01611 / 0.01631 at 0.3% / 1% / 3% / 5% / 10%): the Hessian of
// a few thousand calibration rows over-fits them, and dampening pulls towards plain weight error.
constexpr double kDamp = 0.05;

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

// GPTQ's loss of quantizing the g columns starting at i0 (processing order) with one scale, each
// column's error spread over the later columns of the group: the sum of (w - q)^2 / U_ii^2, which
// is how much the layer's output error grows when the remaining columns are compensated. Stops
// early once the sum exceeds `stop`.
double group_loss(const GroupFormat& f, const float* w, const std::vector<float>& u, int64_t k,
                  int64_t i0, GroupScale gs, double stop) {
  std::array<float, 256> t;
  const int g = f.group;
  std::copy(w + i0, w + i0 + g, t.begin());
  double loss = 0;
  for (int j = 0; j < g; ++j) {
    uint8_t code;
    encode_group_value(f, t[static_cast<size_t>(j)], gs.d, gs.m, &code);
    const float q = gs.d * f.code_value(code) + gs.m;
    const int64_t i = i0 + j;
    const float err = (t[static_cast<size_t>(j)] - q) / u[static_cast<size_t>(i * k + i)];
    loss += static_cast<double>(err) * err;
    if (loss >= stop) return loss;
    const float* ui = &u[static_cast<size_t>(i * k + i0)];
    for (int l = j + 1; l < g; ++l) t[static_cast<size_t>(l)] -= err * ui[l];
  }
  return loss;
}

// (x - q)^T H (x - q).
double h_error(const std::vector<float>& h, const float* x, const float* q, int64_t k) {
  std::vector<double> r(static_cast<size_t>(k));
  for (int64_t i = 0; i < k; ++i) r[static_cast<size_t>(i)] = x[i] - q[i];
  double e = 0;
  for (int64_t i = 0; i < k; ++i) {
    const float* hi = &h[static_cast<size_t>(i * k)];
    double s = 0;
    for (int64_t j = 0; j < k; ++j) s += hi[j] * r[static_cast<size_t>(j)];
    e += r[static_cast<size_t>(i)] * s;
  }
  return e;
}

// Solves the symmetric positive definite system a p = b (n x n) in place by Cholesky; false if it
// is not positive definite.
bool solve_spd(std::vector<double>& a, std::vector<double>& b, int64_t n) {
  if (!cholesky_lower(a, n)) return false;
  for (int64_t i = 0; i < n; ++i) {  // L y = b
    double s = b[static_cast<size_t>(i)];
    for (int64_t p = 0; p < i; ++p)
      s -= a[static_cast<size_t>(i * n + p)] * b[static_cast<size_t>(p)];
    b[static_cast<size_t>(i)] = s / a[static_cast<size_t>(i * n + i)];
  }
  for (int64_t i = n - 1; i >= 0; --i) {  // L^T p = y
    double s = b[static_cast<size_t>(i)];
    for (int64_t p = i + 1; p < n; ++p)
      s -= a[static_cast<size_t>(p * n + i)] * b[static_cast<size_t>(p)];
    b[static_cast<size_t>(i)] = s / a[static_cast<size_t>(i * n + i)];
  }
  return true;
}

// With the codes fixed, q = d_g * c + m_g per group is linear in the scales (and offsets), so the
// ones minimizing (x - q)^T H (x - q) solve a small linear system. Kept (rounded to f16) only if
// they lower that error.
void refit_scales(const GroupFormat& f, const float* x, const std::vector<float>& h, int64_t k,
                  const std::vector<uint8_t>& codes, std::vector<GroupScale>& scales,
                  std::vector<float>& q) {
  const int64_t n_groups = k / f.group;
  const int64_t per = f.has_min ? 2 : 1;  // unknowns per group: d (and m)
  const int64_t n = n_groups * per;
  // Basis column p: on group g's columns, c_i (for d_g) or 1 (for m_g); zero elsewhere.
  std::vector<float> cv(static_cast<size_t>(k));
  for (int64_t i = 0; i < k; ++i)
    cv[static_cast<size_t>(i)] = f.code_value(codes[static_cast<size_t>(i)]);
  auto basis = [&](int64_t p, int64_t i) -> double {
    if (i / f.group != p / per) return 0.0;
    return p % per == 0 ? cv[static_cast<size_t>(i)] : 1.0;
  };
  // hb[p][i] = (H B_p)_i
  std::vector<double> hb(static_cast<size_t>(n * k), 0.0);
  for (int64_t p = 0; p < n; ++p) {
    const int64_t g = p / per;
    double* out = &hb[static_cast<size_t>(p * k)];
    for (int64_t j = g * f.group; j < (g + 1) * f.group; ++j) {
      const double bj = basis(p, j);
      if (bj == 0.0) continue;
      for (int64_t i = 0; i < k; ++i) out[i] += h[static_cast<size_t>(j * k + i)] * bj;
    }
  }
  std::vector<double> a(static_cast<size_t>(n * n)), b(static_cast<size_t>(n));
  for (int64_t p = 0; p < n; ++p) {
    const double* hp = &hb[static_cast<size_t>(p * k)];
    double s = 0;
    for (int64_t i = 0; i < k; ++i) s += hp[i] * x[i];
    b[static_cast<size_t>(p)] = s;
    for (int64_t r = 0; r < n; ++r) {
      const int64_t g = r / per;
      double t = 0;
      for (int64_t i = g * f.group; i < (g + 1) * f.group; ++i) t += hp[i] * basis(r, i);
      a[static_cast<size_t>(p * n + r)] = t;
    }
  }
  if (!solve_spd(a, b, n)) return;
  std::vector<GroupScale> fitted(scales.size());
  std::vector<float> q2(static_cast<size_t>(k));
  for (int64_t g = 0; g < n_groups; ++g) {
    GroupScale& s = fitted[static_cast<size_t>(g)];
    s.d = fp16_to_fp32(fp32_to_fp16(static_cast<float>(b[static_cast<size_t>(g * per)])));
    s.m = per == 2
              ? fp16_to_fp32(fp32_to_fp16(static_cast<float>(b[static_cast<size_t>(g * per + 1)])))
              : 0.0f;
    if (!std::isfinite(s.d) || !std::isfinite(s.m)) return;
    for (int64_t i = g * f.group; i < (g + 1) * f.group; ++i)
      q2[static_cast<size_t>(i)] = s.d * cv[static_cast<size_t>(i)] + s.m;
  }
  if (h_error(h, x, q2.data(), k) < h_error(h, x, q.data(), k)) {
    scales.swap(fitted);
    q.swap(q2);
  }
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
  const double damp = kDamp * (mean_diag > 0 ? mean_diag : 1.0);
  for (int64_t i = 0; i < k; ++i) {
    double& d = h[static_cast<size_t>(i * k + i)];
    d = (d == 0 ? mean_diag : d) + damp;
  }
  out.h.resize(static_cast<size_t>(k * k));
  for (int64_t i = 0; i < k; ++i) {
    const int64_t oi = act_order ? out.order[static_cast<size_t>(i)] : i;
    for (int64_t j = 0; j < k; ++j) {
      const int64_t oj = act_order ? out.order[static_cast<size_t>(j)] : j;
      out.h[static_cast<size_t>(oi * k + oj)] =
          static_cast<float>(h[static_cast<size_t>(i * k + j)]);
    }
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

GptqFactor scale_factor(const GptqFactor& base, const std::vector<float>& s) {
  POCKET_CHECK(base.order.empty(), ErrorCode::kInternal, "GPTQ: scaling an act-order factor");
  const int64_t k = static_cast<int64_t>(s.size());
  GptqFactor out;
  out.u.resize(base.u.size());
  out.h.resize(base.h.size());
  for (int64_t i = 0; i < k; ++i) {
    for (int64_t j = 0; j < k; ++j) {
      const size_t ij = static_cast<size_t>(i * k + j);
      out.u[ij] = base.u[ij] * s[static_cast<size_t>(j)];
      if (!base.h.empty())
        out.h[ij] = base.h[ij] / (s[static_cast<size_t>(i)] * s[static_cast<size_t>(j)]);
    }
  }
  if (base.h.empty()) out.h.clear();
  return out;
}

double hessian_error(const GptqFactor& factor, const float* x, const float* q, int64_t k) {
  return h_error(factor.h, x, q, k);
}

namespace {

// One GPTQ pass over a row. choose: pick each group's scale when the group starts (dynamic
// groups); otherwise `scales` is used as given.
void gptq_pass(const GroupFormat& f, const float* x, const float* importance,
               const GptqFactor& factor, int64_t k, bool choose, std::vector<GroupScale>& scales,
               std::vector<uint8_t>& codes, std::vector<float>& q) {
  const std::vector<float>& u = factor.u;
  const bool ordered = !factor.order.empty();
  auto col_of = [&](int64_t i) {
    return ordered ? static_cast<int64_t>(factor.order[static_cast<size_t>(i)]) : i;
  };
  std::array<float, 256> ones;
  ones.fill(1.0f);
  std::vector<float> w(static_cast<size_t>(k));  // in processing order
  for (int64_t i = 0; i < k; ++i) w[static_cast<size_t>(i)] = x[col_of(i)];
  for (int64_t i = 0; i < k; ++i) {
    const int64_t col = col_of(i);
    if (choose && i % f.group == 0) {
      // Dynamic groups: the scale comes from the values already corrected by earlier columns,
      // the candidate with the smallest GPTQ loss over the group.
      const std::vector<GroupScale> cands = group_scale_candidates(
          f, &w[static_cast<size_t>(i)], importance ? importance + i : ones.data());
      GroupScale best = cands[0];
      double best_loss = INFINITY;
      for (const GroupScale& c : cands) {
        const double loss = group_loss(f, w.data(), u, k, i, c, best_loss);
        if (loss < best_loss) {
          best_loss = loss;
          best = c;
        }
      }
      scales[static_cast<size_t>(i / f.group)] = best;
    }
    const GroupScale gs = scales[static_cast<size_t>(col / f.group)];
    uint8_t& code = codes[static_cast<size_t>(col)];
    encode_group_value(f, w[static_cast<size_t>(i)], gs.d, gs.m, &code);
    q[static_cast<size_t>(col)] = gs.d * f.code_value(code) + gs.m;
    const float err = (w[static_cast<size_t>(i)] - q[static_cast<size_t>(col)]) /
                      u[static_cast<size_t>(i * k + i)];
    const float* ui = &u[static_cast<size_t>(i * k)];
    for (int64_t j = i + 1; j < k; ++j) w[static_cast<size_t>(j)] -= err * ui[j];
  }
}

}  // namespace

RowError quantize_row_gptq(const GroupFormat& f, const float* x, const float* importance,
                           const GptqFactor& factor, int64_t k, uint8_t* out) {
  const bool ordered = !factor.order.empty();
  const int64_t n_groups = k / f.group;
  std::vector<GroupScale> scales(static_cast<size_t>(n_groups));
  if (ordered) {
    std::array<float, 256> ones;
    ones.fill(1.0f);
    for (int64_t g = 0; g < n_groups; ++g) {
      scales[static_cast<size_t>(g)] = choose_group_scale(
          f, x + g * f.group, importance ? importance + g * f.group : ones.data());
    }
  }
  std::vector<float> q(static_cast<size_t>(k));        // quantized values, original order
  std::vector<uint8_t> codes(static_cast<size_t>(k));  // their codes, original order
  gptq_pass(f, x, importance, factor, k, !ordered, scales, codes, q);
  if (!factor.h.empty()) {
    refit_scales(f, x, factor.h, k, codes, scales, q);
    // Static groups: GPTQ again with the re-fitted scales (new codes), re-fitted again, while
    // that lowers the output error.
    double best = h_error(factor.h, x, q.data(), k);
    std::vector<GroupScale> s2 = scales;
    std::vector<uint8_t> c2(codes.size());
    std::vector<float> q2(q.size());
    for (int it = 0; it < kStaticPasses; ++it) {
      gptq_pass(f, x, importance, factor, k, false, s2, c2, q2);
      refit_scales(f, x, factor.h, k, c2, s2, q2);
      const double e = h_error(factor.h, x, q2.data(), k);
      if (!(e < best)) break;
      best = e;
      scales = s2;
      codes = c2;
      q = q2;
    }
  }
  for (int64_t g = 0; g < n_groups; ++g) {
    const GroupScale gs = scales[static_cast<size_t>(g)];
    pack_group(f, gs.d, gs.m, &codes[static_cast<size_t>(g * f.group)], out + g * f.block_bytes);
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
