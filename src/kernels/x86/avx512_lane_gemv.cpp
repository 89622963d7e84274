// AVX-512 VNNI matrix-vector products (decode: one token) for Q4_0 and Q8_0, straight from the
// file layout, reading each row as plain 64-byte vectors: no shuffle of the weight bytes at all.
//
// Both formats are blocks of 32 values with a f16 scale in front: Q4_0 18 bytes {f16 d; u8
// qs[16]} (value i in the low nibble of qs[i], value 16 + i in the high one, zero point 8), Q8_0
// 34 bytes {f16 d; s8 qs[32]}. Blocks start at even offsets and their scales take 2 bytes, so no
// 4-byte lane of a vector ever holds codes of two blocks: a lane straddling a block boundary holds
// a scale on one side. So the activations are laid out to meet the row's bytes where they lie,
// once per product (act_prep_cache.h): for each 64-byte position of a row, the activation that
// meets each byte's code (Q4_0: low and high nibble, two vectors), 0 at the scale bytes and past
// the row's end. Per 64 bytes of weights the kernel then does
//   Q4_0: and, shift, and, two vpdpbusd; Q8_0: xor 0x80 (signed codes to unsigned), one vpdpbusd
//        (each lane: the products of one block; the zero point, 8 or 128 times the activations'
//        sum, was put in the lane's starting value when the activations were laid out),
//   one vpermt2w from this vector and the one before it   (each lane's f16 block scale),
//   cvtph, cvtdq2ps, mul, fma                             (scale and accumulate in f32).
// The Q4_0 kernel this replaced gathered the codes with a masked tail load and a word permute per
// 72 bytes: in L2, one thread, 32 -> 49 GB/s (scratch measurement, same run).
//
// The byte-to-block pattern repeats every 9 (Q4_0) or 17 (Q8_0) vectors: one table per phase.
#include <array>
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

constexpr int kScaleBytes = 2;
constexpr int kVec = 64;
constexpr int kRows = 8;  // rows per tile: 8 independent accumulator chains
static_assert(sizeof(BlockQ4_0) == 18 && sizeof(BlockQ8_0) == 34 && kActBlock == 32);

struct Q4_0Format {
  static constexpr int kBlockBytes = 18;
  static constexpr int kPeriod = 9;       // vectors per repeat: 9 * 64 = 32 * 18
  static constexpr bool kNibbles = true;  // two codes per byte (low: values 0-15)
  static constexpr int kCodeValues = 16;  // values of a block in one activation vector
  static constexpr int kZeroPoint = 8;    // unsigned codes minus this
};

struct Q8_0Format {
  static constexpr int kBlockBytes = 34;
  static constexpr int kPeriod = 17;       // 17 * 64 = 32 * 34
  static constexpr bool kNibbles = false;  // one signed code per byte
  static constexpr int kCodeValues = 32;
  static constexpr int kZeroPoint = 128;  // the codes are made unsigned by xor 0x80
};

// One 64-byte position of a row: the activations laid out to meet its bytes.
struct Position {
  __m512i lo;         // byte i: the activation that meets the code (Q4_0: low nibble) of row byte
                      // 64j + i; 0 at scale bytes and past the row
  __m512i hi;         // Q4_0: the same for the high nibble
  __m512i zero;       // lane l: -zero point * (sum of its activations above), in int32
  __m512 d;           // lane l: the activation scale of its block
  __m512i scale_idx;  // word l < 16: lane l's f16 block scale in (previous vector, this vector)
};

// Where things are for the positions of one phase p (positions j with j % kPeriod == p),
// relative to the first block the position touches, b0 = 64 j / kBlockBytes.
struct Phase {
  alignas(64) int16_t act_word[32];    // word w: 16-bit word of the 128-byte activation window
  alignas(64) int32_t lane_block[16];  // lane l: its block - b0
  alignas(64) int16_t scale_word[32];  // lane l: its scale's word in (previous, this) vector
  uint32_t code_words;                 // words that hold codes (the others are scales)
};

template <class F>
std::array<Phase, F::kPeriod> make_phases() {
  constexpr int kBlockBytes = F::kBlockBytes;
  static_assert(F::kPeriod * kVec % kBlockBytes == 0);
  std::array<Phase, F::kPeriod> phases{};
  for (int p = 0; p < F::kPeriod; ++p) {
    Phase& ph = phases[static_cast<size_t>(p)];
    const int base = kVec * p % kBlockBytes;  // the position's first byte within its block b0
    for (int w = 0; w < 32; ++w) {  // a word never mixes a scale and a code: both start even
      const int at = base + 2 * w;
      const int code = at % kBlockBytes - kScaleBytes;
      if (code >= 0) {
        ph.act_word[w] = static_cast<int16_t>((at / kBlockBytes * F::kCodeValues + code) / 2);
        ph.code_words |= 1u << w;
      }
    }
    for (int l = 0; l < 16; ++l) {
      // The lane's codes: all 4 bytes, or the 2 after a scale, or the 2 before one.
      int at = base + 4 * l;
      if (at % kBlockBytes < kScaleBytes) at += 2;
      const int block = at / kBlockBytes;
      ph.lane_block[l] = block;
      // Its scale sits at most 16 (Q4_0) or 32 (Q8_0) bytes before the lane: in this vector or
      // the one before.
      ph.scale_word[l] = static_cast<int16_t>(32 + (block * kBlockBytes - base) / 2);
    }
  }
  return phases;
}

template <class F>
int64_t positions_per_row(int64_t k) {
  return (k / kActBlock * F::kBlockBytes + kVec - 1) / kVec;
}

// The activations of every block side by side, in the pieces that meet one code vector: Q4_0
// values 0-15 (lo) and 16-31 (hi) of block b at 16 b; Q8_0 all 32 at 32 b (lo). Zeros follow, so
// that the windows of the last positions read zeros past the row.
struct ActPieces {
  std::vector<int8_t> lo, hi;
  std::vector<float> d;
};

template <class F>
void prepare_positions(const ActBlockQ8* x, int64_t k, std::vector<Position>& out) {
  static const std::array<Phase, F::kPeriod> phases = make_phases<F>();
  constexpr int64_t kPiece = F::kCodeValues;
  thread_local ActPieces h;
  const int64_t blocks = k / kActBlock;
  const int64_t n_pos = positions_per_row<F>(k);
  h.lo.assign(static_cast<size_t>(blocks * kPiece + 128), 0);
  h.hi.assign(F::kNibbles ? h.lo.size() : 0, 0);
  h.d.assign(static_cast<size_t>(blocks + 16), 0.0f);
  for (int64_t b = 0; b < blocks; ++b) {
    std::memcpy(&h.lo[static_cast<size_t>(b * kPiece)], x[b].q, kPiece);
    if constexpr (F::kNibbles) std::memcpy(&h.hi[static_cast<size_t>(b * kPiece)], x[b].q + 16, 16);
    h.d[static_cast<size_t>(b)] = x[b].d;
  }
  out.resize(static_cast<size_t>(n_pos));
  const __m512i zero_point = _mm512_set1_epi8(static_cast<char>(F::kZeroPoint));
  auto window = [](const std::vector<int8_t>& v, int64_t b0, const Phase& ph) {
    const int8_t* at = v.data() + b0 * kPiece;
    return _mm512_maskz_permutex2var_epi16(ph.code_words, _mm512_loadu_si512(at),
                                           _mm512_load_si512(ph.act_word),
                                           _mm512_loadu_si512(at + 64));
  };
  for (int64_t j = 0; j < n_pos; ++j) {
    const Phase& ph = phases[static_cast<size_t>(j % F::kPeriod)];
    const int64_t b0 = kVec * j / F::kBlockBytes;
    Position& pos = out[static_cast<size_t>(j)];
    pos.lo = window(h.lo, b0, ph);
    __m512i sum = _mm512_dpbusd_epi32(_mm512_setzero_si512(), zero_point, pos.lo);
    if constexpr (F::kNibbles) {
      pos.hi = window(h.hi, b0, ph);
      sum = _mm512_dpbusd_epi32(sum, zero_point, pos.hi);
    } else {
      pos.hi = _mm512_setzero_si512();
    }
    pos.zero = _mm512_sub_epi32(_mm512_setzero_si512(), sum);
    pos.d = _mm512_permutexvar_ps(_mm512_load_si512(ph.lane_block), _mm512_loadu_ps(&h.d[b0]));
    pos.scale_idx = _mm512_load_si512(ph.scale_word);
  }
}

template <class F, int R>
void gemv_rows(const GemmArgs& a, int64_t r, const Position* pos, int64_t n_pos) {
  const uint8_t* w0 = a.w + static_cast<size_t>(r) * a.w_stride;
  const size_t stride = a.w_stride;
  const int64_t row_bytes = a.k / kActBlock * F::kBlockBytes;
  const int64_t last = n_pos - 1;
  const auto tail = static_cast<unsigned>(row_bytes - kVec * last);  // 1..64
  const __mmask64 tail_mask = tail >= 64 ? ~__mmask64{0} : (__mmask64{1} << tail) - 1;
  [[maybe_unused]] const __m512i low4 = _mm512_set1_epi8(0x0F);                     // Q4_0
  [[maybe_unused]] const __m512i sign = _mm512_set1_epi8(static_cast<char>(0x80));  // Q8_0
  __m512 acc[R];
  __m512i prev[R];
  POCKET_UNROLL
  for (int i = 0; i < R; ++i) {
    acc[i] = _mm512_setzero_ps();
    prev[i] = _mm512_setzero_si512();
  }
  // Without software prefetch, decode ran at half the speed: the hardware prefetcher does not
  // keep enough lines in flight for R streams.
  [[maybe_unused]] NextTilePrefetch prefetch(w0, R * stride);
  auto position = [&](int64_t j, auto load) {
    const Position& p = pos[j];
    POCKET_UNROLL
    for (int i = 0; i < R; ++i) {
      const uint8_t* src = w0 + i * stride + static_cast<size_t>(kVec * j);
      if constexpr (R > 1) prefetch.step();
      const __m512i v = load(src);
      __m512i isum;
      if constexpr (F::kNibbles) {
        const __m512i q_lo = _mm512_and_si512(v, low4);
        const __m512i q_hi = _mm512_and_si512(_mm512_srli_epi16(v, 4), low4);
        isum = _mm512_dpbusd_epi32(_mm512_dpbusd_epi32(p.zero, q_lo, p.lo), q_hi, p.hi);
      } else {
        isum = _mm512_dpbusd_epi32(p.zero, _mm512_xor_si512(v, sign), p.lo);
      }
      const __m512 wd = _mm512_cvtph_ps(
          _mm512_castsi512_si256(_mm512_permutex2var_epi16(prev[i], p.scale_idx, v)));
      acc[i] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), _mm512_mul_ps(wd, p.d), acc[i]);
      prev[i] = v;
    }
  };
  for (int64_t j = 0; j < last; ++j) {
    position(j, [](const uint8_t* src) { return _mm512_loadu_si512(src); });
  }
  // Never past the row: the bytes after it are zeros here, as are their activations and scales.
  position(last,
           [tail_mask](const uint8_t* src) { return _mm512_maskz_loadu_epi8(tail_mask, src); });
  POCKET_UNROLL
  for (int i = 0; i < R; ++i) a.y[r + i] = _mm512_reduce_add_ps(acc[i]);
}

template <class F>
bool lane_gemv(const GemmArgs& a) {
  if (a.n_tok != 1 || a.k % kActBlock != 0 || a.k == 0) return false;
  thread_local ActPrepCache<Position> cache;
  const Position* pos = cache.get(a, [&](std::vector<Position>& out) {
    prepare_positions<F>(static_cast<const ActBlockQ8*>(a.x), a.k, out);
  });
  const int64_t n_pos = positions_per_row<F>(a.k);
  int64_t r = a.r0;
  for (; r + kRows <= a.r1; r += kRows) gemv_rows<F, kRows>(a, r, pos, n_pos);
  for (; r < a.r1; ++r) gemv_rows<F, 1>(a, r, pos, n_pos);
  return true;
}

}  // namespace

bool avx512_lane_gemv(DType type, const GemmArgs& a) {
  switch (type) {
    case DType::kQ4_0:
      return lane_gemv<Q4_0Format>(a);
    case DType::kQ8_0:
      return lane_gemv<Q8_0Format>(a);
    default:
      return false;
  }
}

}  // namespace pocket::x86
