#include "kernels/ref/row_checks.h"

#include "core/error.h"

namespace pocket::detail {

std::string type_label(DType type) {
  const auto info = dtype_info(static_cast<uint32_t>(type));
  if (info) return std::string(info->name);
  return cat("type id ", static_cast<uint32_t>(type));
}

void fail_unsupported(DType type, const char* operation) {
  fail(ErrorCode::kUnsupported, operation, " does not support ", type_label(type));
}

int64_t whole_blocks(DType type, int64_t n, int64_t block_elems) {
  POCKET_CHECK(n >= 0 && n % block_elems == 0, ErrorCode::kInvalidArgument, "a row of ", n, " ",
               type_label(type), " values is not a whole number of blocks of ", block_elems);
  return n / block_elems;
}

}  // namespace pocket::detail
