// AVX2 (+FMA, F16C) attention primitives over KV rows. dot: one row at a time, two 8-wide
// accumulators (q stays in L1 across rows; a four-rows-at-a-time version with one shared
// reduction measured slower). axpy: 32 columns of acc held in four registers while every row
// streams through, so acc is loaded and stored once per call, not once per row. q8 rows (blocks
// of 32) are widened int8 -> int32 -> f32 and scaled once per block; a head size that is not a
// multiple of 32 (one block per row) and tails shorter than 8 use the scalar code.
#include <immintrin.h>

#include <cstring>

#include "core/half.h"
#include "kernels/gemm.h"
#include "kernels/ref/attn_ref.h"

namespace pocket {
namespace {

struct F32Row {
  static __m256 load8(const uint8_t* row, int64_t j) {
    return _mm256_loadu_ps(reinterpret_cast<const float*>(row + 4 * j));
  }
  static float load1(const uint8_t* row, int64_t j) {
    float v;
    std::memcpy(&v, row + 4 * j, 4);
    return v;
  }
};

struct F16Row {
  static __m256 load8(const uint8_t* row, int64_t j) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(row + 2 * j)));
  }
  static float load1(const uint8_t* row, int64_t j) {
    uint16_t h;
    std::memcpy(&h, row + 2 * j, 2);
    return fp16_to_fp32(h);
  }
};

__m256 load_q8x8(const uint8_t* p) {
  const __m128i b = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p));
  return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(b));
}

float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

template <class Row>
void dot_float(const KvRows& r, const float* q, float* out) {
  for (int64_t i = 0; i < r.n_rows; ++i) {
    const uint8_t* row = r.data + static_cast<size_t>(i) * r.row_stride;
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    int64_t j = 0;
    for (; j + 16 <= r.n; j += 16) {
      a0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + j), Row::load8(row, j), a0);
      a1 = _mm256_fmadd_ps(_mm256_loadu_ps(q + j + 8), Row::load8(row, j + 8), a1);
    }
    if (j + 8 <= r.n) {
      a0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + j), Row::load8(row, j), a0);
      j += 8;
    }
    float s = hsum(_mm256_add_ps(a0, a1));
    for (; j < r.n; ++j) s += q[j] * Row::load1(row, j);
    out[i] = s;
  }
}

template <class Row>
void axpy_float(const KvRows& r, const float* w, float* acc) {
  int64_t c = 0;
  for (; c + 32 <= r.n; c += 32) {
    __m256 a0 = _mm256_loadu_ps(acc + c), a1 = _mm256_loadu_ps(acc + c + 8);
    __m256 a2 = _mm256_loadu_ps(acc + c + 16), a3 = _mm256_loadu_ps(acc + c + 24);
    for (int64_t i = 0; i < r.n_rows; ++i) {
      const uint8_t* row = r.data + static_cast<size_t>(i) * r.row_stride;
      const __m256 wi = _mm256_set1_ps(w[i]);
      a0 = _mm256_fmadd_ps(wi, Row::load8(row, c), a0);
      a1 = _mm256_fmadd_ps(wi, Row::load8(row, c + 8), a1);
      a2 = _mm256_fmadd_ps(wi, Row::load8(row, c + 16), a2);
      a3 = _mm256_fmadd_ps(wi, Row::load8(row, c + 24), a3);
    }
    _mm256_storeu_ps(acc + c, a0);
    _mm256_storeu_ps(acc + c + 8, a1);
    _mm256_storeu_ps(acc + c + 16, a2);
    _mm256_storeu_ps(acc + c + 24, a3);
  }
  for (; c + 8 <= r.n; c += 8) {
    __m256 a0 = _mm256_loadu_ps(acc + c);
    for (int64_t i = 0; i < r.n_rows; ++i) {
      const uint8_t* row = r.data + static_cast<size_t>(i) * r.row_stride;
      a0 = _mm256_fmadd_ps(_mm256_set1_ps(w[i]), Row::load8(row, c), a0);
    }
    _mm256_storeu_ps(acc + c, a0);
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
    __m256 a = _mm256_setzero_ps();
    for (int64_t b = 0; b < r.n / 32; ++b) {
      const uint8_t* p = row + 32 * b;
      const float* qb = q + 32 * b;
      __m256 s0 = _mm256_mul_ps(_mm256_loadu_ps(qb), load_q8x8(p));
      __m256 s1 = _mm256_mul_ps(_mm256_loadu_ps(qb + 8), load_q8x8(p + 8));
      s0 = _mm256_fmadd_ps(_mm256_loadu_ps(qb + 16), load_q8x8(p + 16), s0);
      s1 = _mm256_fmadd_ps(_mm256_loadu_ps(qb + 24), load_q8x8(p + 24), s1);
      a = _mm256_fmadd_ps(_mm256_set1_ps(sc[b]), _mm256_add_ps(s0, s1), a);
    }
    out[i] = hsum(a);
  }
}

void axpy_q8(const KvRows& r, const float* w, float* acc) {
  if (kv_q8_block(r.n) != 32) return ref::attn_axpy_q8(r, w, acc);
  for (int64_t b = 0; b < r.n / 32; ++b) {
    float* ab = acc + 32 * b;
    __m256 a0 = _mm256_loadu_ps(ab), a1 = _mm256_loadu_ps(ab + 8);
    __m256 a2 = _mm256_loadu_ps(ab + 16), a3 = _mm256_loadu_ps(ab + 24);
    for (int64_t i = 0; i < r.n_rows; ++i) {
      const uint8_t* p = r.data + static_cast<size_t>(i) * r.row_stride + 32 * b;
      const __m256 wi = _mm256_set1_ps(w[i] * r.scales[i * r.scale_stride + b]);
      a0 = _mm256_fmadd_ps(wi, load_q8x8(p), a0);
      a1 = _mm256_fmadd_ps(wi, load_q8x8(p + 8), a1);
      a2 = _mm256_fmadd_ps(wi, load_q8x8(p + 16), a2);
      a3 = _mm256_fmadd_ps(wi, load_q8x8(p + 24), a3);
    }
    _mm256_storeu_ps(ab, a0);
    _mm256_storeu_ps(ab + 8, a1);
    _mm256_storeu_ps(ab + 16, a2);
    _mm256_storeu_ps(ab + 24, a3);
  }
}

}  // namespace

void register_avx2_attn_kernels(KernelSet& set) {
  set.attn[static_cast<size_t>(KvType::kF32)] = {dot_float<F32Row>, axpy_float<F32Row>};
  set.attn[static_cast<size_t>(KvType::kF16)] = {dot_float<F16Row>, axpy_float<F16Row>};
  set.attn[static_cast<size_t>(KvType::kQ8)] = {dot_q8, axpy_q8};
}

}  // namespace pocket
