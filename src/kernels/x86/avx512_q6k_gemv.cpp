// AVX-512 VNNI matrix-vector product (decode: one token) for Q6_K, straight from the file layout.
//
// A Q6_K block holds 256 values in 210 bytes: ql[128] (low 4 bits), qh[64] (high 2 bits),
// scales[16] (int8, one per 16 values), d (f16). Half h (values 128h..128h+127) takes
// ql[64h..64h+63] and qh[32h..32h+31]:
//   value 128h + c (c < 64): low nibble of ql byte c, qh byte c % 32 bits 2 (c / 32) and up
//   value 128h + 64 + c:     high nibble of ql byte c, qh byte c % 32 bits 4 + 2 (c / 32) and up
// So one 64-byte load of ql meets 64 consecutive values twice (low nibbles, then high ones), in
// order: the activations need no reordering, and four code vectors cover a block.
// Per code vector and row: the 2 high bits come from a word shift of the half's 32 qh bytes
// (broadcast to both 256-bit halves, each half shifted by its own count) and a mask, and one
// ternary-logic op merges them with the nibble; then one vpdpbusd (the zero point 32 was put in
// the lane's starting value, -32 * sum of its 4 activations, shared by every row), a float
// conversion and a multiply-add by the lane's scale: block scale x sub-scale (a permute of the
// block's 16 sub-scales, converted once per block and row) x activation scale.
//
// Measured against the generic tile (avx512_quant.cpp: 8 rows, 2 groups of 32 per step, run-time
// shift counts), which the output matrix of a Q4_0 file (Q6_K, 20% of a token's bytes) used:
// - in cache, one thread (pocket_gemm_bench gemv/avx512/Q6_K): 39 -> 53-55 GB/s;
// - from memory, a 151936 x 1536 matrix, 2 threads, kernels alternated pass by pass in one
//   process: 26.8 -> 35.0 GB/s. In another run, against the generic tile's 26.7, the same kernel
//   with 8-row tiles read 29.3, with 4-row tiles 33.1, and with 8-row tiles fetching each row's
//   next-tile bytes at the same place, as the generic tile does, 27.7 (one thread, another run:
//   26.2 against the generic tile's 33.2);
// - 1.5B Q4_0 decode alternated token by token: 20.4 -> 19.8 ms per token.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "kernels/act_prep_cache.h"
#include "kernels/ref/block_layouts.h"
#include "kernels/x86/avx512_intrin.h"  // first: see there
#include "kernels/x86/next_tile_prefetch.h"
#include "kernels/x86/unroll.h"
#include "kernels/x86/x86_kernels.h"

namespace pocket::x86 {
namespace {

constexpr int kBlockValues = 256;
constexpr int kBlockBytes = 210;
constexpr int kVecs = 4;  // code vectors per block: (half 0, low), (0, high), (1, low), (1, high)
constexpr int kRows = 2;  // rows per tile: 2 read from memory faster than 4 or 8 (see above)
constexpr int kZeroPoint = 32;
static_assert(sizeof(BlockQ6_K) == kBlockBytes && kBlockValues % kActBlock == 0);

// One block's activations, laid out for its four code vectors (values 64n..64n+63 for vector n).
struct ActBlock {
  __m512i x[kVecs];     // the int8 activations, in order
  __m512i zero[kVecs];  // lane l: -32 * (sum of its 4 activations), in int32
  __m512 d[kVecs];      // lane l: the activation scale of its 32-value block
};

void prepare_blocks(const ActBlockQ8* x, int64_t k, std::vector<ActBlock>& out) {
  const int64_t n_blocks = k / kBlockValues;
  out.resize(static_cast<size_t>(n_blocks));
  const __m512i zero_point = _mm512_set1_epi8(kZeroPoint);
  for (int64_t b = 0; b < n_blocks; ++b) {
    ActBlock& ab = out[static_cast<size_t>(b)];
    for (int n = 0; n < kVecs; ++n) {
      const ActBlockQ8& x0 = x[b * (kBlockValues / kActBlock) + 2 * n];
      const ActBlockQ8& x1 = x[b * (kBlockValues / kActBlock) + 2 * n + 1];
      const __m512i v = _mm512_inserti64x4(
          _mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(x0.q))),
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x1.q)), 1);
      ab.x[n] = v;
      ab.zero[n] = _mm512_sub_epi32(_mm512_setzero_si512(),
                                    _mm512_dpbusd_epi32(_mm512_setzero_si512(), zero_point, v));
      ab.d[n] = _mm512_insertf32x8(_mm512_set1_ps(x0.d), _mm256_set1_ps(x1.d), 1);
    }
  }
}

template <int R>
void gemv_rows(const GemmArgs& a, int64_t r, const ActBlock* act) {
  const uint8_t* w0 = a.w + static_cast<size_t>(r) * a.w_stride;
  const size_t stride = a.w_stride;
  const int64_t n_blocks = a.k / kBlockValues;
  // Lane l of code vector n belongs to sub-scale 4n + l / 4.
  const __m512i scale_idx[kVecs] = {
      _mm512_set_epi32(3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0),
      _mm512_set_epi32(7, 7, 7, 7, 6, 6, 6, 6, 5, 5, 5, 5, 4, 4, 4, 4),
      _mm512_set_epi32(11, 11, 11, 11, 10, 10, 10, 10, 9, 9, 9, 9, 8, 8, 8, 8),
      _mm512_set_epi32(15, 15, 15, 15, 14, 14, 14, 14, 13, 13, 13, 13, 12, 12, 12, 12)};
  // The high 2 bits of byte c of the low-nibble vector sit at 2 (c / 32) in qh: shifted left by
  // 4 (c < 32) or 2 (c >= 32) to bits 4-5; of the high-nibble vector at 4 + 2 (c / 32): shifted
  // right by 0 or 2. Word shifts: the bits that cross into the other byte of a word are masked.
  const __m512i shl_lo = _mm512_inserti64x4(_mm512_set1_epi16(4), _mm256_set1_epi16(2), 1);
  const __m512i shr_hi = _mm512_inserti64x4(_mm512_set1_epi16(0), _mm256_set1_epi16(2), 1);
  const __m512i low4 = _mm512_set1_epi8(0x0F);
  const __m512i bits45 = _mm512_set1_epi8(0x30);
  __m512 acc[R];
  POCKET_UNROLL
  for (int i = 0; i < R; ++i) acc[i] = _mm512_setzero_ps();
  // Prefetch: the next tile's bytes in address order, one line per code vector and row (a tile
  // has fewer lines than that: 3.3 per block and row), so the reads ahead form one ascending
  // stream. See the file comment for what the other patterns measured.
  [[maybe_unused]] NextTilePrefetch prefetch(w0, R * stride);
  for (int64_t b = 0; b < n_blocks; ++b) {
    const ActBlock& ab = act[b];
    const uint8_t* blk[R];
    __m512 sub[R];  // the block's 16 sub-scales times its scale
    POCKET_UNROLL
    for (int i = 0; i < R; ++i) {
      blk[i] = w0 + i * stride + b * kBlockBytes;
      const __m128i sc =
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(blk[i] + offsetof(BlockQ6_K, scales)));
      uint16_t d;
      std::memcpy(&d, blk[i] + offsetof(BlockQ6_K, d), sizeof d);
      sub[i] =
          _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(sc)), _mm512_set1_ps(_cvtsh_ss(d)));
    }
    POCKET_UNROLL
    for (int n = 0; n < kVecs; ++n) {
      POCKET_UNROLL
      for (int i = 0; i < R; ++i) {
        if constexpr (R > 1) prefetch.step();
        const int h = n / 2;
        const __m512i ql = _mm512_loadu_si512(blk[i] + 64 * h);
        const __m512i qh = _mm512_broadcast_i64x4(
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk[i] + 128 + 32 * h)));
        // (a & c) | b with a = nibbles, b = high bits at 4-5, c = 0x0F: ternlog 0xEC.
        const __m512i code =
            n % 2 == 0
                ? _mm512_ternarylogic_epi32(
                      ql, _mm512_and_si512(_mm512_sllv_epi16(qh, shl_lo), bits45), low4, 0xEC)
                : _mm512_ternarylogic_epi32(_mm512_srli_epi16(ql, 4),
                                            _mm512_and_si512(_mm512_srlv_epi16(qh, shr_hi), bits45),
                                            low4, 0xEC);
        const __m512i sum = _mm512_dpbusd_epi32(ab.zero[n], code, ab.x[n]);
        acc[i] = _mm512_fmadd_ps(
            _mm512_cvtepi32_ps(sum),
            _mm512_mul_ps(_mm512_permutexvar_ps(scale_idx[n], sub[i]), ab.d[n]), acc[i]);
      }
    }
  }
  POCKET_UNROLL
  for (int i = 0; i < R; ++i) a.y[r + i] = _mm512_reduce_add_ps(acc[i]);
}

}  // namespace

bool avx512_q6k_gemv(DType type, const GemmArgs& a) {
  if (type != DType::kQ6_K || a.n_tok != 1 || a.k % kBlockValues != 0 || a.k == 0) return false;
  thread_local ActPrepCache<ActBlock> cache;
  const ActBlock* act = cache.get(a, [&](std::vector<ActBlock>& out) {
    prepare_blocks(static_cast<const ActBlockQ8*>(a.x), a.k, out);
  });
  int64_t r = a.r0;
  for (; r + kRows <= a.r1; r += kRows) gemv_rows<kRows>(a, r, act);
  for (; r < a.r1; ++r) gemv_rows<1>(a, r, act);
  return true;
}

}  // namespace pocket::x86
