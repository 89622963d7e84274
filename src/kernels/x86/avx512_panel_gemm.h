// Prefill GEMM for AVX-512 VNNI: panels of 32 weight rows are unpacked on the fly into int8 with
// the rows interleaved in 4-byte columns, so one vpdpbusd multiplies 16 rows by 4 values of one
// token (the 4 activation bytes broadcast) and the int32 sums stay in registers for a whole
// 32-value group; the float work (convert, scale, accumulate) is paid once per group instead of
// once per 4-value lane group. The unpacking costs about one operation per weight value and is
// shared by all the tokens of the call, which is why matmul uses it only for many tokens.
//
// Signs: vpdpbusd multiplies unsigned by signed bytes. Weights become signed (q - zero, or Q8_0's
// own signed bytes) and activations unsigned (a + 128, a single XOR); the extra 128 * sum(w) per
// row and group is a property of the weights alone, computed while packing and used as the
// starting value of the int32 sums, so it costs nothing per token.
//
// Packed group layout (one 32-value group of the 32 rows of a panel):
//   q       8 chunks x 2 halves of the panel (rows 0-15, 16-31) x 64 bytes: byte 4*i + b of half z,
//           chunk c = value 4c + b of row 16z + i
//   corr    kParts x 2 x 16 int32: -128 * sum of that part's q of the row
//   scale   kParts x 2 x 16 f32: the part's weight scale of the row
//   min     (formats with an offset) 2 x 16 f32: the group's offset (value = scale * q + min / sum)
// kParts is 2 for Q6_K (two 16-value sub-blocks per group with their own scales), else 1.
//
// Included only by avx512_quant.cpp (anonymous namespace, AVX-512 flags).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

#include "kernels/x86/avx512_intrin.h"
#include "kernels/x86/qgemm_tile.h"

namespace pocket {
namespace {

constexpr int kPanelRows = 32;

template <class D>
struct PanelLayout {
  static constexpr int kParts = std::is_base_of_v<DecQ6_K, D> ? 2 : 1;
  static constexpr size_t kQBytes = 8 * 2 * 64;
  static constexpr size_t kCorr = kQBytes;
  static constexpr size_t kScale = kCorr + kParts * 2 * 64;
  static constexpr size_t kMin = kScale + kParts * 2 * 64;
  static constexpr size_t kGroupBytes = kMin + (D::kHasMin ? 2 * 64 : 0);
};

// The 4-byte columns of 16 rows of one group, transposed: in[p] holds rows 2p (low half) and
// 2p + 1 (high half) as 8 dwords each; out[c] gets dword c of rows 0..15. Three rounds of
// two-source permutes, each halving the rows per vector and doubling the columns' spread; the
// index vectors are derived once from where each (row, column) sits before and after a round.
struct Transpose16x8 {
  // Layout of round k's vectors: vector v, element e -> (row, column).
  struct Cell {
    int row, col;
  };
  static Cell cell(int round, int v, int e) {
    switch (round) {
      case 0:
        return {2 * v + e / 8, e % 8};  // 2 rows x 8 columns
      case 1:
        return {4 * (v / 2) + e / 4, 4 * (v % 2) + e % 4};  // 4 rows x 4 columns
      case 2:
        return {8 * (v / 4) + e / 2, 2 * (v % 4) + e % 2};  // 8 rows x 2 columns
      default:
        return {e, v};  // 16 rows x 1 column
    }
  }
  // Round k's output v takes elements from round k-1's vectors src[k][v][0] and src[k][v][1].
  int src[4][8][2];
  alignas(64) int32_t index[4][8][16];

  Transpose16x8() {
    for (int round = 1; round <= 3; ++round) {
      for (int v = 0; v < 8; ++v) {
        int sources[2] = {-1, -1};
        for (int e = 0; e < 16; ++e) {
          const Cell want = cell(round, v, e);
          int found = -1;
          for (int pv = 0; pv < 8 && found < 0; ++pv) {
            for (int pe = 0; pe < 16; ++pe) {
              const Cell have = cell(round - 1, pv, pe);
              if (have.row == want.row && have.col == want.col) {
                found = pv * 16 + pe;
                break;
              }
            }
          }
          const int pv = found / 16;
          const int slot = sources[0] == pv ? 0 : sources[1] == pv ? 1 : sources[0] < 0 ? 0 : 1;
          sources[slot] = pv;
          index[round][v][e] = slot * 16 + found % 16;
        }
        src[round][v][0] = sources[0];
        src[round][v][1] = sources[1] < 0 ? sources[0] : sources[1];
      }
    }
  }

  void run(const __m512i in[8], __m512i out[8]) const {
    __m512i a[8], b[8];
    const __m512i* from = in;
    __m512i* to = a;
    for (int round = 1; round <= 3; ++round) {
      for (int v = 0; v < 8; ++v) {
        const __m512i idx = _mm512_load_si512(index[round][v]);
        to[v] = _mm512_permutex2var_epi32(from[src[round][v][0]], idx, from[src[round][v][1]]);
      }
      from = to;
      to = to == a ? b : a;
    }
    for (int c = 0; c < 8; ++c) out[c] = from[c];
  }
};

inline const Transpose16x8& transpose16x8() {
  static const Transpose16x8 t;
  return t;
}

// Unpacks rows [r, r + n_rows) (n_rows <= 32; missing rows become zeros) into `out`.
template <class D>
void pack_panel(const GemmArgs& a, int64_t r, int n_rows, uint8_t* out) {
  using L = PanelLayout<D>;
  constexpr int kGroups = D::kVals / kActBlock;
  const int64_t n_groups = a.k / kActBlock;
  const Transpose16x8& tr = transpose16x8();
  const uint8_t* rows[kPanelRows];
  for (int i = 0; i < kPanelRows; ++i)
    rows[i] = a.w + static_cast<size_t>(r + std::min(i, n_rows - 1)) * a.w_stride;
  typename D::Prep prep[kPanelRows];
  const __m512i ones = _mm512_set1_epi8(1);
  for (int64_t g = 0; g < n_groups; ++g) {
    const int64_t b = g / kGroups;
    const int j = static_cast<int>(g % kGroups);
    uint8_t* group = out + static_cast<size_t>(g) * L::kGroupBytes;
    for (int z = 0; z < 2; ++z) {
      alignas(64) float scale[L::kParts][16];
      alignas(64) float minv[16];
      __m512i in[8], cols[8];
      for (int p = 0; p < 8; ++p) {
        __m256i q2[2];
        for (int h = 0; h < 2; ++h) {
          const int i = 16 * z + 2 * p + h;
          const uint8_t* block = rows[i] + b * D::kBytes;
          // 32 rows read in step are 32 streams, too many for the hardware prefetcher: fetch each
          // row's bytes a few hundred bytes ahead (a prefetch never faults past the end).
          _mm_prefetch(reinterpret_cast<const char*>(block) + 384, _MM_HINT_T0);
          if (j == 0) prep[i] = D::prep(block);
          __m256i q = D::quants(block, j);
          if constexpr (!D::kSigned && D::kZero != 0) {
            q = _mm256_sub_epi8(q, _mm256_set1_epi8(static_cast<char>(D::kZero)));
          }
          // Rows past the end of the matrix repeat the last row: zero them.
          q2[h] = i < n_rows ? q : _mm256_setzero_si256();
          const __m256 sc = D::scale(prep[i], j);
          const bool live = i < n_rows;
          scale[0][2 * p + h] = live ? _mm256_cvtss_f32(sc) : 0.0f;
          if constexpr (L::kParts == 2) {
            scale[1][2 * p + h] = live ? _mm_cvtss_f32(_mm256_extractf128_ps(sc, 1)) : 0.0f;
          }
          if constexpr (D::kHasMin) minv[2 * p + h] = live ? -D::min(prep[i], j) : 0.0f;
        }
        in[p] = _mm512_inserti64x4(_mm512_castsi256_si512(q2[0]), q2[1], 1);
      }
      tr.run(in, cols);
      for (int c = 0; c < 8; ++c) _mm512_storeu_si512(group + c * 128 + z * 64, cols[c]);
      for (int part = 0; part < L::kParts; ++part) {
        __m512i sum = _mm512_setzero_si512();
        for (int c = part * 8 / L::kParts; c < (part + 1) * 8 / L::kParts; ++c) {
          sum = _mm512_dpbusd_epi32(sum, ones, cols[c]);
        }
        const __m512i corr = _mm512_sub_epi32(_mm512_setzero_si512(), _mm512_slli_epi32(sum, 7));
        _mm512_storeu_si512(group + L::kCorr + (part * 2 + z) * 64, corr);
        _mm512_storeu_ps(group + L::kScale + (part * 2 + z) * 64, _mm512_load_ps(scale[part]));
      }
      if constexpr (D::kHasMin) {
        _mm512_storeu_ps(group + L::kMin + z * 64, _mm512_load_ps(minv));
      }
    }
  }
}

// Activations of all tokens as unsigned bytes (q + 128), with each group's scale and d * sum(q).
struct PanelActs {
  std::vector<uint8_t> q;  // n_tok x k
  std::vector<float> d;    // n_tok x groups
  std::vector<float> sum;  // n_tok x groups
};

inline void pack_acts(const GemmArgs& a, PanelActs& out) {
  const int64_t n_groups = a.k / kActBlock;
  out.q.resize(static_cast<size_t>(a.n_tok * a.k));
  out.d.resize(static_cast<size_t>(a.n_tok * n_groups));
  out.sum.resize(out.d.size());
  const __m256i flip = _mm256_set1_epi8(static_cast<char>(0x80));
  for (int64_t t = 0; t < a.n_tok; ++t) {
    const auto* x = reinterpret_cast<const ActBlockQ8*>(static_cast<const uint8_t*>(a.x) +
                                                        static_cast<size_t>(t) * a.x_stride);
    for (int64_t g = 0; g < n_groups; ++g) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(&out.q[static_cast<size_t>(t * a.k + g * 32)]),
                          _mm256_xor_si256(loadu256(x[g].q), flip));
      out.d[static_cast<size_t>(t * n_groups + g)] = x[g].d;
      out.sum[static_cast<size_t>(t * n_groups + g)] = x[g].sum;
    }
  }
}

// T tokens [t, t + T) of one packed panel; writes rows [r, r + n_rows) of y.
template <class D, int T>
void panel_tile(const uint8_t* panel, const GemmArgs& a, const PanelActs& act, int64_t r,
                int n_rows, int64_t t) {
  using L = PanelLayout<D>;
  const int64_t n_groups = a.k / kActBlock;
  const uint8_t* xq[T];
  const float* xd[T];
  const float* xs[T];
  POCKET_UNROLL
  for (int u = 0; u < T; ++u) {
    xq[u] = &act.q[static_cast<size_t>((t + u) * a.k)];
    xd[u] = &act.d[static_cast<size_t>((t + u) * n_groups)];
    xs[u] = &act.sum[static_cast<size_t>((t + u) * n_groups)];
  }
  __m512 facc[2][T];
  POCKET_UNROLL
  for (int u = 0; u < T; ++u) facc[0][u] = facc[1][u] = _mm512_setzero_ps();

  for (int64_t g = 0; g < n_groups; ++g) {
    const uint8_t* grp = panel + static_cast<size_t>(g) * L::kGroupBytes;
    POCKET_UNROLL
    for (int part = 0; part < L::kParts; ++part) {
      const __m512i c0 = _mm512_loadu_si512(grp + L::kCorr + (part * 2) * 64);
      const __m512i c1 = _mm512_loadu_si512(grp + L::kCorr + (part * 2 + 1) * 64);
      __m512i iacc[2][T];
      POCKET_UNROLL
      for (int u = 0; u < T; ++u) {
        iacc[0][u] = c0;
        iacc[1][u] = c1;
      }
      constexpr int kChunks = 8 / L::kParts;  // constant bounds: the unroll pragma applies at -O0
      POCKET_UNROLL
      for (int cc = 0; cc < kChunks; ++cc) {
        const int c = part * kChunks + cc;
        const __m512i w0 = _mm512_loadu_si512(grp + c * 128);
        const __m512i w1 = _mm512_loadu_si512(grp + c * 128 + 64);
        POCKET_UNROLL
        for (int u = 0; u < T; ++u) {
          int32_t four;
          std::memcpy(&four, xq[u] + g * 32 + c * 4, 4);
          const __m512i av = _mm512_set1_epi32(four);
          iacc[0][u] = _mm512_dpbusd_epi32(iacc[0][u], av, w0);
          iacc[1][u] = _mm512_dpbusd_epi32(iacc[1][u], av, w1);
        }
      }
      const __m512 s0 = _mm512_loadu_ps(grp + L::kScale + (part * 2) * 64);
      const __m512 s1 = _mm512_loadu_ps(grp + L::kScale + (part * 2 + 1) * 64);
      POCKET_UNROLL
      for (int u = 0; u < T; ++u) {
        const __m512 da = _mm512_set1_ps(xd[u][g]);
        facc[0][u] =
            _mm512_fmadd_ps(_mm512_cvtepi32_ps(iacc[0][u]), _mm512_mul_ps(s0, da), facc[0][u]);
        facc[1][u] =
            _mm512_fmadd_ps(_mm512_cvtepi32_ps(iacc[1][u]), _mm512_mul_ps(s1, da), facc[1][u]);
      }
    }
    if constexpr (D::kHasMin) {
      const __m512 m0 = _mm512_loadu_ps(grp + L::kMin);
      const __m512 m1 = _mm512_loadu_ps(grp + L::kMin + 64);
      POCKET_UNROLL
      for (int u = 0; u < T; ++u) {
        const __m512 s = _mm512_set1_ps(xs[u][g]);
        facc[0][u] = _mm512_fmadd_ps(m0, s, facc[0][u]);
        facc[1][u] = _mm512_fmadd_ps(m1, s, facc[1][u]);
      }
    }
  }
  const __mmask16 lo = n_rows >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << n_rows) - 1);
  const __mmask16 hi = n_rows >= 32   ? __mmask16(0xFFFF)
                       : n_rows <= 16 ? __mmask16(0)
                                      : __mmask16((1u << (n_rows - 16)) - 1);
  POCKET_UNROLL
  for (int u = 0; u < T; ++u) {
    float* y = a.y + (t + u) * a.y_stride + r;
    _mm512_mask_storeu_ps(y, lo, facc[0][u]);
    _mm512_mask_storeu_ps(y + 16, hi, facc[1][u]);
  }
}

constexpr int kPanelTokens = 4;

// The whole range [r0, r1) x all tokens: pack each panel once, run every token over it.
template <class D>
void panel_gemm(const GemmArgs& a) {
  thread_local std::vector<uint8_t> panel;
  thread_local PanelActs act;
  pack_acts(a, act);
  panel.resize(static_cast<size_t>(a.k / kActBlock) * PanelLayout<D>::kGroupBytes);
  for (int64_t r = a.r0; r < a.r1; r += kPanelRows) {
    const int n_rows = static_cast<int>(std::min<int64_t>(kPanelRows, a.r1 - r));
    pack_panel<D>(a, r, n_rows, panel.data());
    int64_t t = 0;
    for (; t + kPanelTokens <= a.n_tok; t += kPanelTokens) {
      panel_tile<D, kPanelTokens>(panel.data(), a, act, r, n_rows, t);
    }
    for (; t < a.n_tok; ++t) panel_tile<D, 1>(panel.data(), a, act, r, n_rows, t);
  }
}

}  // namespace
}  // namespace pocket
