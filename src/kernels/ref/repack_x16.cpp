// Repacking into the x16 layout (kernels/repack_x16.h) and its scalar kernels.
#include "kernels/repack_x16.h"

#include <cstring>

#include "core/error.h"
#include "core/half.h"
#include "kernels/ref/dequant_blocks.h"

namespace pocket {
namespace {

struct X16Entry {
  DType source, x16;
  X16Kind kind;
  int group, bits;
};
constexpr X16Entry kX16Types[] = {
    {DType::kQ4_0, DType::kQ4_0_X16, X16Kind::kGroup, 32, 4},
    {DType::kQ8_0, DType::kQ8_0_X16, X16Kind::kGroup, 32, 8},
    {DType::kPQ4_G64, DType::kPQ4_G64_X16, X16Kind::kGroup, 64, 4},
    {DType::kPQ4_G128, DType::kPQ4_G128_X16, X16Kind::kGroup, 128, 4},
    {DType::kPQ8_G64, DType::kPQ8_G64_X16, X16Kind::kGroup, 64, 8},
    {DType::kPQ8_G128, DType::kPQ8_G128_X16, X16Kind::kGroup, 128, 8},
    {DType::kF16, DType::kF16_X16, X16Kind::kFloat, 1, 16},
    {DType::kBF16, DType::kBF16_X16, X16Kind::kFloat, 1, 16},
    {DType::kQ4_K, DType::kQ4_K_X16, X16Kind::kQ4K, 256, 4},
};

// Bytes of one scale group of 16 rows, and where value `v` of the group (of row i) sits in it.
size_t x16_group_bytes(const X16Format& f) {
  return static_cast<size_t>(kX16Rows) * static_cast<size_t>(f.block_bytes());
}
struct Slot {
  size_t byte;
  bool high;  // 4-bit: the high nibble
};
Slot x16_slot(const X16Format& f, int i, int v) {
  const int j = v / 32, u = v % 32;  // sub-block, value within it
  const size_t sub = static_cast<size_t>(f.header_bytes()) +
                     static_cast<size_t>(j) * static_cast<size_t>(f.sub_bytes());
  if (f.bits == 8) return {sub + static_cast<size_t>(64 * (u / 4) + 4 * i + u % 4), false};
  // 4-bit: unit m = u / 4 is chunk m / 2, low nibbles for even m, high for odd.
  const int m = u / 4;
  return {sub + static_cast<size_t>(64 * (m / 2) + 4 * i + u % 4), (m & 1) != 0};
}

// Floats: value j of rows 16p..16p+15 at 32 j + 2 i of the group.
void repack_x16_float(const uint8_t* src, size_t src_stride, int64_t rows, int64_t k,
                      uint8_t* dst) {
  const size_t group_bytes = static_cast<size_t>(kX16Rows) * 2 * static_cast<size_t>(k);
  for (int64_t p = 0; p < rows / kX16Rows; ++p) {
    uint8_t* out = dst + static_cast<size_t>(p) * group_bytes;
    for (int i = 0; i < kX16Rows; ++i) {
      const uint8_t* row = src + static_cast<size_t>(p * kX16Rows + i) * src_stride;
      for (int64_t j = 0; j < k; ++j) std::memcpy(out + 32 * j + 2 * i, row + 2 * j, 2);
    }
  }
}

// Writes 32 4-bit codes (q[v], v = 0..31) of row i into a 4-bit sub-block of the x16 layout.
void put_x16_nibbles(const uint8_t* q, int i, uint8_t* sub) {
  for (int c = 0; c < 4; ++c) {
    for (int b = 0; b < 4; ++b) {
      sub[64 * c + 4 * i + b] = static_cast<uint8_t>(q[8 * c + b] | q[8 * c + 4 + b] << 4);
    }
  }
}

// Q4_K (layout in repack_x16.h): the scales' bits regrouped, the codes in the 4-bit sub-block form.
void repack_x16_q4k(const uint8_t* src, size_t src_stride, int64_t rows, int64_t k, uint8_t* dst) {
  constexpr size_t kBlockBytes = Q4KX16::kSourceBlockBytes, kGroupBytes = Q4KX16::kBytes;
  const size_t row_stride = static_cast<size_t>(k / Q4KX16::kValues) * kBlockBytes;
  for (int64_t p = 0; p < rows / kX16Rows; ++p) {
    for (int64_t s = 0; s < k / Q4KX16::kValues; ++s) {
      uint8_t* out = dst + static_cast<size_t>(p) * kX16Rows * row_stride +
                     static_cast<size_t>(s) * kGroupBytes;
      for (int i = 0; i < kX16Rows; ++i) {
        const uint8_t* block = src + static_cast<size_t>(p * kX16Rows + i) * src_stride +
                               static_cast<size_t>(s) * kBlockBytes;
        std::memcpy(out + 2 * i, block, 2);  // d
        std::memcpy(out + Q4KX16::kDmin + 2 * i, block + 2, 2);
        for (int b = 0; b < 4; ++b) {
          const detail::ScaleMin lo = detail::unpack_k_scale_min(block + 4, b);
          const detail::ScaleMin hi = detail::unpack_k_scale_min(block + 4, b + 4);
          out[Q4KX16::kScaleLow + 4 * i + b] =
              static_cast<uint8_t>((lo.scale & 15) | (hi.scale & 15) << 4);
          out[Q4KX16::kMinLow + 4 * i + b] =
              static_cast<uint8_t>((lo.min & 15) | (hi.min & 15) << 4);
          out[Q4KX16::kHigh + 4 * i + b] = static_cast<uint8_t>(
              lo.min >> 4 | (hi.min >> 4) << 2 | (lo.scale >> 4) << 4 | (hi.scale >> 4) << 6);
        }
        // The source's chunk c of 32 bytes holds sub-block 2c in its low nibbles, 2c + 1 high.
        const uint8_t* qs = block + 16;
        for (int j = 0; j < 8; ++j) {
          uint8_t q[32];
          for (int v = 0; v < 32; ++v) {
            const uint8_t byte = qs[32 * (j / 2) + v];
            q[v] = (j % 2 == 0) ? byte & 15 : byte >> 4;
          }
          put_x16_nibbles(q, i, out + Q4KX16::kCodes + Q4KX16::kSubBytes * static_cast<size_t>(j));
        }
      }
    }
  }
}

// The scale and min of sub-block j of row i from a Q4_K x16 super-block's 256-byte header.
detail::ScaleMin q4k_x16_scale_min(const uint8_t* grp, int i, int j) {
  const int b = j % 4, hi_shift = j < 4 ? 0 : 2;  // sub-blocks 4..7: the upper fields
  const int lo_shift = j < 4 ? 0 : 4;
  const uint8_t hi = grp[Q4KX16::kHigh + 4 * i + b];
  return {((grp[Q4KX16::kScaleLow + 4 * i + b] >> lo_shift) & 15) | ((hi >> (4 + hi_shift)) & 3)
                                                                        << 4,
          ((grp[Q4KX16::kMinLow + 4 * i + b] >> lo_shift) & 15) | ((hi >> hi_shift) & 3) << 4};
}

}  // namespace

std::optional<DType> x16_type_for(DType source) {
  for (const auto& e : kX16Types) {
    if (e.source == source) return e.x16;
  }
  return std::nullopt;
}

std::optional<X16Format> x16_format(DType x16) {
  for (const auto& e : kX16Types) {
    if (e.x16 == x16) return X16Format{e.source, e.kind, e.group, e.bits};
  }
  return std::nullopt;
}

void repack_x16(DType source, const uint8_t* src, size_t src_stride, int64_t rows, int64_t k,
                uint8_t* dst) {
  const std::optional<DType> x16 = x16_type_for(source);
  POCKET_CHECK(x16.has_value(), ErrorCode::kInternal, dtype_name(source), " has no x16 layout");
  const X16Format f = *x16_format(*x16);
  POCKET_CHECK(rows % kX16Rows == 0 && k % f.group == 0, ErrorCode::kInternal, "x16 repack of ",
               rows, " rows of ", k, " values");
  if (f.is_float()) {
    repack_x16_float(src, src_stride, rows, k, dst);
    return;
  }
  if (f.kind == X16Kind::kQ4K) {
    repack_x16_q4k(src, src_stride, rows, k, dst);
    return;
  }
  // Every source block is { f16 d; codes }: 4-bit codes in Q4_0's order per 32 values (byte b
  // holds value b low and value b + 16 high), 8-bit codes as int8.
  const size_t row_stride = row_bytes(source, static_cast<uint64_t>(k));
  const int64_t n_groups = k / f.group;
  const size_t group_bytes = x16_group_bytes(f);
  const size_t block_bytes = static_cast<size_t>(f.block_bytes());
  const int n_subs = f.group / 32;
  for (int64_t p = 0; p < rows / kX16Rows; ++p) {
    uint8_t* out_rows = dst + static_cast<size_t>(p) * kX16Rows * row_stride;
    for (int64_t g = 0; g < n_groups; ++g) {
      uint8_t* out = out_rows + static_cast<size_t>(g) * group_bytes;
      for (int i = 0; i < kX16Rows; ++i) {
        const uint8_t* block = src + static_cast<size_t>(p * kX16Rows + i) * src_stride +
                               static_cast<size_t>(g) * block_bytes;
        std::memcpy(out + 2 * i, block, 2);  // the f16 scale, as stored
        for (int j = 0; j < n_subs; ++j) {
          uint8_t* sub = out + 32 + static_cast<size_t>(j) * static_cast<size_t>(f.sub_bytes());
          if (f.bits == 8) {
            // Unit m (4 values) is dword i of chunk m; the top bit flipped: code = q + 128.
            const uint8_t* q = block + 2 + 32 * j;
            for (int m = 0; m < 8; ++m) {
              uint32_t four;
              std::memcpy(&four, q + 4 * m, 4);
              four ^= 0x80808080u;
              std::memcpy(sub + 64 * m + 4 * i, &four, 4);
            }
          } else {
            // Chunk c, byte b: value 8c + b low, value 8c + 4 + b high. Values 0-15 are the low
            // nibbles of qs[0..15], values 16-31 the high ones: 4 bytes at a time.
            const uint8_t* qs = block + 2 + 16 * j;
            for (int c = 0; c < 4; ++c) {
              uint32_t lo, hi;  // values 8c..8c+3 and 8c+4..8c+7 come from these bytes
              std::memcpy(&lo, qs + 8 * (c % 2), 4);
              std::memcpy(&hi, qs + 8 * (c % 2) + 4, 4);
              const uint32_t four = c < 2 ? (lo & 0x0F0F0F0Fu) | ((hi << 4) & 0xF0F0F0F0u)
                                          : ((lo >> 4) & 0x0F0F0F0Fu) | (hi & 0xF0F0F0F0u);
              std::memcpy(sub + 64 * c + 4 * i, &four, 4);
            }
          }
        }
      }
    }
  }
}

X16Value x16_value(const X16Format& f, const uint8_t* base, size_t row_stride, int64_t row,
                   int64_t col) {
  const int64_t p = row / kX16Rows, g = col / f.group;
  const int i = static_cast<int>(row % kX16Rows);
  const uint8_t* grp = base + static_cast<size_t>(p) * kX16Rows * row_stride +
                       static_cast<size_t>(g) * x16_group_bytes(f);
  uint16_t h;
  std::memcpy(&h, grp + 2 * i, 2);
  const Slot s = x16_slot(f, i, static_cast<int>(col % f.group));
  const int code = f.bits == 8 ? grp[s.byte] : s.high ? grp[s.byte] >> 4 : grp[s.byte] & 0x0F;
  if (f.kind == X16Kind::kGroup) return {code, fp16_to_fp32(h)};
  const int v = static_cast<int>(col % f.group);
  uint16_t hmin;
  std::memcpy(&hmin, grp + Q4KX16::kDmin + 2 * i, 2);
  const detail::ScaleMin sm = q4k_x16_scale_min(grp, i, v / 32);
  // The products in the order the Q4_K decoder forms them (step, offset).
  return {code, fp16_to_fp32(h) * static_cast<float>(sm.scale),
          fp16_to_fp32(hmin) * static_cast<float>(sm.min)};
}

uint16_t x16_float_bits(const uint8_t* base, size_t row_stride, int64_t row, int64_t col) {
  const uint8_t* at = base + static_cast<size_t>(row / kX16Rows) * kX16Rows * row_stride +
                      32 * static_cast<size_t>(col) + 2 * static_cast<size_t>(row % kX16Rows);
  uint16_t bits;
  std::memcpy(&bits, at, 2);
  return bits;
}

namespace {

// Written the way the fast kernels compute: per 32-value block, the exact integer sum of
// (code - zero) * a.q, times the weight scale and the activation scale, less min times the
// activations' sum (Q4_K), summed in double.
template <DType kType>
void gemm_x16_ref(const GemmArgs& a) {
  static const X16Format f = *x16_format(kType);
  for (int64_t r = a.r0; r < a.r1; ++r) {
    for (int64_t t = 0; t < a.n_tok; ++t) {
      const auto* act = reinterpret_cast<const ActBlockQ8*>(static_cast<const uint8_t*>(a.x) +
                                                            static_cast<size_t>(t) * a.x_stride);
      double sum = 0.0;
      for (int64_t b = 0; b < a.k / kActBlock; ++b) {
        int32_t isum = 0;
        X16Value w{};
        for (int v = 0; v < kActBlock; ++v) {
          w = x16_value(f, a.w, a.w_stride, r, b * kActBlock + v);
          isum += (w.code - f.zero()) * act[b].q[v];
        }
        // One scale and min per 32-value block; the min (Q4_K) against the block's sum.
        sum += static_cast<double>(w.scale) * act[b].d * isum -
               static_cast<double>(w.min) * act[b].sum;
      }
      a.y[t * a.y_stride + r] = static_cast<float>(sum);
    }
  }
}

// Floats: the products and their sum in double.
template <DType kType>
void gemm_x16_float_ref(const GemmArgs& a) {
  for (int64_t r = a.r0; r < a.r1; ++r) {
    for (int64_t t = 0; t < a.n_tok; ++t) {
      const auto* x = reinterpret_cast<const float*>(static_cast<const uint8_t*>(a.x) +
                                                     static_cast<size_t>(t) * a.x_stride);
      double sum = 0.0;
      for (int64_t j = 0; j < a.k; ++j) {
        const uint16_t bits = x16_float_bits(a.w, a.w_stride, r, j);
        const float w = kType == DType::kF16_X16 ? fp16_to_fp32(bits) : bf16_to_fp32(bits);
        sum += static_cast<double>(w) * x[j];
      }
      a.y[t * a.y_stride + r] = static_cast<float>(sum);
    }
  }
}

}  // namespace

void register_scalar_x16_kernels(KernelSet& set) {
  auto q8 = [&](DType t, GemmFn fn) {
    set.gemm[static_cast<size_t>(t)] = {fn, ActFormat::kQ8, kX16Rows};
  };
  q8(DType::kQ4_0_X16, gemm_x16_ref<DType::kQ4_0_X16>);
  q8(DType::kQ8_0_X16, gemm_x16_ref<DType::kQ8_0_X16>);
  q8(DType::kPQ4_G64_X16, gemm_x16_ref<DType::kPQ4_G64_X16>);
  q8(DType::kPQ4_G128_X16, gemm_x16_ref<DType::kPQ4_G128_X16>);
  q8(DType::kPQ8_G64_X16, gemm_x16_ref<DType::kPQ8_G64_X16>);
  q8(DType::kPQ8_G128_X16, gemm_x16_ref<DType::kPQ8_G128_X16>);
  q8(DType::kQ4_K_X16, gemm_x16_ref<DType::kQ4_K_X16>);
  set.gemm[static_cast<size_t>(DType::kF16_X16)] = {gemm_x16_float_ref<DType::kF16_X16>,
                                                    ActFormat::kF32, kX16Rows};
  set.gemm[static_cast<size_t>(DType::kBF16_X16)] = {gemm_x16_float_ref<DType::kBF16_X16>,
                                                     ActFormat::kF32, kX16Rows};
}

}  // namespace pocket
