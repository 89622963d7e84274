// Internal to kernels/ref: argument checks shared by the row codecs.
#pragma once

#include <cstdint>
#include <string>

#include "core/dtype.h"

namespace pocket::detail {

// "Q4_K", or "type id 99" for an id without a table entry.
std::string type_label(DType type);

[[noreturn]] void fail_unsupported(DType type, const char* operation);

// Checks that n values make whole blocks of `type` (block_elems given) and returns the block count.
int64_t whole_blocks(DType type, int64_t n, int64_t block_elems);

}  // namespace pocket::detail
