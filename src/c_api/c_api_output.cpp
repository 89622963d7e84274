#include "c_api_output.h"

#include <cstring>

#include "c_api_guard.h"

namespace pocket::capi {

pocket_status write_text(const char* fn, std::string_view text, char* out, size_t capacity,
                         size_t* len) {
  *len = text.size();
  if (capacity <= text.size()) {
    // An empty string rather than a truncated one: a cut could split a UTF-8 character, and a
    // caller that ignores the status then prints nothing instead of garbage.
    if (capacity > 0) out[0] = '\0';
    return report(
        fn, POCKET_ERR_BUFFER_TOO_SMALL,
        cat("the text needs ", text.size() + 1, " bytes with its NUL but capacity is ", capacity));
  }
  if (!text.empty()) std::memcpy(out, text.data(), text.size());
  out[text.size()] = '\0';
  return POCKET_OK;
}

}  // namespace pocket::capi
