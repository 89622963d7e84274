// AVX-512 VNNI kernels of the x16 layout (kernels/repack_x16.h): 16 rows x T tokens per tile.
// Per 32-value block, each 64-byte chunk of codes (16 rows x 4 values, or twice that in nibbles)
// meets the token's 4 matching activation bytes broadcast to every lane, so one vpdpbusd adds 4
// products to each row's int32 sum; the block's sum is then scaled once for all 16 rows:
//   part += d_a * (isum - zero * sum(a_q))             (the zero point in int32: exact)
//   y    += row scale * part                           (once per scale group: G = 32..128)
// The codes are decoded once per tile and used by its T tokens; decode (T = 1) splits each
// block's 8 dot products into two chains. A 16-row group is one contiguous run of memory, so the
// hardware prefetcher sees a single stream per tile.
#include <cstdint>

#include "kernels/repack_x16.h"
#include "kernels/x86/avx512_intrin.h"  // first: see there
#include "kernels/x86/avx512_x16_block.h"
#include "kernels/x86/unroll.h"
#include "kernels/x86/x16_tiles.h"
#include "kernels/x86/x86_kernels.h"

namespace pocket::x86 {
namespace {

template <int kBits, int kGroup, int T>
void x16_tile(const GemmArgs& a, int64_t r, int64_t t) {
  constexpr int kSubs = kGroup / kActBlock;
  constexpr int kZero = kBits == 4 ? 8 : 128;
  constexpr size_t kSubBytes = static_cast<size_t>(kBits) * 64;  // 16 rows x 32 codes
  constexpr size_t kGroupBytes = kX16Rows * (2 + kGroup * kBits / 8);
  const uint8_t* base = a.w + static_cast<size_t>(r) * a.w_stride;
  const ActBlockQ8* x[T];
  tile_activations<T>(a, t, x);
  __m512 acc[T];
  POCKET_UNROLL
  for (int u = 0; u < T; ++u) acc[u] = _mm512_setzero_ps();
  const int64_t n_groups = a.k / kGroup;
  for (int64_t g = 0; g < n_groups; ++g) {
    const uint8_t* grp = base + static_cast<size_t>(g) * kGroupBytes;
    if constexpr (T == 1) prefetch_ahead<kGroupBytes>(grp);
    const __m512 scale = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(grp)));
    __m512 part[T];
    POCKET_UNROLL
    for (int u = 0; u < T; ++u) part[u] = _mm512_setzero_ps();
    POCKET_UNROLL
    for (int j = 0; j < kSubs; ++j) {
      __m512i w[8];  // unit m: values 4m..4m+3 of the block, 16 rows
      x16_units<kBits>(grp + 32 + j * kSubBytes, w);
      const int64_t b = g * kSubs + j;
      POCKET_UNROLL
      for (int u = 0; u < T; ++u) {
        const ActBlockQ8& xb = x[u][b];
        // The zero point removed in int32, exactly: the sum starts at -zero * sum(a). (Taking
        // zero * ActBlockQ8::sum off in f32 instead loses digits when the activations' sum is
        // large next to the dot product: up to 1e-4 relative.)
        const __m512 isum =
            _mm512_cvtepi32_ps(x16_block_dot(w, xb.q, _mm512_set1_epi32(-kZero * xb.isum)));
        part[u] = _mm512_fmadd_ps(isum, _mm512_set1_ps(xb.d), part[u]);
      }
    }
    POCKET_UNROLL
    for (int u = 0; u < T; ++u) acc[u] = _mm512_fmadd_ps(scale, part[u], acc[u]);
  }
  POCKET_UNROLL
  for (int u = 0; u < T; ++u) _mm512_storeu_ps(a.y + (t + u) * a.y_stride + r, acc[u]);
}

template <int kBits, int kGroup>
void gemm_x16(const GemmArgs& a) {
  for_each_x16_tile<8>(a,
                       [&]<int T>(int64_t r, int64_t t) { x16_tile<kBits, kGroup, T>(a, r, t); });
}

}  // namespace

void avx512_register_x16(KernelSet& set) {
  put_x16_kernel(set, DType::kQ4_0_X16, gemm_x16<4, 32>);
  put_x16_kernel(set, DType::kQ8_0_X16, gemm_x16<8, 32>);
  put_x16_kernel(set, DType::kPQ4_G64_X16, gemm_x16<4, 64>);
  put_x16_kernel(set, DType::kPQ4_G128_X16, gemm_x16<4, 128>);
  put_x16_kernel(set, DType::kPQ8_G64_X16, gemm_x16<8, 64>);
  put_x16_kernel(set, DType::kPQ8_G128_X16, gemm_x16<8, 128>);
}

}  // namespace pocket::x86
