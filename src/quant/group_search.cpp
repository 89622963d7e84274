#include "quant/group_search.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "core/half.h"
#include "kernels/ref/fp8_e4m3.h"

namespace pocket::quant {
namespace {

constexpr int kLanes = 8;  // partial sums so the compiler can vectorize the reductions

float to_f16(float v) {
  return fp16_to_fp32(fp32_to_fp16(v));
}

// The unscaled values of a group's codes (code_value without a switch per value).
void decode_codes(const GroupFormat& f, const uint8_t* codes, float* out) {
  if (f.code == GroupCode::kFp8) {
    for (int i = 0; i < f.group; ++i) out[i] = f.code_value(codes[i]);
  } else if (f.code == GroupCode::kInt8) {
    for (int i = 0; i < f.group; ++i) out[i] = static_cast<float>(static_cast<int8_t>(codes[i]));
  } else {
    const int off = f.has_min ? 0 : 8;
    for (int i = 0; i < f.group; ++i) out[i] = static_cast<float>(codes[i] - off);
  }
}

// Round to nearest even for |v| < 2^22 without a libm call (vectorizes on every target).
inline float round_even(float v) {
  constexpr float kMagic = 12582912.0f;  // 1.5 * 2^23
  return (v + kMagic) - kMagic;
}

// Integer formats: value = d * (q - off) + m with q in [lo, hi].
struct IntGrid {
  float off, lo, hi;
};

IntGrid int_grid(const GroupFormat& f) {
  if (f.code == GroupCode::kInt8) return {0.0f, -127.0f, 127.0f};
  return {f.has_min ? 0.0f : 8.0f, 0.0f, 15.0f};
}

// Weighted squared error of one group for scale d and offset m (integer formats).
float int_error(const IntGrid& g, const float* x, const float* w, int n, float d, float m) {
  const float inv = d != 0.0f ? 1.0f / d : 0.0f;
  std::array<float, kLanes> acc{};
  for (int i = 0; i < n; i += kLanes) {
    for (int l = 0; l < kLanes; ++l) {
      const float v = std::min(std::max((x[i + l] - m) * inv + g.off, g.lo), g.hi);
      const float r = x[i + l] - (d * (round_even(v) - g.off) + m);
      acc[static_cast<size_t>(l)] += w[i + l] * r * r;
    }
  }
  float s = 0.0f;
  for (float a : acc) s += a;
  return s;
}

float fp8_error(const float* x, const float* w, int n, float d) {
  const float inv = d != 0.0f ? 1.0f / d : 0.0f;
  float s = 0.0f;
  for (int i = 0; i < n; ++i) {
    const float r = x[i] - d * e4m3_to_f32(f32_to_e4m3(x[i] * inv));
    s += w[i] * r * r;
  }
  return s;
}

float error_of(const GroupFormat& f, const float* x, const float* w, float d, float m) {
  if (f.code == GroupCode::kFp8) return fp8_error(x, w, f.group, d);
  return int_error(int_grid(f), x, w, f.group, d, m);
}

struct Choice {
  float d = 0.0f, m = 0.0f, err = INFINITY;
};

void consider(const GroupFormat& f, const float* x, const float* w, float d, float m,
              Choice& best) {
  d = to_f16(d);
  m = to_f16(m);
  const float e = error_of(f, x, w, d, m);
  if (e < best.err) best = {d, m, e};
}

// Least-squares d (and m) for the codes the current choice gives, then kept only if better.
void refine(const GroupFormat& f, const float* x, const float* w, Choice& best) {
  uint8_t codes[256];
  encode_group(f, x, best.d, best.m, codes);
  float values[256];
  decode_codes(f, codes, values);
  double swcc = 0, swxc = 0, swc = 0, sw = 0, swx = 0;
  for (int i = 0; i < f.group; ++i) {
    const double c = values[i];
    swcc += w[i] * c * c;
    swxc += w[i] * x[i] * c;
    swc += w[i] * c;
    sw += w[i];
    swx += w[i] * x[i];
  }
  if (!f.has_min) {
    if (swcc > 0) consider(f, x, w, static_cast<float>(swxc / swcc), 0.0f, best);
    return;
  }
  const double det = sw * swcc - swc * swc;
  if (det <= 0) return;
  const double d = (sw * swxc - swc * swx) / det;
  const double m = (swcc * swx - swc * swxc) / det;
  consider(f, x, w, static_cast<float>(d), static_cast<float>(m), best);
}

Choice search_group(const GroupFormat& f, const float* x, const float* w) {
  Choice best;
  float lo = x[0], hi = x[0], signed_max = 0.0f;
  for (int i = 0; i < f.group; ++i) {
    lo = std::min(lo, x[i]);
    hi = std::max(hi, x[i]);
    if (std::fabs(x[i]) > std::fabs(signed_max)) signed_max = x[i];
  }
  if (signed_max == 0.0f) return {0.0f, 0.0f, 0.0f};
  // Candidates shrink the range a little: clipping the largest value often lowers the error of
  // all the others by more than it costs.
  constexpr std::array kShrink = {1.0f, 0.94f, 0.88f, 0.82f, 0.76f};
  for (float s : kShrink) {
    switch (f.code) {
      case GroupCode::kInt8:
        consider(f, x, w, std::fabs(signed_max) / 127.0f * (1.0f - (1.0f - s) * 0.25f), 0.0f, best);
        break;
      case GroupCode::kUint4:
        if (f.has_min) {
          const float span = (hi - lo) * s;
          consider(f, x, w, span / 15.0f, lo + (hi - lo - span) * 0.5f, best);
        } else {
          consider(f, x, w, signed_max / -8.0f * s, 0.0f, best);            // extreme on the -8 end
          if (s == 1.0f) consider(f, x, w, signed_max / 7.0f, 0.0f, best);  // ... on the +7 end
        }
        break;
      case GroupCode::kFp8:
        consider(f, x, w, std::fabs(signed_max) / kE4M3Max * s, 0.0f, best);
        break;
    }
  }
  refine(f, x, w, best);
  return best;
}

}  // namespace

GroupScale choose_group_scale(const GroupFormat& f, const float* x, const float* weights) {
  const Choice c = search_group(f, x, weights);
  return {c.d, c.m};
}

std::vector<GroupScale> group_scale_candidates(const GroupFormat& f, const float* x,
                                               const float* weights) {
  std::vector<GroupScale> out;
  const Choice c = search_group(f, x, weights);
  out.push_back({c.d, c.m});
  float lo = x[0], hi = x[0], signed_max = 0.0f;
  for (int i = 0; i < f.group; ++i) {
    lo = std::min(lo, x[i]);
    hi = std::max(hi, x[i]);
    if (std::fabs(x[i]) > std::fabs(signed_max)) signed_max = x[i];
  }
  if (signed_max == 0.0f) return out;
  auto add = [&](float d, float m) { out.push_back({to_f16(d), to_f16(m)}); };
  constexpr int kSteps = 10;  // shrink 1.0, 0.95, .., 0.5
  for (int i = 0; i <= kSteps; ++i) {
    const float s = 1.0f - 0.05f * static_cast<float>(i);
    switch (f.code) {
      case GroupCode::kInt8:
        add(std::fabs(signed_max) / 127.0f * (1.0f - (1.0f - s) * 0.25f), 0.0f);
        break;
      case GroupCode::kUint4:
        if (f.has_min) {
          const float span = (hi - lo) * s;
          add(span / 15.0f, lo + (hi - lo - span) * 0.5f);
        } else {
          add(signed_max / -8.0f * s, 0.0f);
          add(signed_max / 7.0f * s, 0.0f);
        }
        break;
      case GroupCode::kFp8:
        add(std::fabs(signed_max) / kE4M3Max * s, 0.0f);
        break;
    }
  }
  return out;
}

RowError quantize_row_searched(const GroupFormat& f, const float* x, const float* importance,
                               int64_t n, uint8_t* out) {
  RowError e;
  std::array<float, 256> ones;
  ones.fill(1.0f);
  uint8_t codes[256];
  for (int64_t b = 0; b < n / f.group; ++b) {
    const float* xg = x + b * f.group;
    const float* wg = importance ? importance + b * f.group : ones.data();
    const Choice c = search_group(f, xg, wg);
    encode_group(f, xg, c.d, c.m, codes);
    pack_group(f, c.d, c.m, codes, out + b * f.block_bytes);
    float values[256];
    decode_codes(f, codes, values);
    float err2 = 0.0f, ref2 = 0.0f;
    for (int i = 0; i < f.group; ++i) {
      const float r = xg[i] - (c.d * values[i] + c.m);
      err2 += r * r;
      ref2 += xg[i] * xg[i];
    }
    e.err2 += err2;
    e.ref2 += ref2;
  }
  return e;
}

}  // namespace pocket::quant

#include <vector>

#include "kernels/ref/dequant.h"

namespace pocket::quant {

RowError quantize_row_best(DType type, const float* x, const float* importance, int64_t n,
                           uint8_t* out) {
  if (const auto f = group_format(type)) return quantize_row_searched(*f, x, importance, n, out);
  quantize_row(type, x, out, n);
  thread_local std::vector<float> back;
  back.resize(static_cast<size_t>(n));
  dequantize_row(type, out, back.data(), n);
  RowError e;
  for (int64_t i = 0; i < n; ++i) {
    const double r = static_cast<double>(x[i]) - back[static_cast<size_t>(i)];
    e.err2 += r * r;
    e.ref2 += static_cast<double>(x[i]) * x[i];
  }
  return e;
}

}  // namespace pocket::quant
