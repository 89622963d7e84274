// Constants and value types of the GGUF format, shared by the reader and the writer.
//
// A GGUF file (v2/v3, little-endian) is:
//   magic "GGUF" | u32 version | u64 tensor count | u64 key/value count
//   key/values:   string key | u32 value type | value
//   tensor infos: string name | u32 n_dims | u64 ne[n_dims] | u32 type id | u64 offset
//   zero padding to the alignment (general.alignment, default 32), then the data section; each
//   tensor's offset is relative to the data section and a multiple of the alignment.
// A string is a u64 byte length and the bytes (no terminator); an array value is a u32 element
// type, a u64 count and the elements. Version 1 used 32-bit counts and lengths.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace pocket {

enum class GgufValueType : uint32_t {
  kUint8 = 0,
  kInt8 = 1,
  kUint16 = 2,
  kInt16 = 3,
  kUint32 = 4,
  kInt32 = 5,
  kFloat32 = 6,
  kBool = 7,
  kString = 8,
  kArray = 9,
  kUint64 = 10,
  kInt64 = 11,
  kFloat64 = 12,
};

inline constexpr uint32_t kGgufMagic = 0x46554747;  // "GGUF" read as a little-endian u32
inline constexpr uint32_t kGgufVersion = 3;         // what the writer produces
inline constexpr uint32_t kGgufDefaultAlignment = 32;
inline constexpr std::string_view kGgufAlignmentKey = "general.alignment";

// "uint32", "string", ...; "type 17" style names are the caller's job for unknown ids.
std::string_view gguf_type_name(GgufValueType type);

// Bytes of one value of a fixed-size type; nothing for strings and arrays.
std::optional<uint64_t> gguf_fixed_size(GgufValueType type);

bool gguf_is_integer(GgufValueType type);
bool gguf_is_float(GgufValueType type);

}  // namespace pocket
