// Shared building blocks of the ARM integer kernels (neon_*, dotprod_*, i8mm_*).
//
// Everything here is in an anonymous namespace on purpose: each ISA's .cpp is compiled with its
// own -march, so each must get its own private copy of these templates (a shared inline copy
// could be merged by the linker into the one built for a newer ISA and fault on an older CPU).
//
// A weight format is described by a policy that turns one 32-value slice of a weight row (the
// span of one ActBlockQ8) into two int8x16 vectors plus float factors:
//   contribution = scale * dx * dot(w, xq) - min * (dx * sum(xq))       (sum(xq)*dx =
//   ActBlockQ8::sum)
// Formats whose 32-value slice has two 16-value sub-scales (Q6_K) fold them in as integer factors
// (sub_lo, sub_hi) applied to the two 16-value halves of the dot product.
#pragma once

#include <arm_neon.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>

#include "kernels/act_quant.h"
#include "kernels/gemm.h"
#include "kernels/ref/block_layouts.h"

namespace pocket::arm {
namespace {

inline float half_to_float(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, 2);
  return static_cast<float>(std::bit_cast<__fp16>(h));
}

// One 32-value slice of a weight row.
struct W32 {
  int8x16_t lo, hi;  // values 0..15 and 16..31
  float scale = 0.0f;
  float min = 0.0f;
  int32_t sub_lo = 1, sub_hi = 1;  // only formats with kSplit16
};

// ---- weight formats ---------------------------------------------------------------------------

struct FmtQ8_0 {
  static constexpr int kSubs = 1;  // 32-value slices per block
  static constexpr size_t kBytes = sizeof(BlockQ8_0);
  static constexpr bool kMin = false;
  static constexpr bool kSplit16 = false;
  struct State {};
  static void prepare(State&, const uint8_t*) {}
  static void load(const State&, const uint8_t* blk, int, W32& w) {
    const auto* qs = reinterpret_cast<const int8_t*>(blk + 2);
    w.lo = vld1q_s8(qs);
    w.hi = vld1q_s8(qs + 16);
    w.scale = half_to_float(blk);
  }
};

struct FmtQ4_0 {
  static constexpr int kSubs = 1;
  static constexpr size_t kBytes = sizeof(BlockQ4_0);
  static constexpr bool kMin = false;
  static constexpr bool kSplit16 = false;
  struct State {};
  static void prepare(State&, const uint8_t*) {}
  static void load(const State&, const uint8_t* blk, int, W32& w) {
    const uint8x16_t q = vld1q_u8(blk + 2);
    const int8x16_t eight = vdupq_n_s8(8);
    w.lo = vsubq_s8(vreinterpretq_s8_u8(vandq_u8(q, vdupq_n_u8(0x0f))), eight);
    w.hi = vsubq_s8(vreinterpretq_s8_u8(vshrq_n_u8(q, 4)), eight);
    w.scale = half_to_float(blk);
  }
};

// Our group-wise types (docs/FORMATS.md): one f16 scale (and offset) per G values; 32-value
// slices in order, int4 nibbles in Q4_0's order within each slice.
template <int G>
struct FmtPQ8 {  // { f16 d; int8 q[G] }
  static constexpr int kSubs = G / 32;
  static constexpr size_t kBytes = 2 + G;
  static constexpr bool kMin = false;
  static constexpr bool kSplit16 = false;
  struct State {};
  static void prepare(State&, const uint8_t*) {}
  static void load(const State&, const uint8_t* blk, int s, W32& w) {
    const auto* qs = reinterpret_cast<const int8_t*>(blk + 2 + 32 * s);
    w.lo = vld1q_s8(qs);
    w.hi = vld1q_s8(qs + 16);
    w.scale = half_to_float(blk);
  }
};

template <int G>
struct FmtPQ4 {  // { f16 d; u8 qs[G / 2] }, value = d * (q - 8)
  static constexpr int kSubs = G / 32;
  static constexpr size_t kBytes = 2 + G / 2;
  static constexpr bool kMin = false;
  static constexpr bool kSplit16 = false;
  struct State {};
  static void prepare(State&, const uint8_t*) {}
  static void load(const State&, const uint8_t* blk, int s, W32& w) {
    const uint8x16_t q = vld1q_u8(blk + 2 + 16 * s);
    const int8x16_t eight = vdupq_n_s8(8);
    w.lo = vsubq_s8(vreinterpretq_s8_u8(vandq_u8(q, vdupq_n_u8(0x0f))), eight);
    w.hi = vsubq_s8(vreinterpretq_s8_u8(vshrq_n_u8(q, 4)), eight);
    w.scale = half_to_float(blk);
  }
};

template <int G>
struct FmtPQ4A {  // { f16 d; f16 m; u8 qs[G / 2] }, value = d * q + m
  static constexpr int kSubs = G / 32;
  static constexpr size_t kBytes = 4 + G / 2;
  static constexpr bool kMin = true;
  static constexpr bool kSplit16 = false;
  struct State {};
  static void prepare(State&, const uint8_t*) {}
  static void load(const State&, const uint8_t* blk, int s, W32& w) {
    const uint8x16_t q = vld1q_u8(blk + 4 + 16 * s);
    w.lo = vreinterpretq_s8_u8(vandq_u8(q, vdupq_n_u8(0x0f)));
    w.hi = vreinterpretq_s8_u8(vshrq_n_u8(q, 4));
    w.scale = half_to_float(blk);
    w.min = -half_to_float(blk + 2);  // the kernels subtract min * sum(x)
  }
};

// Registers Fmt<G> kernels built with `Kernel` for the group-wise types.
template <template <class> class Kernel>
void register_group_types(KernelSet& set, int row_tile) {
  auto put = [&](DType t, GemmFn fn) {
    set.gemm[static_cast<size_t>(t)] = {fn, ActFormat::kQ8, row_tile};
  };
  put(DType::kPQ8_G64, Kernel<FmtPQ8<64>>::run);
  put(DType::kPQ8_G128, Kernel<FmtPQ8<128>>::run);
  put(DType::kPQ4_G64, Kernel<FmtPQ4<64>>::run);
  put(DType::kPQ4_G128, Kernel<FmtPQ4<128>>::run);
  put(DType::kPQ4A_G64, Kernel<FmtPQ4A<64>>::run);
  put(DType::kPQ4A_G128, Kernel<FmtPQ4A<128>>::run);
}

// Q4_K: sub-block s (32 values) = d * scale[s] * q - dmin * min[s]; see block_layouts.h.
struct FmtQ4_K {
  static constexpr int kSubs = 8;
  static constexpr size_t kBytes = sizeof(BlockQ4_K);
  static constexpr bool kMin = true;
  static constexpr bool kSplit16 = false;
  struct State {
    float scale[8];
    float min[8];
  };
  static void prepare(State& st, const uint8_t* blk) {
    const float d = half_to_float(blk);
    const float dmin = half_to_float(blk + 2);
    const uint8_t* p = blk + 4;
    for (int s = 0; s < 8; ++s) {
      int sc, m;
      if (s < 4) {
        sc = p[s] & 63;
        m = p[s + 4] & 63;
      } else {
        sc = (p[s + 4] & 0x0f) | ((p[s - 4] >> 6) << 4);
        m = (p[s + 4] >> 4) | ((p[s] >> 6) << 4);
      }
      st.scale[s] = d * static_cast<float>(sc);
      st.min[s] = dmin * static_cast<float>(m);
    }
  }
  static void load(const State& st, const uint8_t* blk, int s, W32& w) {
    const uint8_t* qs = blk + 16 + 32 * (s / 2);
    const uint8x16_t a = vld1q_u8(qs), b = vld1q_u8(qs + 16);
    if (s % 2 == 0) {
      const uint8x16_t m = vdupq_n_u8(0x0f);
      w.lo = vreinterpretq_s8_u8(vandq_u8(a, m));
      w.hi = vreinterpretq_s8_u8(vandq_u8(b, m));
    } else {
      w.lo = vreinterpretq_s8_u8(vshrq_n_u8(a, 4));
      w.hi = vreinterpretq_s8_u8(vshrq_n_u8(b, 4));
    }
    w.scale = st.scale[s];
    w.min = st.min[s];
  }
};

// Q6_K: 32-value slice j = 4h + k of the block (half h, quarter k) has values l = 0..31 with
// low bits from ql[64h + l + 32(k%2)] (low nibble if k < 2), high bits (qh[32h + l] >> 2k) & 3,
// and scales[8h + l/16 + 2k]; value = d * scale * (q - 32).
struct FmtQ6_K {
  static constexpr int kSubs = 8;
  static constexpr size_t kBytes = sizeof(BlockQ6_K);
  static constexpr bool kMin = false;
  static constexpr bool kSplit16 = true;
  struct State {
    float d;
  };
  static void prepare(State& st, const uint8_t* blk) { st.d = half_to_float(blk + 208); }
  static void load(const State& st, const uint8_t* blk, int j, W32& w) {
    const int h = j / 4, k = j % 4;
    const uint8_t* ql = blk + 64 * h + 32 * (k % 2);
    const uint8_t* qh = blk + 128 + 32 * h;
    const auto* sc = reinterpret_cast<const int8_t*>(blk + 192 + 8 * h + 2 * k);
    uint8x16_t la = vld1q_u8(ql), lb = vld1q_u8(ql + 16);
    if (k < 2) {
      la = vandq_u8(la, vdupq_n_u8(0x0f));
      lb = vandq_u8(lb, vdupq_n_u8(0x0f));
    } else {
      la = vshrq_n_u8(la, 4);
      lb = vshrq_n_u8(lb, 4);
    }
    const int8x16_t shift = vdupq_n_s8(static_cast<int8_t>(-2 * k));  // right shift by 2k
    const uint8x16_t three = vdupq_n_u8(3);
    const uint8x16_t ha = vandq_u8(vshlq_u8(vld1q_u8(qh), shift), three);
    const uint8x16_t hb = vandq_u8(vshlq_u8(vld1q_u8(qh + 16), shift), three);
    const int8x16_t k32 = vdupq_n_s8(32);
    w.lo = vsubq_s8(vreinterpretq_s8_u8(vorrq_u8(la, vshlq_n_u8(ha, 4))), k32);
    w.hi = vsubq_s8(vreinterpretq_s8_u8(vorrq_u8(lb, vshlq_n_u8(hb, 4))), k32);
    w.scale = st.d;
    w.sub_lo = sc[0];
    w.sub_hi = sc[1];
  }
};

// ---- int8 dot products ------------------------------------------------------------------------

// Plain NEON: widening multiplies (SMULL/SMULL2) and pairwise accumulation (SADALP). Two int8
// products fit int16 (|w| <= 128, |x| <= 127: 2 * 16256 < 32767).
struct DotNeon {
  static int32x4_t dot16(int8x16_t w, int8x16_t x) {
    const int16x8_t p = vaddq_s16(vmull_s8(vget_low_s8(w), vget_low_s8(x)), vmull_high_s8(w, x));
    return vpaddlq_s16(p);
  }
  static int32x4_t dot32(const W32& w, int8x16_t x0, int8x16_t x1) {
    const int16x8_t p0 =
        vaddq_s16(vmull_s8(vget_low_s8(w.lo), vget_low_s8(x0)), vmull_high_s8(w.lo, x0));
    const int16x8_t p1 =
        vaddq_s16(vmull_s8(vget_low_s8(w.hi), vget_low_s8(x1)), vmull_high_s8(w.hi, x1));
    return vpadalq_s16(vpaddlq_s16(p0), p1);
  }
};

#if defined(__ARM_FEATURE_DOTPROD)
// SDOT: four 4-way int8 dot products into int32 lanes.
struct DotSdot {
  static int32x4_t dot16(int8x16_t w, int8x16_t x) { return vdotq_s32(vdupq_n_s32(0), w, x); }
  static int32x4_t dot32(const W32& w, int8x16_t x0, int8x16_t x1) {
    return vdotq_s32(vdotq_s32(vdupq_n_s32(0), w.lo, x0), w.hi, x1);
  }
};
#endif

template <class Fmt, class Dot>
inline int32x4_t slice_dot(const W32& w, int8x16_t x0, int8x16_t x1) {
  if constexpr (Fmt::kSplit16) {
    return vmlaq_n_s32(vmulq_n_s32(Dot::dot16(w.lo, x0), w.sub_lo), Dot::dot16(w.hi, x1), w.sub_hi);
  } else {
    return Dot::dot32(w, x0, x1);
  }
}

inline const ActBlockQ8* act_row(const GemmArgs& a, int64_t t) {
  return reinterpret_cast<const ActBlockQ8*>(static_cast<const uint8_t*>(a.x) +
                                             static_cast<size_t>(t) * a.x_stride);
}

// ---- the 4-rows x NT-tokens tile ---------------------------------------------------------------

inline constexpr int kRowTile = 4;

// Rows r .. r+nr-1 (nr <= 4; missing rows repeat the last one and are not stored) against tokens
// t0 .. t0+NT-1. Each weight slice is decoded once and used for all NT tokens.
template <class Fmt, class Dot, int NT>
void tile_rows4(const GemmArgs& a, int64_t r, int nr, int64_t t0) {
  const uint8_t* wrow[kRowTile];
  for (int i = 0; i < kRowTile; ++i)
    wrow[i] = a.w + static_cast<size_t>(r + std::min(i, nr - 1)) * a.w_stride;
  const ActBlockQ8* xrow[NT];
  for (int t = 0; t < NT; ++t) xrow[t] = act_row(a, t0 + t);
  float32x4_t acc[kRowTile][NT];
  float corr[kRowTile][NT];
  for (int i = 0; i < kRowTile; ++i) {
    for (int t = 0; t < NT; ++t) {
      acc[i][t] = vdupq_n_f32(0.0f);
      corr[i][t] = 0.0f;
    }
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
      for (int t = 0; t < NT; ++t) {
        const ActBlockQ8& xb = xrow[t][b * Fmt::kSubs + s];
        const int8x16_t x0 = vld1q_s8(xb.q), x1 = vld1q_s8(xb.q + 16);
        for (int i = 0; i < kRowTile; ++i) {
          const int32x4_t d = slice_dot<Fmt, Dot>(w[i], x0, x1);
          acc[i][t] = vfmaq_n_f32(acc[i][t], vcvtq_f32_s32(d), w[i].scale * xb.d);
          if constexpr (Fmt::kMin) corr[i][t] += w[i].min * xb.sum;
        }
      }
    }
  }
  for (int t = 0; t < NT; ++t) {
    float* y = a.y + (t0 + t) * a.y_stride + r;
    for (int i = 0; i < nr; ++i) y[i] = vaddvq_f32(acc[i][t]) - corr[i][t];
  }
}

template <class Fmt, class Dot>
void gemm_q8act(const GemmArgs& a) {
  for (int64_t r = a.r0; r < a.r1; r += kRowTile) {
    const int nr = static_cast<int>(std::min<int64_t>(kRowTile, a.r1 - r));
    int64_t t = 0;
    for (; t + 4 <= a.n_tok; t += 4) tile_rows4<Fmt, Dot, 4>(a, r, nr, t);
    switch (a.n_tok - t) {
      case 3:
        tile_rows4<Fmt, Dot, 3>(a, r, nr, t);
        break;
      case 2:
        tile_rows4<Fmt, Dot, 2>(a, r, nr, t);
        break;
      case 1:
        tile_rows4<Fmt, Dot, 1>(a, r, nr, t);
        break;
      default:
        break;
    }
  }
}

}  // namespace
}  // namespace pocket::arm
