// Which tensor type a quantization request means, and the fallback for rows a type cannot hold.
#pragma once

#include <cstdint>
#include <string>

#include "core/dtype.h"

namespace pocket::quant {

enum class Scheme { kSym, kAsym };

// The group-wise type for bits (4 or 8), group (32, 64 or 128), scheme, or FP8 E4M3 (group 128).
// Group 32 gives GGML's standard types (Q8_0, Q4_0, Q4_1); larger groups give our PQ types.
// Throws Error(kInvalidArgument) for a combination that has no type, saying which exist.
DType group_type(int bits, int group, Scheme scheme, bool fp8);

// Checks a --group-size value: a power of two, and one of 32, 64, 128.
void validate_group_size(int64_t group);

struct Fit {
  DType type;
  std::string reason;  // empty when `wanted` fits; else why the fallback was taken
};

// `wanted` if rows of `cols` values hold whole blocks of it; otherwise the same kind of type with
// the largest smaller group that fits, and F16 when none does.
Fit fit_row(DType wanted, int64_t cols);

// Bits per weight of a type (block bytes * 8 / block values).
double bits_per_weight(DType type);

}  // namespace pocket::quant
