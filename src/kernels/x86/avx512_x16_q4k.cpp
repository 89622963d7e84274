// AVX-512 VNNI kernel of Q4_K in the x16 layout (kernels/repack_x16.h): 16 rows x T tokens per
// tile, one 256-value super-block (2304 bytes) at a time. Per super-block the 16 rows' 6-bit
// scales and mins of all 8 sub-blocks are unpacked from their three 64-byte rows of bits with a
// few whole-register masks and shifts (four sub-blocks per register, one byte per row's dword),
// then per sub-block j:
//   step_j = d * sc[j], off_j = dmin * min[j]                    (16 rows, once per tile)
//   y     += step_j * d_a * isum  -  off_j * sum_a               (per token: isum by vpdpbusd)
// where d_a and sum_a = d_a * sum(q_a) are the token's 32-value activation block's. The codes
// have no zero point (the mins play that part), so the int32 sums start at zero.
#include <cstdint>
#include <utility>

#include "kernels/repack_x16.h"
#include "kernels/x86/avx512_intrin.h"  // first: see there
#include "kernels/x86/avx512_x16_block.h"
#include "kernels/x86/unroll.h"
#include "kernels/x86/x16_tiles.h"
#include "kernels/x86/x86_kernels.h"

namespace pocket::x86 {
namespace {

constexpr int kSuper = Q4KX16::kValues;
constexpr size_t kSuperBytes = Q4KX16::kBytes, kHeaderBytes = Q4KX16::kCodes;
constexpr size_t kSubBytes = Q4KX16::kSubBytes;

// Byte b of each dword of v, zero-extended: the 6-bit number of sub-block b (or b + 4) of each of
// the 16 rows.
template <int b>
inline __m512i dword_byte(__m512i v) {
  const auto at = [](int k) {
    return static_cast<int>(0x80808000u | static_cast<unsigned>(4 * k + b));
  };
  return _mm512_shuffle_epi8(v, _mm512_set4_epi32(at(3), at(2), at(1), at(0)));
}

// The 16 rows' scales and mins of the 8 sub-blocks, one byte per row's dword: sc03 holds sc[b]
// in byte b, sc47 holds sc[b + 4]; the same for the mins.
struct SubScales {
  __m512i sc03, sc47, mn03, mn47;
};
inline SubScales unpack_sub_scales(const uint8_t* header) {
  const __m512i sc_lo = _mm512_loadu_si512(header + Q4KX16::kScaleLow);
  const __m512i mn_lo = _mm512_loadu_si512(header + Q4KX16::kMinLow);
  const __m512i hi = _mm512_loadu_si512(header + Q4KX16::kHigh);
  const __m512i low4 = _mm512_set1_epi8(0x0F), bits45 = _mm512_set1_epi8(0x30);
  // (lo & 15) | (hi moved to bits 4-5): the shifts cross bytes, so both parts are masked.
  auto join = [&](__m512i lo, __m512i hi_at_45) {
    return _mm512_or_si512(_mm512_and_si512(lo, low4), _mm512_and_si512(hi_at_45, bits45));
  };
  return {join(sc_lo, hi), join(_mm512_srli_epi32(sc_lo, 4), _mm512_srli_epi32(hi, 2)),
          join(mn_lo, _mm512_slli_epi32(hi, 4)),
          join(_mm512_srli_epi32(mn_lo, 4), _mm512_slli_epi32(hi, 2))};
}

template <int j>
inline __m512 sub_number(__m512i v03, __m512i v47) {
  return _mm512_cvtepi32_ps(dword_byte<j % 4>(j < 4 ? v03 : v47));
}

template <int T>
void q4k_tile(const GemmArgs& a, int64_t r, int64_t t) {
  const uint8_t* base = a.w + static_cast<size_t>(r) * a.w_stride;
  const ActBlockQ8* x[T];
  tile_activations<T>(a, t, x);
  __m512 acc[T];
  POCKET_UNROLL
  for (int u = 0; u < T; ++u) acc[u] = _mm512_setzero_ps();
  const int64_t n_super = a.k / kSuper;
  for (int64_t s = 0; s < n_super; ++s) {
    const uint8_t* sb = base + static_cast<size_t>(s) * kSuperBytes;
    if constexpr (T == 1) prefetch_ahead<kHeaderBytes>(sb);
    const __m512 d = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(sb)));
    const __m512 dmin =
        _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(sb + Q4KX16::kDmin)));
    const SubScales sub = unpack_sub_scales(sb);
    const ActBlockQ8* xb[T];
    POCKET_UNROLL
    for (int u = 0; u < T; ++u) xb[u] = x[u] + s * (kSuper / kActBlock);
    auto one_sub_block = [&]<int j>() {
      const uint8_t* codes = sb + kHeaderBytes + j * kSubBytes;
      if constexpr (T == 1) prefetch_ahead<kSubBytes>(codes);
      const __m512 step = _mm512_mul_ps(d, sub_number<j>(sub.sc03, sub.sc47));
      const __m512 off = _mm512_mul_ps(dmin, sub_number<j>(sub.mn03, sub.mn47));
      __m512i w[8];
      x16_units<4>(codes, w);
      POCKET_UNROLL
      for (int u = 0; u < T; ++u) {
        const ActBlockQ8& blk = xb[u][j];
        const __m512 isum = _mm512_cvtepi32_ps(x16_block_dot(w, blk.q, _mm512_setzero_si512()));
        acc[u] = _mm512_fmadd_ps(isum, _mm512_mul_ps(step, _mm512_set1_ps(blk.d)), acc[u]);
        acc[u] = _mm512_fnmadd_ps(off, _mm512_set1_ps(blk.sum), acc[u]);
      }
    };
    [&]<int... j>(std::integer_sequence<int, j...>) {
      (one_sub_block.template operator()<j>(), ...);
    }
    (std::make_integer_sequence<int, 8>{});
  }
  POCKET_UNROLL
  for (int u = 0; u < T; ++u) _mm512_storeu_ps(a.y + (t + u) * a.y_stride + r, acc[u]);
}

void gemm_q4k_x16(const GemmArgs& a) {
  for_each_x16_tile<8>(a, [&]<int T>(int64_t r, int64_t t) { q4k_tile<T>(a, r, t); });
}

}  // namespace

void avx512_register_x16_q4k(KernelSet& set) {
  put_x16_kernel(set, DType::kQ4_K_X16, gemm_q4k_x16);
}

}  // namespace pocket::x86
