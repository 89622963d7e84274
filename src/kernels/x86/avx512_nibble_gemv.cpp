// AVX-512 VNNI matrix-vector products (decode: one token) straight from the file layout of our
// 4-bit group-wise formats, whose 32-value sub-blocks are stored like Q4_0's (16 code bytes: value
// i in the low nibble of byte i, value 16 + i in the high one, zero point 8): PQ4_G64 (a f16 scale
// per 64 values) and PQ4_G128 (one per 128). Q4_0 has its own kernel (avx512_lane_gemv.cpp).
// A step takes 128 values of a row. The generic decode tile (avx512_quant.cpp) decodes each
// 32-value group on its own: 16-byte load, shift, mask and a 256-bit insert, ~2.4 bytes of weights
// per instruction, which made decode compute-bound at ~22 GB/s per core while memory gives ~30.
// Here one load holds the step's 64 code bytes:
//   PQ4_G128: the group's codes follow its scale: one 64-byte load 2 bytes into the group;
//   PQ4_G64: a 64-byte load plus a masked one of the 4 bytes after it, and a single word permute
//     (AVX512BW vpermt2w: every code run starts at an even offset) packs the 64 code bytes;
// and then
//   lanes 4b..4b+3 of every vector belong to sub-block b (b = 0..3 of the step);
//   low nibbles (values 0-15 of each sub-block) and high nibbles (16-31) meet activations that
//   were reordered once per product the same way (act_prep_cache.h), so two vpdpbusd give each
//   lane 8 products;
//   the zero point (8) is removed in int32 (exact) by starting the sum at -8 * sum(a);
//   the group scale is broadcast (G128) or put on its lanes by a word permute (G64).
// Used for one token and k a multiple of 128; everything else takes the generic kernel.
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

#include "kernels/act_prep_cache.h"
#include "kernels/ref/block_layouts.h"
#include "kernels/x86/avx512_intrin.h"  // first: see there
#include "kernels/x86/next_tile_prefetch.h"
#include "kernels/x86/unroll.h"
#include "kernels/x86/x86_kernels.h"

namespace pocket::x86 {
namespace {

constexpr int kBlocksPerStep = 4;                        // 32-value sub-blocks per step
constexpr int kStepValues = kBlocksPerStep * kActBlock;  // 128
constexpr int kRows = 8;  // rows per tile: 8 independent accumulator chains

static_assert(kActBlock == 32);

// Where a step's codes and scales are, in 16-bit words from the step's start.
struct StepLayout {
  int bytes;                      // a step's bytes (<= 128: the two loads)
  int code_word[kBlocksPerStep];  // first code word of sub-block b (8 words each)
  int scale_word[kBlocksPerStep];
  bool one_group;  // one scale (word 0) and 64 code bytes right after it
};

// PQ4_G64: two 34-byte groups {f16 d; u8 qs[32]}.
constexpr StepLayout kPQ4G64Step{68, {1, 9, 18, 26}, {0, 0, 17, 17}, false};
// PQ4_G128: one 66-byte group {f16 d; u8 qs[64]}.
constexpr StepLayout kPQ4G128Step{66, {1, 9, 17, 25}, {0, 0, 0, 0}, true};

// One step's activations, reordered to meet the packed codes.
struct ActStep {
  __m512i lo;    // lane 4b+m: values 4m..4m+3 of block b
  __m512i hi;    // lane 4b+m: values 16+4m..16+4m+3 of block b
  __m512i zero;  // lane 4b+m: -8 * (sum of the 8 values above): the zero point, in int32
  __m512 d;      // lane 4b+m: block b's activation scale
};

// Runs once per product and thread (act_prep_cache.h): vector loads and inserts, no byte loops.
void prepare_steps(const ActBlockQ8* x, int64_t steps, std::vector<ActStep>& out) {
  out.resize(static_cast<size_t>(steps));
  const __m512i eight = _mm512_set1_epi8(8);
  const __m512i four_each = _mm512_set_epi32(3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0);
  auto load16 = [](const int8_t* p) {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  };
  auto quarters = [&](const ActBlockQ8* b, int from) {  // q[from..from+15] of the 4 blocks
    __m512i v = _mm512_castsi128_si512(load16(b[0].q + from));
    v = _mm512_inserti32x4(v, load16(b[1].q + from), 1);
    v = _mm512_inserti32x4(v, load16(b[2].q + from), 2);
    return _mm512_inserti32x4(v, load16(b[3].q + from), 3);
  };
  for (int64_t s = 0; s < steps; ++s) {
    const ActBlockQ8* b = x + s * kBlocksPerStep;
    ActStep& st = out[static_cast<size_t>(s)];
    st.lo = quarters(b, 0);
    st.hi = quarters(b, 16);
    const __m512i sum8 = _mm512_dpbusd_epi32(
        _mm512_dpbusd_epi32(_mm512_setzero_si512(), eight, st.lo), eight, st.hi);
    st.zero = _mm512_sub_epi32(_mm512_setzero_si512(), sum8);
    st.d = _mm512_permutexvar_ps(
        four_each, _mm512_castps128_ps512(_mm_setr_ps(b[0].d, b[1].d, b[2].d, b[3].d)));
  }
}

// The permute indices of a layout, made at compile time.
struct StepIndex {
  // Word w of the packed codes: sub-block w / 8, its code word w % 8. Words 32 and up come from
  // the second load.
  alignas(64) int16_t code[32];
  // Word i of the low half: sub-block i / 4's scale, for lanes 4b..4b+3.
  alignas(64) int16_t scale[32];
};

constexpr StepIndex make_index(const StepLayout& l) {
  StepIndex idx{};
  for (int w = 0; w < 32; ++w) idx.code[w] = static_cast<int16_t>(l.code_word[w / 8] + w % 8);
  for (int i = 0; i < 16; ++i) idx.scale[i] = static_cast<int16_t>(l.scale_word[i / 4]);
  return idx;
}

constexpr StepIndex kPQ4G64Index = make_index(kPQ4G64Step);
constexpr StepIndex kPQ4G128Index = make_index(kPQ4G128Step);

template <int R, bool kOneGroup>
void gemv_rows(const GemmArgs& a, int64_t r, const ActStep* steps, int64_t n_steps,
               const StepLayout& layout, __m512i code_idx, __m512i scale_idx) {
  const auto step_bytes = static_cast<size_t>(layout.bytes);
  // The words of the step after the first 64 bytes (masked: never past the row's end).
  const auto tail_mask = static_cast<__mmask32>((1u << ((layout.bytes - 64) / 2)) - 1);
  const uint8_t* w[R];
  POCKET_UNROLL
  for (int i = 0; i < R; ++i) w[i] = a.w + static_cast<size_t>(r + i) * a.w_stride;
  __m512 acc[R];
  POCKET_UNROLL
  for (int i = 0; i < R; ++i) acc[i] = _mm512_setzero_ps();
  const __m512i low4 = _mm512_set1_epi8(0x0F);
  [[maybe_unused]] NextTilePrefetch prefetch(w[0], R * a.w_stride);
  for (int64_t s = 0; s < n_steps; ++s) {
    const ActStep& st = steps[s];
    const size_t at = static_cast<size_t>(s) * step_bytes;
    POCKET_UNROLL
    for (int i = 0; i < R; ++i) {
      if constexpr (R > 1) {  // a step reads 66-68 bytes of a row: two lines ahead
        prefetch.step();
        prefetch.step();
      }
      const uint8_t* p = w[i] + at;
      __m512i codes;
      __m256i scale_words;
      if constexpr (kOneGroup) {
        codes = _mm512_loadu_si512(p + 2);
        uint16_t scale;
        std::memcpy(&scale, p, 2);
        scale_words = _mm256_set1_epi16(static_cast<int16_t>(scale));
      } else {
        const __m512i first = _mm512_loadu_si512(p);
        const __m512i tail = _mm512_maskz_loadu_epi16(tail_mask, p + 64);
        codes = _mm512_permutex2var_epi16(first, code_idx, tail);
        scale_words = _mm512_castsi512_si256(_mm512_permutexvar_epi16(scale_idx, first));
      }
      const __m512i q_lo = _mm512_and_si512(codes, low4);
      const __m512i q_hi = _mm512_and_si512(_mm512_srli_epi16(codes, 4), low4);
      const __m512i isum =
          _mm512_dpbusd_epi32(_mm512_dpbusd_epi32(st.zero, q_lo, st.lo), q_hi, st.hi);
      const __m512 wd = _mm512_cvtph_ps(scale_words);
      acc[i] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), _mm512_mul_ps(wd, st.d), acc[i]);
    }
  }
  POCKET_UNROLL
  for (int i = 0; i < R; ++i) a.y[r + i] = _mm512_reduce_add_ps(acc[i]);
}

bool nibble_gemv(const GemmArgs& a, const StepLayout& layout, const StepIndex& index) {
  if (a.n_tok != 1 || a.k % kStepValues != 0) return false;
  const int64_t n_steps = a.k / kStepValues;
  thread_local ActPrepCache<ActStep> cache;
  const ActStep* steps = cache.get(a, [&](std::vector<ActStep>& out) {
    prepare_steps(static_cast<const ActBlockQ8*>(a.x), n_steps, out);
  });
  const __m512i code_idx = _mm512_load_si512(index.code);
  const __m512i scale_idx = _mm512_load_si512(index.scale);
  auto run = [&](auto one_group) {
    int64_t r = a.r0;
    for (; r + kRows <= a.r1; r += kRows) {
      gemv_rows<kRows, one_group()>(a, r, steps, n_steps, layout, code_idx, scale_idx);
    }
    for (; r < a.r1; ++r) {
      gemv_rows<1, one_group()>(a, r, steps, n_steps, layout, code_idx, scale_idx);
    }
  };
  if (layout.one_group) {
    run(std::true_type{});
  } else {
    run(std::false_type{});
  }
  return true;
}

}  // namespace

bool avx512_nibble_gemv(DType type, const GemmArgs& a) {
  switch (type) {
    case DType::kPQ4_G64:
      return nibble_gemv(a, kPQ4G64Step, kPQ4G64Index);
    case DType::kPQ4_G128:
      return nibble_gemv(a, kPQ4G128Step, kPQ4G128Index);
    default:
      return false;
  }
}

}  // namespace pocket::x86
