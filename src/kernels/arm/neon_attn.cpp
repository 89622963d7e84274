// NEON attention primitives over KV rows (ARMv8-A baseline: f16 rows widen with FCVTL, which
// every AArch64 core has). Same scheme as x86/avx2_attn.cpp at 4 lanes: dot keeps four
// accumulators per row; axpy holds 16 columns of acc in registers while the rows stream through.
#include <arm_neon.h>

#include <cstring>

#include "core/half.h"
#include "kernels/gemm.h"
#include "kernels/ref/attn_ref.h"

namespace pocket {
namespace {

struct F32Row {
  static float32x4_t load4(const uint8_t* row, int64_t j) {
    return vld1q_f32(reinterpret_cast<const float*>(row + 4 * j));
  }
  static float load1(const uint8_t* row, int64_t j) {
    float v;
    std::memcpy(&v, row + 4 * j, 4);
    return v;
  }
};

struct F16Row {
  static float32x4_t load4(const uint8_t* row, int64_t j) {
    return vcvt_f32_f16(
        vreinterpret_f16_u16(vld1_u16(reinterpret_cast<const uint16_t*>(row + 2 * j))));
  }
  static float load1(const uint8_t* row, int64_t j) {
    uint16_t h;
    std::memcpy(&h, row + 2 * j, 2);
    return fp16_to_fp32(h);
  }
};

// 16 int8 values to four f32 vectors.
void load_q8x16(const uint8_t* p, float32x4_t out[4]) {
  const int8x16_t b = vld1q_s8(reinterpret_cast<const int8_t*>(p));
  const int16x8_t lo = vmovl_s8(vget_low_s8(b)), hi = vmovl_s8(vget_high_s8(b));
  out[0] = vcvtq_f32_s32(vmovl_s16(vget_low_s16(lo)));
  out[1] = vcvtq_f32_s32(vmovl_s16(vget_high_s16(lo)));
  out[2] = vcvtq_f32_s32(vmovl_s16(vget_low_s16(hi)));
  out[3] = vcvtq_f32_s32(vmovl_s16(vget_high_s16(hi)));
}

template <class Row>
void dot_float(const KvRows& r, const float* q, float* out) {
  for (int64_t i = 0; i < r.n_rows; ++i) {
    const uint8_t* row = r.data + static_cast<size_t>(i) * r.row_stride;
    float32x4_t a0 = vdupq_n_f32(0), a1 = vdupq_n_f32(0), a2 = vdupq_n_f32(0), a3 = vdupq_n_f32(0);
    int64_t j = 0;
    for (; j + 16 <= r.n; j += 16) {
      a0 = vfmaq_f32(a0, vld1q_f32(q + j), Row::load4(row, j));
      a1 = vfmaq_f32(a1, vld1q_f32(q + j + 4), Row::load4(row, j + 4));
      a2 = vfmaq_f32(a2, vld1q_f32(q + j + 8), Row::load4(row, j + 8));
      a3 = vfmaq_f32(a3, vld1q_f32(q + j + 12), Row::load4(row, j + 12));
    }
    for (; j + 4 <= r.n; j += 4) a0 = vfmaq_f32(a0, vld1q_f32(q + j), Row::load4(row, j));
    float s = vaddvq_f32(vaddq_f32(vaddq_f32(a0, a1), vaddq_f32(a2, a3)));
    for (; j < r.n; ++j) s += q[j] * Row::load1(row, j);
    out[i] = s;
  }
}

template <class Row>
void axpy_float(const KvRows& r, const float* w, float* acc) {
  int64_t c = 0;
  for (; c + 16 <= r.n; c += 16) {
    float32x4_t a0 = vld1q_f32(acc + c), a1 = vld1q_f32(acc + c + 4);
    float32x4_t a2 = vld1q_f32(acc + c + 8), a3 = vld1q_f32(acc + c + 12);
    for (int64_t i = 0; i < r.n_rows; ++i) {
      const uint8_t* row = r.data + static_cast<size_t>(i) * r.row_stride;
      a0 = vfmaq_n_f32(a0, Row::load4(row, c), w[i]);
      a1 = vfmaq_n_f32(a1, Row::load4(row, c + 4), w[i]);
      a2 = vfmaq_n_f32(a2, Row::load4(row, c + 8), w[i]);
      a3 = vfmaq_n_f32(a3, Row::load4(row, c + 12), w[i]);
    }
    vst1q_f32(acc + c, a0);
    vst1q_f32(acc + c + 4, a1);
    vst1q_f32(acc + c + 8, a2);
    vst1q_f32(acc + c + 12, a3);
  }
  for (; c + 4 <= r.n; c += 4) {
    float32x4_t a0 = vld1q_f32(acc + c);
    for (int64_t i = 0; i < r.n_rows; ++i) {
      a0 = vfmaq_n_f32(a0, Row::load4(r.data + static_cast<size_t>(i) * r.row_stride, c), w[i]);
    }
    vst1q_f32(acc + c, a0);
  }
  for (; c < r.n; ++c) {
    float a = acc[c];
    for (int64_t i = 0; i < r.n_rows; ++i) {
      a += w[i] * Row::load1(r.data + static_cast<size_t>(i) * r.row_stride, c);
    }
    acc[c] = a;
  }
}

void dot_q8(const KvRows& r, const float* q, float* out) {
  if (kv_q8_block(r.n) != 32) return ref::attn_dot_q8(r, q, out);
  for (int64_t i = 0; i < r.n_rows; ++i) {
    const uint8_t* row = r.data + static_cast<size_t>(i) * r.row_stride;
    const float* sc = r.scales + i * r.scale_stride;
    float32x4_t a = vdupq_n_f32(0);
    for (int64_t b = 0; b < r.n / 32; ++b) {
      float32x4_t v[8];
      load_q8x16(row + 32 * b, v);
      load_q8x16(row + 32 * b + 16, v + 4);
      const float* qb = q + 32 * b;
      float32x4_t s0 = vmulq_f32(vld1q_f32(qb), v[0]), s1 = vmulq_f32(vld1q_f32(qb + 4), v[1]);
      for (int k = 2; k < 8; k += 2) {
        s0 = vfmaq_f32(s0, vld1q_f32(qb + 4 * k), v[k]);
        s1 = vfmaq_f32(s1, vld1q_f32(qb + 4 * k + 4), v[k + 1]);
      }
      a = vfmaq_n_f32(a, vaddq_f32(s0, s1), sc[b]);
    }
    out[i] = vaddvq_f32(a);
  }
}

void axpy_q8(const KvRows& r, const float* w, float* acc) {
  if (kv_q8_block(r.n) != 32) return ref::attn_axpy_q8(r, w, acc);
  for (int64_t c = 0; c < r.n; c += 16) {  // 16 columns: half a block
    const int64_t b = c / 32;
    float32x4_t a[4] = {vld1q_f32(acc + c), vld1q_f32(acc + c + 4), vld1q_f32(acc + c + 8),
                        vld1q_f32(acc + c + 12)};
    for (int64_t i = 0; i < r.n_rows; ++i) {
      float32x4_t v[4];
      load_q8x16(r.data + static_cast<size_t>(i) * r.row_stride + c, v);
      const float wi = w[i] * r.scales[i * r.scale_stride + b];
      for (int k = 0; k < 4; ++k) a[k] = vfmaq_n_f32(a[k], v[k], wi);
    }
    for (int k = 0; k < 4; ++k) vst1q_f32(acc + c + 4 * k, a[k]);
  }
}

}  // namespace

void register_neon_attn_kernels(KernelSet& set) {
  set.attn[static_cast<size_t>(KvType::kF32)] = {dot_float<F32Row>, axpy_float<F32Row>};
  set.attn[static_cast<size_t>(KvType::kF16)] = {dot_float<F16Row>, axpy_float<F16Row>};
  set.attn[static_cast<size_t>(KvType::kQ8)] = {dot_q8, axpy_q8};
}

}  // namespace pocket
