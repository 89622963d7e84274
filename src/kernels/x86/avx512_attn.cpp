// AVX-512 attention primitives over KV rows: the AVX2 scheme (avx2_attn.cpp) at 16 lanes. axpy
// keeps 64 columns of acc in four registers so that four FMA chains overlap across rows.
#include <cstring>

#include "core/half.h"
#include "kernels/gemm.h"
#include "kernels/ref/attn_ref.h"
#include "kernels/x86/avx512_intrin.h"  // <immintrin.h> without GCC 12's false warnings

namespace pocket {
namespace {

struct F32Row {
  static __m512 load16(const uint8_t* row, int64_t j) {
    return _mm512_loadu_ps(reinterpret_cast<const float*>(row + 4 * j));
  }
  static float load1(const uint8_t* row, int64_t j) {
    float v;
    std::memcpy(&v, row + 4 * j, 4);
    return v;
  }
};

struct F16Row {
  static __m512 load16(const uint8_t* row, int64_t j) {
    return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + 2 * j)));
  }
  static float load1(const uint8_t* row, int64_t j) {
    uint16_t h;
    std::memcpy(&h, row + 2 * j, 2);
    return fp16_to_fp32(h);
  }
};

__m512 load_q8x16(const uint8_t* p) {
  return _mm512_cvtepi32_ps(
      _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))));
}

template <class Row>
void dot_float(const KvRows& r, const float* q, float* out) {
  for (int64_t i = 0; i < r.n_rows; ++i) {
    const uint8_t* row = r.data + static_cast<size_t>(i) * r.row_stride;
    __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps();
    int64_t j = 0;
    for (; j + 32 <= r.n; j += 32) {
      a0 = _mm512_fmadd_ps(_mm512_loadu_ps(q + j), Row::load16(row, j), a0);
      a1 = _mm512_fmadd_ps(_mm512_loadu_ps(q + j + 16), Row::load16(row, j + 16), a1);
    }
    if (j + 16 <= r.n) {
      a0 = _mm512_fmadd_ps(_mm512_loadu_ps(q + j), Row::load16(row, j), a0);
      j += 16;
    }
    float s = _mm512_reduce_add_ps(_mm512_add_ps(a0, a1));
    for (; j < r.n; ++j) s += q[j] * Row::load1(row, j);
    out[i] = s;
  }
}

template <class Row>
void axpy_float(const KvRows& r, const float* w, float* acc) {
  int64_t c = 0;
  for (; c + 64 <= r.n; c += 64) {
    __m512 a0 = _mm512_loadu_ps(acc + c), a1 = _mm512_loadu_ps(acc + c + 16);
    __m512 a2 = _mm512_loadu_ps(acc + c + 32), a3 = _mm512_loadu_ps(acc + c + 48);
    for (int64_t i = 0; i < r.n_rows; ++i) {
      const uint8_t* row = r.data + static_cast<size_t>(i) * r.row_stride;
      const __m512 wi = _mm512_set1_ps(w[i]);
      a0 = _mm512_fmadd_ps(wi, Row::load16(row, c), a0);
      a1 = _mm512_fmadd_ps(wi, Row::load16(row, c + 16), a1);
      a2 = _mm512_fmadd_ps(wi, Row::load16(row, c + 32), a2);
      a3 = _mm512_fmadd_ps(wi, Row::load16(row, c + 48), a3);
    }
    _mm512_storeu_ps(acc + c, a0);
    _mm512_storeu_ps(acc + c + 16, a1);
    _mm512_storeu_ps(acc + c + 32, a2);
    _mm512_storeu_ps(acc + c + 48, a3);
  }
  for (; c + 16 <= r.n; c += 16) {
    __m512 a0 = _mm512_loadu_ps(acc + c);
    for (int64_t i = 0; i < r.n_rows; ++i) {
      const uint8_t* row = r.data + static_cast<size_t>(i) * r.row_stride;
      a0 = _mm512_fmadd_ps(_mm512_set1_ps(w[i]), Row::load16(row, c), a0);
    }
    _mm512_storeu_ps(acc + c, a0);
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
    __m512 a = _mm512_setzero_ps();
    for (int64_t b = 0; b < r.n / 32; ++b) {
      const __m512 s0 = _mm512_mul_ps(_mm512_loadu_ps(q + 32 * b), load_q8x16(row + 32 * b));
      const __m512 s =
          _mm512_fmadd_ps(_mm512_loadu_ps(q + 32 * b + 16), load_q8x16(row + 32 * b + 16), s0);
      a = _mm512_fmadd_ps(_mm512_set1_ps(sc[b]), s, a);
    }
    out[i] = _mm512_reduce_add_ps(a);
  }
}

void axpy_q8(const KvRows& r, const float* w, float* acc) {
  if (kv_q8_block(r.n) != 32) return ref::attn_axpy_q8(r, w, acc);
  const int64_t nb = r.n / 32;
  int64_t b = 0;
  for (; b + 2 <= nb; b += 2) {  // two blocks: four independent FMA chains
    float* ab = acc + 32 * b;
    __m512 a0 = _mm512_loadu_ps(ab), a1 = _mm512_loadu_ps(ab + 16);
    __m512 a2 = _mm512_loadu_ps(ab + 32), a3 = _mm512_loadu_ps(ab + 48);
    for (int64_t i = 0; i < r.n_rows; ++i) {
      const uint8_t* p = r.data + static_cast<size_t>(i) * r.row_stride + 32 * b;
      const float* sc = r.scales + i * r.scale_stride + b;
      const __m512 w0 = _mm512_set1_ps(w[i] * sc[0]);
      const __m512 w1 = _mm512_set1_ps(w[i] * sc[1]);
      a0 = _mm512_fmadd_ps(w0, load_q8x16(p), a0);
      a1 = _mm512_fmadd_ps(w0, load_q8x16(p + 16), a1);
      a2 = _mm512_fmadd_ps(w1, load_q8x16(p + 32), a2);
      a3 = _mm512_fmadd_ps(w1, load_q8x16(p + 48), a3);
    }
    _mm512_storeu_ps(ab, a0);
    _mm512_storeu_ps(ab + 16, a1);
    _mm512_storeu_ps(ab + 32, a2);
    _mm512_storeu_ps(ab + 48, a3);
  }
  for (; b < nb; ++b) {
    float* ab = acc + 32 * b;
    __m512 a0 = _mm512_loadu_ps(ab), a1 = _mm512_loadu_ps(ab + 16);
    for (int64_t i = 0; i < r.n_rows; ++i) {
      const uint8_t* p = r.data + static_cast<size_t>(i) * r.row_stride + 32 * b;
      const __m512 wi = _mm512_set1_ps(w[i] * r.scales[i * r.scale_stride + b]);
      a0 = _mm512_fmadd_ps(wi, load_q8x16(p), a0);
      a1 = _mm512_fmadd_ps(wi, load_q8x16(p + 16), a1);
    }
    _mm512_storeu_ps(ab, a0);
    _mm512_storeu_ps(ab + 16, a1);
  }
}

}  // namespace

void register_avx512_attn_kernels(KernelSet& set) {
  set.attn[static_cast<size_t>(KvType::kF32)] = {dot_float<F32Row>, axpy_float<F32Row>};
  set.attn[static_cast<size_t>(KvType::kF16)] = {dot_float<F16Row>, axpy_float<F16Row>};
  set.attn[static_cast<size_t>(KvType::kQ8)] = {dot_q8, axpy_q8};
}

}  // namespace pocket
