// The group-wise formats described by numbers, so one packer, one decoder and one integer dot
// product serve GGML's 32-value types (Q8_0, Q4_0, Q4_1) and our own PQ types (core/dtype.h,
// docs/FORMATS.md). A block is a header (f16 scale d, then f16 offset m for asymmetric types)
// followed by the group's codes:
//   kInt8  one int8 per value            value = d * q
//   kUint4 two 4-bit codes per byte      value = d * (q - 8)    (symmetric)
//                                        value = d * q + m      (asymmetric)
//   kFp8   one E4M3 byte per value       value = d * e4m3(q)
// 4-bit codes are stored per 32-value sub-block s in 16 bytes: byte j of sub-block s holds value
// s*32 + j in its low nibble and value s*32 + j + 16 in its high nibble (Q4_0's order, so a
// 32-value sub-block of a PQ4 type is laid out exactly as a Q4_0 block's quants).
#pragma once

#include <cstdint>
#include <optional>

#include "core/dtype.h"

namespace pocket {

enum class GroupCode { kInt8, kUint4, kFp8 };

struct GroupFormat {
  int group = 0;  // values per block
  GroupCode code = GroupCode::kInt8;
  bool has_min = false;  // asymmetric: an f16 offset m follows d
  int header_bytes = 0;  // 2 or 4
  int block_bytes = 0;

  // The unscaled value of a code: int8 q, q - 8, q (asymmetric), or e4m3(q).
  float code_value(uint8_t code) const;
  // The smallest and largest code (as unscaled values the encoder may pick from).
  int max_code() const {
    return code == GroupCode::kInt8 ? 127 : code == GroupCode::kUint4 ? 15 : 0x7e;
  }
};

// The format of a group-wise type, or nothing for types that are not (F32, K-quants, ...).
std::optional<GroupFormat> group_format(DType type);

// Codes of one group for a given scale (d already rounded to f16 by the caller if it wants the
// error of the stored block): nearest code, ties to even (int types) / ties to even mantissa (fp8).
// x and codes hold f.group values.
void encode_group(const GroupFormat& f, const float* x, float d, float m, uint8_t* codes);

// The code of a single value (what encode_group does for each value).
void encode_group_value(const GroupFormat& f, float x, float d, float m, uint8_t* code);

// Writes/reads one block. d and m are stored as f16; codes as described above.
void pack_group(const GroupFormat& f, float d, float m, const uint8_t* codes, uint8_t* block);
void unpack_group(const GroupFormat& f, const uint8_t* block, float* d, float* m, uint8_t* codes);

// Decodes n_blocks blocks into n_blocks * f.group floats.
void dequantize_groups(const GroupFormat& f, const uint8_t* src, float* dst, int64_t n_blocks);

// The reference round-to-nearest quantizer of the PQ types (one scale per group, no search):
//   int8:       d = max|x| / 127
//   uint4 sym:  d = m / -8, m the value of largest magnitude (sign kept), as Q4_0
//   uint4 asym: d = (max - min) / 15, offset min
//   fp8:        d = max|x| / 448
// d is rounded to f16 before the codes are chosen, so codes fit the stored scale.
void quantize_row_group(DType type, const GroupFormat& f, const float* src, void* dst, int64_t n);

}  // namespace pocket
