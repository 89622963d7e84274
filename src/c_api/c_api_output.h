// The output-buffer protocol of pocket.h: the size needed is always reported, and nothing but an
// empty string is written when the caller's buffer is too small.
#pragma once

#include <cstddef>
#include <string_view>

#include "pocket/pocket.h"

namespace pocket::capi {

// Copies `text` and a NUL into `out` when capacity > text.size(); *len gets text.size().
// Otherwise returns POCKET_ERR_BUFFER_TOO_SMALL with a message (and out[0] = '\0' if capacity > 0).
// The caller has checked that out is non-NULL when capacity > 0 and that len is non-NULL.
pocket_status write_text(const char* fn, std::string_view text, char* out, size_t capacity,
                         size_t* len);

}  // namespace pocket::capi
