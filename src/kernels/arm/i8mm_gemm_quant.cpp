// Integer-weight kernels with the ARMv8.6 int8 matrix multiply (SMMLA, vmmlaq_s32) for several
// tokens (prefill). SMMLA multiplies a 2x8 int8 tile by an 8x2 one into a 2x2 int32 tile, so two
// weight rows (A, B) and two tokens (X, Y) are interleaved 8 bytes at a time (ZIP1/ZIP2 on 64-bit
// lanes) and four SMMLAs cover one 32-value slice, giving [A.X, A.Y, B.X, B.Y] in one vector.
// A tile is 4 rows (2 pairs) x 4 tokens (2 pairs): each slice's interleaved weights are reused by
// both token pairs and each token pair by both row pairs. A lone token (decode, or the odd last
// token) goes to the dotprod tile instead of wasting half of each SMMLA.
#include "kernels/arm/kernels_arm.h"
#include "kernels/arm/quant_tile.h"

namespace pocket::arm {
namespace {

inline int8x16_t zip_lo(int8x16_t a, int8x16_t b) {
  return vreinterpretq_s8_s64(vzip1q_s64(vreinterpretq_s64_s8(a), vreinterpretq_s64_s8(b)));
}
inline int8x16_t zip_hi(int8x16_t a, int8x16_t b) {
  return vreinterpretq_s8_s64(vzip2q_s64(vreinterpretq_s64_s8(a), vreinterpretq_s64_s8(b)));
}

// Rows r .. r+nr-1 (nr <= 4, missing rows repeat the last) x tokens t0 .. t0 + 2*NP - 1.
template <class Fmt, int NP>
void tile_mmla(const GemmArgs& a, int64_t r, int nr, int64_t t0) {
  static_assert(!Fmt::kSplit16, "16-value sub-scales need the dotprod tile");
  const uint8_t* wrow[kRowTile];
  for (int i = 0; i < kRowTile; ++i)
    wrow[i] = a.w + static_cast<size_t>(r + std::min(i, nr - 1)) * a.w_stride;
  const ActBlockQ8* xrow[2 * NP];
  for (int t = 0; t < 2 * NP; ++t) xrow[t] = act_row(a, t0 + t);
  float32x4_t acc[2][NP];
  for (auto& row : acc) {
    for (auto& v : row) v = vdupq_n_f32(0.0f);
  }
  const int64_t n_blocks = a.k / (kActBlock * Fmt::kSubs);
  for (int64_t b = 0; b < n_blocks; ++b) {
    const uint8_t* blk[kRowTile];
    typename Fmt::State st[kRowTile];
    for (int i = 0; i < kRowTile; ++i) {
      blk[i] = wrow[i] + static_cast<size_t>(b) * Fmt::kBytes;
      Fmt::prepare(st[i], blk[i]);
    }
    for (int s = 0; s < Fmt::kSubs; ++s) {
      W32 w[kRowTile];
      for (int i = 0; i < kRowTile; ++i) Fmt::load(st[i], blk[i], s, w[i]);
      int8x16_t m[2][4];
      float32x4_t wscale[2], wmin[2];
      for (int p = 0; p < 2; ++p) {
        const W32& wa = w[2 * p];
        const W32& wb = w[2 * p + 1];
        m[p][0] = zip_lo(wa.lo, wb.lo);
        m[p][1] = zip_hi(wa.lo, wb.lo);
        m[p][2] = zip_lo(wa.hi, wb.hi);
        m[p][3] = zip_hi(wa.hi, wb.hi);
        wscale[p] = vcombine_f32(vdup_n_f32(wa.scale), vdup_n_f32(wb.scale));
        if constexpr (Fmt::kMin) wmin[p] = vcombine_f32(vdup_n_f32(wa.min), vdup_n_f32(wb.min));
      }
      for (int q = 0; q < NP; ++q) {
        const ActBlockQ8& bx = xrow[2 * q][b * Fmt::kSubs + s];
        const ActBlockQ8& by = xrow[2 * q + 1][b * Fmt::kSubs + s];
        const int8x16_t x0 = vld1q_s8(bx.q), x1 = vld1q_s8(bx.q + 16);
        const int8x16_t y0 = vld1q_s8(by.q), y1 = vld1q_s8(by.q + 16);
        const int8x16_t n0 = zip_lo(x0, y0), n1 = zip_hi(x0, y0), n2 = zip_lo(x1, y1),
                        n3 = zip_hi(x1, y1);
        const float32x2_t dxy = {bx.d, by.d};
        const float32x4_t dv = vcombine_f32(dxy, dxy);
        float32x4_t sv = vdupq_n_f32(0.0f);
        if constexpr (Fmt::kMin) {
          const float32x2_t sxy = {bx.sum, by.sum};
          sv = vcombine_f32(sxy, sxy);
        }
        for (int p = 0; p < 2; ++p) {
          int32x4_t d = vmmlaq_s32(vdupq_n_s32(0), m[p][0], n0);
          d = vmmlaq_s32(d, m[p][1], n1);
          d = vmmlaq_s32(d, m[p][2], n2);
          d = vmmlaq_s32(d, m[p][3], n3);
          acc[p][q] = vfmaq_f32(acc[p][q], vcvtq_f32_s32(d), vmulq_f32(wscale[p], dv));
          if constexpr (Fmt::kMin) acc[p][q] = vfmsq_f32(acc[p][q], wmin[p], sv);
        }
      }
    }
  }
  for (int p = 0; p < 2; ++p) {
    for (int q = 0; q < NP; ++q) {
      float out[4];
      vst1q_f32(out, acc[p][q]);
      const int64_t tx = t0 + 2 * q;
      const int ra = 2 * p, rb = 2 * p + 1;
      if (ra < nr) {
        a.y[tx * a.y_stride + r + ra] = out[0];
        a.y[(tx + 1) * a.y_stride + r + ra] = out[1];
      }
      if (rb < nr) {
        a.y[tx * a.y_stride + r + rb] = out[2];
        a.y[(tx + 1) * a.y_stride + r + rb] = out[3];
      }
    }
  }
}

template <class Fmt>
void gemm_mmla(const GemmArgs& a) {
  if (a.n_tok < 2) {
    gemm_q8act<Fmt, DotSdot>(a);
    return;
  }
  for (int64_t r = a.r0; r < a.r1; r += kRowTile) {
    const int nr = static_cast<int>(std::min<int64_t>(kRowTile, a.r1 - r));
    int64_t t = 0;
    for (; t + 4 <= a.n_tok; t += 4) tile_mmla<Fmt, 2>(a, r, nr, t);
    if (a.n_tok - t >= 2) {
      tile_mmla<Fmt, 1>(a, r, nr, t);
      t += 2;
    }
    if (t < a.n_tok) tile_rows4<Fmt, DotSdot, 1>(a, r, nr, t);
  }
}

}  // namespace

void i8mm_gemm_q8_0(const GemmArgs& a) {
  gemm_mmla<FmtQ8_0>(a);
}
void i8mm_gemm_q4_0(const GemmArgs& a) {
  gemm_mmla<FmtQ4_0>(a);
}
void i8mm_gemm_q4_k(const GemmArgs& a) {
  gemm_mmla<FmtQ4_K>(a);
}

namespace {
template <class Fmt>
struct MmlaKernel {
  static void run(const GemmArgs& a) { gemm_mmla<Fmt>(a); }
};
}  // namespace

void i8mm_register_group_types(KernelSet& set) {
  register_group_types<MmlaKernel>(set, 4);
}

}  // namespace pocket::arm
