#include "tokenizer/normalizer.h"

#include <utf8proc.h>

#include <cstdlib>

#include "core/error.h"

namespace pocket {

namespace {

void append_nfc(std::string_view chunk, std::string* out) {
  utf8proc_uint8_t* dst = nullptr;
  const utf8proc_ssize_t n =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(chunk.data()),
                   static_cast<utf8proc_ssize_t>(chunk.size()), &dst,
                   static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  if (n < 0) {
    // Only invalid UTF-8 or out of memory get here; callers pass valid text, so keep it as is.
    out->append(chunk);
    return;
  }
  out->append(reinterpret_cast<const char*>(dst), static_cast<size_t>(n));
  std::free(dst);
}

}  // namespace

std::string nfc_normalize(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    // Copy up to the next non-ASCII byte, keeping back the ASCII character right before it: a
    // combining mark may compose with it (e + U+0301 -> é).
    size_t j = i;
    while (j < text.size() && static_cast<unsigned char>(text[j]) < 0x80) ++j;
    if (j == text.size()) {
      out.append(text.substr(i));
      break;
    }
    const size_t start = j > i ? j - 1 : j;
    out.append(text.substr(i, start - i));
    // The chunk runs to the next ASCII character that is followed by ASCII (or the end): such a
    // boundary cannot take part in any composition.
    size_t k = j;
    while (k < text.size()) {
      if (static_cast<unsigned char>(text[k]) < 0x80 &&
          (k + 1 == text.size() || static_cast<unsigned char>(text[k + 1]) < 0x80)) {
        break;
      }
      ++k;
    }
    append_nfc(text.substr(start, k - start), &out);
    i = k;
  }
  return out;
}

}  // namespace pocket
