#include "io/byte_cursor.h"

#include "core/error.h"

namespace pocket {

void ByteCursor::fail_short(uint64_t n, std::string_view what) const {
  fail(ErrorCode::kFormat, "unexpected end of data reading ", what, " at byte ", pos_, ": needs ",
       n, " bytes, ", remaining(), " left");
}

}  // namespace pocket
