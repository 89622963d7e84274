// Tensor element types. Ids 0..39 are GGML's (so GGUF files map 1:1); our own group-wise types
// live in a reserved range documented in docs/FORMATS.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace pocket {

enum class DType : uint32_t {
  kF32 = 0,
  kF16 = 1,
  kQ4_0 = 2,
  kQ4_1 = 3,
  kQ5_0 = 6,
  kQ5_1 = 7,
  kQ8_0 = 8,
  kQ8_1 = 9,
  kQ2_K = 10,
  kQ3_K = 11,
  kQ4_K = 12,
  kQ5_K = 13,
  kQ6_K = 14,
  kQ8_K = 15,
  kI8 = 24,
  kI16 = 25,
  kI32 = 26,
  kI64 = 27,
  kF64 = 28,
  kBF16 = 30,
  // Our own group-wise types (docs/FORMATS.md): ids from 100 up, beyond any GGML type id, so a
  // GGML-based reader refuses them instead of misreading them.
  kPQ8_G64 = 100,    // { f16 d; int8 q[64] }        value = d * q
  kPQ8_G128 = 101,   // { f16 d; int8 q[128] }
  kPQ4_G64 = 102,    // { f16 d; u8 qs[32] }         value = d * (q - 8), Q4_0 nibble order
  kPQ4_G128 = 103,   // { f16 d; u8 qs[64] }
  kPQ4A_G64 = 104,   // { f16 d; f16 m; u8 qs[32] }  value = d * q + m
  kPQ4A_G128 = 105,  // { f16 d; f16 m; u8 qs[64] }
  kPFP8_G128 = 106,  // { f16 d; u8 e[128] }         value = d * e4m3(e)
  // In memory only (never read from or written to a file): the symmetric group types, Q4_K and
  // the 16-bit floats repacked at load with 16 rows interleaved for the AVX-512 and AVX2 kernels
  // (kernels/repack_x16.h). Same bytes per row as the source type.
  kQ4_0_X16 = 120,
  kQ8_0_X16 = 121,
  kPQ4_G64_X16 = 122,
  kPQ4_G128_X16 = 123,
  kPQ8_G64_X16 = 124,
  kPQ8_G128_X16 = 125,
  kF16_X16 = 126,
  kBF16_X16 = 127,
  kQ4_K_X16 = 128,
};

struct DTypeInfo {
  std::string_view name;
  uint32_t block_elems;      // elements per block (1 for plain types)
  uint32_t block_bytes;      // bytes per block
  bool dequantizable;        // we can turn it into f32
  bool memory_only = false;  // a load-time layout: files never hold it
};

// Returns nothing for an id we do not know (the caller names the tensor in its error).
std::optional<DTypeInfo> dtype_info(uint32_t id);
DTypeInfo dtype_info(DType t);
std::string_view dtype_name(DType t);
// Parses "f32", "F16", "q4_0", "bf16"...; nothing if unknown.
std::optional<DType> dtype_from_name(std::string_view name);

// Bytes needed for a row of n elements; throws if n is not a whole number of blocks.
uint64_t row_bytes(DType t, uint64_t n);

}  // namespace pocket
