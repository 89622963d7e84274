// Internal to io/: decoding of GGUF scalar values from their little-endian bytes.
#pragma once

#include <cstdint>
#include <optional>

#include "io/gguf_types.h"

namespace pocket {

// An integer value of `type` at p as int64; nothing for a uint64 above INT64_MAX. `type` must be
// an integer type.
std::optional<int64_t> gguf_decode_int(GgufValueType type, const uint8_t* p);

// An integer or float value of `type` at p as a double. `type` must be a number type.
double gguf_decode_number(GgufValueType type, const uint8_t* p);

}  // namespace pocket
