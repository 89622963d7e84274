#include "kernels/ref/attn_ref.h"

#include <cmath>
#include <cstring>

#include "core/half.h"

namespace pocket::ref {
namespace {

const uint8_t* row_ptr(const KvRows& r, int64_t i) {
  return r.data + static_cast<size_t>(i) * r.row_stride;
}

float f16_at(const uint8_t* row, int64_t j) {
  uint16_t h;
  std::memcpy(&h, row + 2 * j, 2);
  return fp16_to_fp32(h);
}

float f32_at(const uint8_t* row, int64_t j) {
  float v;
  std::memcpy(&v, row + 4 * j, 4);
  return v;
}

float q8_at(const KvRows& r, int64_t i, int64_t j) {
  const auto q = static_cast<int8_t>(row_ptr(r, i)[j]);
  return static_cast<float>(q) * r.scales[i * r.scale_stride + j / kv_q8_block(r.n)];
}

}  // namespace

void attn_dot_f32(const KvRows& r, const float* q, float* out) {
  for (int64_t i = 0; i < r.n_rows; ++i) {
    const uint8_t* row = row_ptr(r, i);
    float s = 0.0f;
    for (int64_t j = 0; j < r.n; ++j) s += q[j] * f32_at(row, j);
    out[i] = s;
  }
}

void attn_dot_f16(const KvRows& r, const float* q, float* out) {
  for (int64_t i = 0; i < r.n_rows; ++i) {
    const uint8_t* row = row_ptr(r, i);
    float s = 0.0f;
    for (int64_t j = 0; j < r.n; ++j) s += q[j] * f16_at(row, j);
    out[i] = s;
  }
}

void attn_dot_q8(const KvRows& r, const float* q, float* out) {
  for (int64_t i = 0; i < r.n_rows; ++i) {
    float s = 0.0f;
    for (int64_t j = 0; j < r.n; ++j) s += q[j] * q8_at(r, i, j);
    out[i] = s;
  }
}

void attn_axpy_f32(const KvRows& r, const float* w, float* acc) {
  for (int64_t i = 0; i < r.n_rows; ++i) {
    const uint8_t* row = row_ptr(r, i);
    for (int64_t j = 0; j < r.n; ++j) acc[j] += w[i] * f32_at(row, j);
  }
}

void attn_axpy_f16(const KvRows& r, const float* w, float* acc) {
  for (int64_t i = 0; i < r.n_rows; ++i) {
    const uint8_t* row = row_ptr(r, i);
    for (int64_t j = 0; j < r.n; ++j) acc[j] += w[i] * f16_at(row, j);
  }
}

void attn_axpy_q8(const KvRows& r, const float* w, float* acc) {
  for (int64_t i = 0; i < r.n_rows; ++i) {
    for (int64_t j = 0; j < r.n; ++j) acc[j] += w[i] * q8_at(r, i, j);
  }
}

void quantize_kv_q8(const float* x, int8_t* q, float* scales, int64_t n) {
  const int64_t block = kv_q8_block(n);
  for (int64_t b = 0; b < n / block; ++b) {
    const float* xb = x + b * block;
    float amax = 0.0f;
    for (int64_t j = 0; j < block; ++j) amax = std::fmax(amax, std::fabs(xb[j]));
    const float scale = amax / 127.0f;
    const float inv = scale > 0.0f ? 1.0f / scale : 0.0f;
    for (int64_t j = 0; j < block; ++j) {
      const float v = std::fmin(127.0f, std::fmax(-127.0f, std::round(xb[j] * inv)));
      q[b * block + j] = static_cast<int8_t>(v);
    }
    scales[b] = scale;
  }
}

void kv_row_to_f32(KvType type, const KvRows& r, int64_t i, float* out) {
  for (int64_t j = 0; j < r.n; ++j) {
    switch (type) {
      case KvType::kF32:
        out[j] = f32_at(row_ptr(r, i), j);
        break;
      case KvType::kF16:
        out[j] = f16_at(row_ptr(r, i), j);
        break;
      case KvType::kQ8:
        out[j] = q8_at(r, i, j);
        break;
    }
  }
}

}  // namespace pocket::ref

namespace pocket {

void register_scalar_attn_kernels(KernelSet& set) {
  set.attn[static_cast<size_t>(KvType::kF32)] = {ref::attn_dot_f32, ref::attn_axpy_f32};
  set.attn[static_cast<size_t>(KvType::kF16)] = {ref::attn_dot_f16, ref::attn_axpy_f16};
  set.attn[static_cast<size_t>(KvType::kQ8)] = {ref::attn_dot_q8, ref::attn_axpy_q8};
}

}  // namespace pocket
