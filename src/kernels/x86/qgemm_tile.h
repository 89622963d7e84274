// The integer GEMM driver shared by the AVX2 and AVX-512 VNNI kernels, and the block decoders
// that turn one GGML weight block into bytes ready for an int8 dot product.
//
// Included only by avx2_*.cpp / avx512_*.cpp files: everything is in an anonymous namespace so
// each file gets its own copy compiled with its own target flags (no ODR mixing of an AVX-512
// instantiation into the AVX2 path).
//
// The shape of the computation: every weight format is read as 32-value groups aligned with the
// activation blocks (ActBlockQ8: d, sum = d * sum(q), q[32]). A decoder gives, for group j of a
// weight block:
//   quants(j)  32 bytes q, unsigned (0..63) except Q8_0 (signed)
//   kZero      the integer zero point: the group's value is scale * (q - kZero) [- min]
//   scale(j)   8 lanes of f32 weight scale; lane l covers bytes 4l..4l+3 (Q6_K has two 16-value
//              sub-blocks per group, so lanes 0-3 and 4-7 differ)
//   min(j)     for formats with an offset (Q4_1, Q5_1, Q4_K, Q5_K): value = scale * q - min
// The ISA policy computes, per lane, the exact integer sum((q - kZero) * a) over its 4 bytes;
// the zero point is removed in the integer domain with a correction that depends only on the
// activations, so it is computed once per (token, group) and shared by all rows of the tile.
// Offsets use ActBlockQ8::sum: sum(min * a) = min * d_a * sum(a_q) = min * sum.
//
// Tiling: R rows x T tokens of f32 accumulators. Prefill (T > 1) reuses each decoded weight group
// for T tokens; decode (T = 1) streams R rows with R independent accumulator chains.
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/act_quant.h"
#include "kernels/gemm.h"
#include "kernels/ref/block_layouts.h"
#include "kernels/x86/next_tile_prefetch.h"
#include "kernels/x86/unroll.h"

namespace pocket {
namespace {

// One f16 scale with the F16C instruction (the portable fp16_to_fp32 is a dozen branchy ops).
inline float load_f16(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, 2);
  return _cvtsh_ss(h);
}

inline __m256i loadu256(const void* p) {
  return _mm256_loadu_si256(static_cast<const __m256i*>(p));
}
inline __m128i loadu128(const void* p) {
  return _mm_loadu_si128(static_cast<const __m128i*>(p));
}

inline float hsum256(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// 16 packed bytes of nibbles -> 32 bytes: the low nibbles (values 0..15) then the high nibbles
// (values 16..31), GGML's legacy order.
inline __m256i legacy_nibbles(const uint8_t* qs) {
  const __m128i v = loadu128(qs);
  const __m256i both = _mm256_set_m128i(_mm_srli_epi16(v, 4), v);
  return _mm256_and_si256(both, _mm256_set1_epi8(0x0F));
}

// Bit j of the 32-bit word at qh -> byte j = 0x10 if set: broadcast the word, send byte j/8 to
// byte j, keep bit j%8, compare to make 0xFF, mask to the fifth-bit weight.
inline __m256i legacy_fifth_bits(const uint8_t* qh) {
  uint32_t bits;
  std::memcpy(&bits, qh, 4);
  const __m256i spread = _mm256_shuffle_epi8(
      _mm256_set1_epi32(static_cast<int>(bits)),
      _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202, 0x0101010101010101, 0));
  const __m256i bit = _mm256_set1_epi64x(static_cast<int64_t>(0x8040201008040201ULL));
  const __m256i set = _mm256_cmpeq_epi8(_mm256_and_si256(spread, bit), bit);
  return _mm256_and_si256(set, _mm256_set1_epi8(0x10));
}

// ---- decoders ----

struct DecQ8_0 {
  static constexpr int kVals = 32, kBytes = sizeof(BlockQ8_0), kZero = 0;
  static constexpr bool kSigned = true, kHasMin = false;
  struct Prep {
    float d;
  };
  static Prep prep(const uint8_t* b) { return {load_f16(b)}; }
  static __m256i quants(const uint8_t* b, int) { return loadu256(b + 2); }
  static __m256 scale(const Prep& p, int) { return _mm256_set1_ps(p.d); }
  static float min(const Prep&, int) { return 0.0f; }
};

struct DecQ4_0 {
  static constexpr int kVals = 32, kBytes = sizeof(BlockQ4_0), kZero = 8;
  static constexpr bool kSigned = false, kHasMin = false;
  struct Prep {
    float d;
  };
  static Prep prep(const uint8_t* b) { return {load_f16(b)}; }
  static __m256i quants(const uint8_t* b, int) { return legacy_nibbles(b + 2); }
  static __m256 scale(const Prep& p, int) { return _mm256_set1_ps(p.d); }
  static float min(const Prep&, int) { return 0.0f; }
};

struct DecQ4_1 {
  static constexpr int kVals = 32, kBytes = sizeof(BlockQ4_1), kZero = 0;
  static constexpr bool kSigned = false, kHasMin = true;
  struct Prep {
    float d, m;
  };
  static Prep prep(const uint8_t* b) { return {load_f16(b), load_f16(b + 2)}; }
  static __m256i quants(const uint8_t* b, int) { return legacy_nibbles(b + 4); }
  static __m256 scale(const Prep& p, int) { return _mm256_set1_ps(p.d); }
  static float min(const Prep& p, int) { return -p.m; }  // value = d * q + m
};

struct DecQ5_0 {
  static constexpr int kVals = 32, kBytes = sizeof(BlockQ5_0), kZero = 16;
  static constexpr bool kSigned = false, kHasMin = false;
  struct Prep {
    float d;
  };
  static Prep prep(const uint8_t* b) { return {load_f16(b)}; }
  static __m256i quants(const uint8_t* b, int) {
    return _mm256_or_si256(legacy_nibbles(b + 6), legacy_fifth_bits(b + 2));
  }
  static __m256 scale(const Prep& p, int) { return _mm256_set1_ps(p.d); }
  static float min(const Prep&, int) { return 0.0f; }
};

struct DecQ5_1 {
  static constexpr int kVals = 32, kBytes = sizeof(BlockQ5_1), kZero = 0;
  static constexpr bool kSigned = false, kHasMin = true;
  struct Prep {
    float d, m;
  };
  static Prep prep(const uint8_t* b) { return {load_f16(b), load_f16(b + 2)}; }
  static __m256i quants(const uint8_t* b, int) {
    return _mm256_or_si256(legacy_nibbles(b + 8), legacy_fifth_bits(b + 4));
  }
  static __m256 scale(const Prep& p, int) { return _mm256_set1_ps(p.d); }
  static float min(const Prep& p, int) { return -p.m; }
};

// Our group-wise types (docs/FORMATS.md): one f16 scale (and offset) per G values, the 32-value
// groups inside a block in order, int4 nibbles in Q4_0's order within each group.
template <int G>
struct DecPQ8 {  // { f16 d; int8 q[G] }
  static constexpr int kVals = G, kBytes = 2 + G, kZero = 0;
  static constexpr bool kSigned = true, kHasMin = false;
  struct Prep {
    float d;
  };
  static Prep prep(const uint8_t* b) { return {load_f16(b)}; }
  static __m256i quants(const uint8_t* b, int j) { return loadu256(b + 2 + 32 * j); }
  static __m256 scale(const Prep& p, int) { return _mm256_set1_ps(p.d); }
  static float min(const Prep&, int) { return 0.0f; }
};

template <int G>
struct DecPQ4 {  // { f16 d; u8 qs[G / 2] }, value = d * (q - 8)
  static constexpr int kVals = G, kBytes = 2 + G / 2, kZero = 8;
  static constexpr bool kSigned = false, kHasMin = false;
  struct Prep {
    float d;
  };
  static Prep prep(const uint8_t* b) { return {load_f16(b)}; }
  static __m256i quants(const uint8_t* b, int j) { return legacy_nibbles(b + 2 + 16 * j); }
  static __m256 scale(const Prep& p, int) { return _mm256_set1_ps(p.d); }
  static float min(const Prep&, int) { return 0.0f; }
};

template <int G>
struct DecPQ4A {  // { f16 d; f16 m; u8 qs[G / 2] }, value = d * q + m
  static constexpr int kVals = G, kBytes = 4 + G / 2, kZero = 0;
  static constexpr bool kSigned = false, kHasMin = true;
  struct Prep {
    float d, m;
  };
  static Prep prep(const uint8_t* b) { return {load_f16(b), load_f16(b + 2)}; }
  static __m256i quants(const uint8_t* b, int j) { return legacy_nibbles(b + 4 + 16 * j); }
  static __m256 scale(const Prep& p, int) { return _mm256_set1_ps(p.d); }
  static float min(const Prep& p, int) { return -p.m; }
};

// Q4_K / Q5_K: the 6-bit scales and mins are unpacked once per super-block (see block_layouts.h
// for the 12-byte packing) into f32 steps d * scale[s] and offsets dmin * min[s].
struct KScales {
  float step[8], off[8];
};
// The 12 packed bytes as three little-endian words u0, u1, u2 give all eight 6-bit numbers of
// each kind with word-wide masks instead of a per-sub-block branch:
//   scale[0..3] = u0 & 0x3f (per byte)   scale[4..7] = low nibbles of u2 | (top 2 bits of u0) << 4
//   min[0..3]   = u1 & 0x3f              min[4..7]   = high nibbles of u2 | (top 2 bits of u1) << 4
inline KScales unpack_k_scales(const uint8_t* b) {
  uint32_t u[3];
  std::memcpy(u, b + 4, 12);
  const uint32_t sc_lo = u[0] & 0x3f3f3f3fu, mn_lo = u[1] & 0x3f3f3f3fu;
  const uint32_t sc_hi = (u[2] & 0x0f0f0f0fu) | (((u[0] >> 6) & 0x03030303u) << 4);
  const uint32_t mn_hi = ((u[2] >> 4) & 0x0f0f0f0fu) | (((u[1] >> 6) & 0x03030303u) << 4);
  const __m256 sc = _mm256_cvtepi32_ps(
      _mm256_cvtepu8_epi32(_mm_set_epi32(0, 0, static_cast<int>(sc_hi), static_cast<int>(sc_lo))));
  const __m256 mn = _mm256_cvtepi32_ps(
      _mm256_cvtepu8_epi32(_mm_set_epi32(0, 0, static_cast<int>(mn_hi), static_cast<int>(mn_lo))));
  KScales out;
  _mm256_storeu_ps(out.step, _mm256_mul_ps(sc, _mm256_set1_ps(load_f16(b))));
  _mm256_storeu_ps(out.off, _mm256_mul_ps(mn, _mm256_set1_ps(load_f16(b + 2))));
  return out;
}

// Group j (sub-block j) of Q4_K/Q5_K: chunk j/2 of 32 bytes, low nibbles for even j, high for odd.
inline __m256i k_nibbles(const uint8_t* qs, int j) {
  const __m256i v = loadu256(qs + 32 * (j / 2));
  const __m256i shifted = (j & 1) ? _mm256_srli_epi16(v, 4) : v;
  return _mm256_and_si256(shifted, _mm256_set1_epi8(0x0F));
}

struct DecQ4_K {
  static constexpr int kVals = 256, kBytes = sizeof(BlockQ4_K), kZero = 0;
  static constexpr bool kSigned = false, kHasMin = true;
  using Prep = KScales;
  static Prep prep(const uint8_t* b) { return unpack_k_scales(b); }
  static __m256i quants(const uint8_t* b, int j) { return k_nibbles(b + 16, j); }
  static __m256 scale(const Prep& p, int j) { return _mm256_set1_ps(p.step[j]); }
  static float min(const Prep& p, int j) { return p.off[j]; }
};

struct DecQ5_K {
  static constexpr int kVals = 256, kBytes = sizeof(BlockQ5_K), kZero = 0;
  static constexpr bool kSigned = false, kHasMin = true;
  using Prep = KScales;
  static Prep prep(const uint8_t* b) { return unpack_k_scales(b); }
  static __m256i quants(const uint8_t* b, int j) {
    // Fifth bit of value l of sub-block j: bit j of qh[l].
    const __m256i bit = _mm256_set1_epi8(static_cast<char>(1 << j));
    const __m256i hi = _mm256_cmpeq_epi8(_mm256_and_si256(loadu256(b + 16), bit), bit);
    return _mm256_or_si256(k_nibbles(b + 48, j), _mm256_and_si256(hi, _mm256_set1_epi8(0x10)));
  }
  static __m256 scale(const Prep& p, int j) { return _mm256_set1_ps(p.step[j]); }
  static float min(const Prep& p, int j) { return p.off[j]; }
};

// Q6_K: group j = 32 values of half h = j/4, position k = j%4 (block_layouts.h): low 4 bits from
// ql (low or high nibble), 2 high bits from qh, zero point 32, and two signed 8-bit sub-scales
// (values 0-15 and 16-31 of the group), which land in lanes 0-3 and 4-7 of the dot product.
struct DecQ6_K {
  static constexpr int kVals = 256, kBytes = sizeof(BlockQ6_K), kZero = 32;
  static constexpr bool kSigned = false, kHasMin = false;
  struct Prep {
    float step[16];
  };
  static Prep prep(const uint8_t* b) {
    const __m256 d = _mm256_set1_ps(load_f16(b + 208));
    const __m128i sc = loadu128(b + 192);
    Prep p;
    _mm256_storeu_ps(p.step, _mm256_mul_ps(d, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(sc))));
    _mm256_storeu_ps(
        p.step + 8,
        _mm256_mul_ps(d, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(sc, 8)))));
    return p;
  }
  static __m256i quants(const uint8_t* b, int j) {
    const int h = j / 4, k = j % 4;
    const __m256i ql = loadu256(b + 64 * h + 32 * (k & 1));
    const __m256i lo =
        _mm256_and_si256(k < 2 ? ql : _mm256_srli_epi16(ql, 4), _mm256_set1_epi8(0x0F));
    const __m256i qh = _mm256_srli_epi16(loadu256(b + 128 + 32 * h), 2 * k);
    const __m256i hi = _mm256_slli_epi16(_mm256_and_si256(qh, _mm256_set1_epi8(3)), 4);
    return _mm256_or_si256(lo, hi);
  }
  static __m256 scale(const Prep& p, int j) {
    const int s = 8 * (j / 4) + 2 * (j % 4);
    return _mm256_set_m128(_mm_set1_ps(p.step[s + 1]), _mm_set1_ps(p.step[s]));
  }
  static float min(const Prep&, int) { return 0.0f; }
};

// ---- ISA policies: lane l of dot() = sum over bytes 4l..4l+3 of (q - zero) * a, exact ----

// AVX2: maddubs (u8 x s8 -> pairs of int16, saturating) then madd with ones -> int32. With q at
// most 63 and |a| <= 127 a pair is at most 16002: no saturation. The zero point is removed on the
// int16 pairs (maddubs(zero, a) is the same for every row). Q8_0 is signed: the sign trick
// |w| * sign(a, w) makes the first operand unsigned (|w| <= 128, pairs <= 32512).
struct Avx2Dot {
  template <class D>
  static __m256i correction(__m256i a) {
    if constexpr (D::kZero != 0) return _mm256_maddubs_epi16(_mm256_set1_epi8(D::kZero), a);
    return _mm256_setzero_si256();
  }
  template <class D>
  static __m256i dot(__m256i q, __m256i a, __m256i corr) {
    __m256i pairs;
    if constexpr (D::kSigned) {
      pairs = _mm256_maddubs_epi16(_mm256_abs_epi8(q), _mm256_sign_epi8(a, q));
    } else {
      pairs = _mm256_maddubs_epi16(q, a);
      if constexpr (D::kZero != 0) pairs = _mm256_sub_epi16(pairs, corr);
    }
    return _mm256_madd_epi16(pairs, _mm256_set1_epi16(1));
  }
};

// R rows x T tokens, rows r..r+R, tokens t..t+T.
template <class Isa, class D, int R, int T>
inline void qgemm_tile(const GemmArgs& a, int64_t r, int64_t t) {
  constexpr int kGroups = D::kVals / kActBlock;
  const int64_t n_blocks = a.k / D::kVals;
  const uint8_t* w[R];
  POCKET_UNROLL
  for (int i = 0; i < R; ++i) w[i] = a.w + static_cast<size_t>(r + i) * a.w_stride;
  const ActBlockQ8* x[T];
  POCKET_UNROLL
  for (int u = 0; u < T; ++u) {
    x[u] = reinterpret_cast<const ActBlockQ8*>(static_cast<const uint8_t*>(a.x) +
                                               static_cast<size_t>(t + u) * a.x_stride);
  }
  __m256 acc[R][T];
  float off[R][T];
  POCKET_UNROLL
  for (int i = 0; i < R; ++i) {
    POCKET_UNROLL
    for (int u = 0; u < T; ++u) {
      acc[i][u] = _mm256_setzero_ps();
      off[i][u] = 0.0f;
    }
  }
  [[maybe_unused]] x86::NextTilePrefetch prefetch(w[0], R * a.w_stride);
  for (int64_t b = 0; b < n_blocks; ++b) {
    if constexpr (R > 1 && T == 1) {
      // Decode streams R short rows at once, too short for the hardware prefetcher to ramp up:
      // fetch the next tile in address order (next_tile_prefetch.h), one line per row and 64
      // bytes of this block. Against fetching each row's same place in the next tile, alternated
      // token by token (POCKET_ISA=avx2, 1.5B, 2 threads): Q4_0 42.97 -> 34.45 ms per token,
      // Q8_0 58.52 -> 55.61, Q4_K_M 46.05 -> 37.82.
      POCKET_UNROLL
      for (int i = 0; i < R; ++i) {
        for (int at = 0; at < D::kBytes; at += 64) prefetch.step();
      }
    }
    typename D::Prep prep[R];
    POCKET_UNROLL
    for (int i = 0; i < R; ++i) prep[i] = D::prep(w[i] + b * D::kBytes);
    for (int j = 0; j < kGroups; ++j) {
      // Decode the R weight groups once, then run every token of the tile over them.
      __m256i q[R];
      __m256 ws[R];
      POCKET_UNROLL
      for (int i = 0; i < R; ++i) {
        q[i] = D::quants(w[i] + b * D::kBytes, j);
        ws[i] = D::scale(prep[i], j);
      }
      POCKET_UNROLL
      for (int u = 0; u < T; ++u) {
        const ActBlockQ8& xb = x[u][b * kGroups + j];
        const __m256i av = loadu256(xb.q);
        const __m256i corr = Isa::template correction<D>(av);
        const __m256 da = _mm256_set1_ps(xb.d);
        POCKET_UNROLL
        for (int i = 0; i < R; ++i) {
          const __m256i p = Isa::template dot<D>(q[i], av, corr);
          acc[i][u] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p), _mm256_mul_ps(ws[i], da), acc[i][u]);
          if constexpr (D::kHasMin) off[i][u] -= D::min(prep[i], j) * xb.sum;
        }
      }
    }
  }
  POCKET_UNROLL
  for (int i = 0; i < R; ++i) {
    POCKET_UNROLL
    for (int u = 0; u < T; ++u) a.y[(t + u) * a.y_stride + r + i] = hsum256(acc[i][u]) + off[i][u];
  }
}

template <class Isa, class D, int R, int T>
inline void qgemm_rows(const GemmArgs& a, int64_t r) {
  int64_t t = 0;
  for (; t + T <= a.n_tok; t += T) qgemm_tile<Isa, D, R, T>(a, r, t);
  for (; t < a.n_tok; ++t) qgemm_tile<Isa, D, R, 1>(a, r, t);
}

// Any row range (matmul gives multiples of R except at the end; tests give any).
template <class Isa, class D, int R, int T>
void qgemm(const GemmArgs& a) {
  int64_t r = a.r0;
  for (; r + R <= a.r1; r += R) qgemm_rows<Isa, D, R, T>(a, r);
  for (; r < a.r1; ++r) qgemm_rows<Isa, D, 1, T>(a, r);
}

}  // namespace
}  // namespace pocket
