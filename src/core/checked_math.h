// Overflow-checked arithmetic for sizes read from untrusted files.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/error.h"

namespace pocket {

inline uint64_t checked_mul(uint64_t a, uint64_t b, std::string_view what) {
  uint64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) fail(ErrorCode::kOutOfRange, "size overflow in ", what);
  return r;
}

inline uint64_t checked_add(uint64_t a, uint64_t b, std::string_view what) {
  uint64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) fail(ErrorCode::kOutOfRange, "size overflow in ", what);
  return r;
}

}  // namespace pocket
