// The "x16" load-time layout of the symmetric group types (Q4_0, Q8_0, PQ4_G64/128,
// PQ8_G64/128), of Q4_K and of F16/BF16: 16 rows interleaved so that one 64-byte load feeds a
// vpdpbusd with 16 rows x 4 values, the rows' f16 scales sit together, and a 16-row group is one
// contiguous stream.
//
// Why: in the file layout a decode step reads 18-byte Q4_0 blocks one row at a time; unpacking
// them (two narrow loads, shift, insert, a scalar scale conversion per row and block) cost about
// four times the instructions of the interleaved form, and the kernel ran at ~20 GB/s per core,
// below the memory's rate. Repacked, the same bytes need a load, two masks and a shift per 128
// values (4-bit) and one f16 -> f32 conversion per 16 scales.
//
// Layout of rows [16p, 16p + 16) of a matrix with k values per row (the source's row size is
// kept, so the matrix takes exactly the bytes it took in the file):
//   for each scale group g (G values; G = 32 for Q4_0/Q8_0):
//     16 x f16 scale, row i's at i                                          (32 bytes)
//     for each 32-value sub-block j of the group:
//       4-bit: 4 chunks of 64 bytes; chunk c, dword i (row i), byte b:
//              low nibble = code of value 8c + b, high nibble = code of value 8c + 4 + b
//       8-bit: 8 chunks of 64 bytes; chunk c, dword i, byte b = code of value 4c + b
// Codes are unsigned with a zero point: value = d * (code - zero), zero 8 (4-bit) or 128 (8-bit:
// the int8 code with its top bit flipped), so vpdpbusd takes them as its unsigned operand
// against signed int8 activations and the zero point is one multiply-add per block and token.
// So 4-bit "unit" m = 0..7 of a sub-block (values 4m..4m+3) is chunk m / 2's low (m even) or high
// (m odd) nibbles, and 8-bit unit m is chunk m.
//
// Q4_K keeps its 256-value super-blocks (d, dmin, eight 6-bit sub-block scales and mins, 4-bit
// codes): rows [16p, 16p + 16) become, per super-block (16 x 144 = 2304 bytes, as in the file),
//   16 x f16 d, then 16 x f16 dmin                                          (64 bytes)
//   scale low bits: dword i (row i), byte b = (sc[b] & 15) | (sc[b + 4] & 15) << 4      (64)
//   min low bits:   the same for the mins                                               (64)
//   high bits:      dword i, byte b: bits 0-1 = min[b] >> 4, 2-3 = min[b + 4] >> 4,
//                   4-5 = sc[b] >> 4, 6-7 = sc[b + 4] >> 4                               (64)
//   8 sub-blocks of 32 values, each in the 4-bit sub-block form above                 (2048)
// value = (d * sc[j]) * code - dmin * min[j] for sub-block j. The 16 rows' scales of four
// sub-blocks come out of each 64-byte row of bits with a mask, a shift and an or, one byte per
// row's dword, so a kernel unpacks all 128 of them in a dozen instructions.
//
// The 16-bit floats (F16, BF16) have no groups: rows [16p, 16p + 16) become, for each value j of
// the row, the 16 rows' values side by side (32 bytes, row i's at 2i). One 32-byte load widened
// to 16 f32 lanes then holds value j of 16 rows, so the kernel multiplies it by value j of a
// token's activations broadcast to every lane and accumulates 16 outputs per FMA: no horizontal
// sums, and one weight load serves every token of a tile (the file layout's dot products need a
// weight load and an activation load per 16 products).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "core/dtype.h"
#include "kernels/gemm.h"

namespace pocket {

inline constexpr int kX16Rows = 16;

// Prefill over the x16 layout in blocks: a block of 16-row groups (about this many bytes of
// weights) meets a block of tokens (about this many bytes of int8 activations) while both stay in
// L2. Each group reads every token's activations, and a long prompt's do not fit in L2 (512
// tokens of 1536 values: 1.1 MB). One token (decode) is one block: the groups in order.
inline constexpr size_t kX16BlockBytes = 192 * 1024;

// Where the parts of a Q4_K x16 super-block (16 rows, layout above) start, in bytes.
struct Q4KX16 {
  static constexpr int kValues = 256;
  static constexpr size_t kSourceBlockBytes = 144;
  static constexpr size_t kBytes = kX16Rows * kSourceBlockBytes;  // as in the file
  // d at 0, then:
  static constexpr size_t kDmin = 32, kScaleLow = 64, kMinLow = 128, kHigh = 192;
  static constexpr size_t kCodes = 256;     // then 8 sub-blocks of...
  static constexpr size_t kSubBytes = 256;  // 16 rows x 32 4-bit codes
};

enum class X16Kind {
  kGroup,  // one f16 scale per group of G values, codes with a zero point (Q4_0 ... PQ8_G128)
  kQ4K,    // Q4_K super-blocks: sub-block scales and mins, no zero point
  kFloat,  // F16, BF16 (which use none of the members below but `source`)
};

struct X16Format {
  DType source;
  X16Kind kind;
  int group;  // values per group: G, or 256 (a K super-block), or 1 (floats)
  int bits;   // of a code: 4 or 8 (16 for the floats)
  bool is_float() const { return kind == X16Kind::kFloat; }
  int zero() const { return kind == X16Kind::kQ4K ? 0 : bits == 4 ? 8 : 128; }
  int block_bytes() const {  // the source's bytes per group
    return kind == X16Kind::kQ4K ? static_cast<int>(Q4KX16::kSourceBlockBytes)
                                 : 2 + group * bits / 8;
  }
  int sub_bytes() const { return kX16Rows * 32 * bits / 8; }  // 16 rows x 32 codes
  int header_bytes() const {                                  // scales before a group's codes
    return kind == X16Kind::kQ4K ? static_cast<int>(Q4KX16::kCodes) : 32;
  }
};

// The x16 type of a source type, or nothing when it has none.
std::optional<DType> x16_type_for(DType source);
// The layout of an x16 type, or nothing for other types.
std::optional<X16Format> x16_format(DType x16);

// Repacks rows [0, rows) of a source-type matrix (rows a multiple of 16, rows src_stride bytes
// apart, k values each) into dst (rows * row_bytes(source, k) bytes).
void repack_x16(DType source, const uint8_t* src, size_t src_stride, int64_t rows, int64_t k,
                uint8_t* dst);

// The code (unsigned, with the zero point), scale and offset of value `col` of row `row` of an
// x16 matrix, value = scale * (code - zero) - min: what the kernels read, for the scalar
// reference and tests. min is 0 but for Q4_K (dmin * min[j]), whose scale is d * sc[j].
struct X16Value {
  int code;
  float scale;
  float min = 0.0f;
};
X16Value x16_value(const X16Format& f, const uint8_t* base, size_t row_stride, int64_t row,
                   int64_t col);

// The 16 bits (f16 or bf16) of value `col` of row `row` of a float x16 matrix.
uint16_t x16_float_bits(const uint8_t* base, size_t row_stride, int64_t row, int64_t col);

// The scalar kernels of the x16 types (the oracle of the SIMD ones).
void register_scalar_x16_kernels(KernelSet& set);

}  // namespace pocket
