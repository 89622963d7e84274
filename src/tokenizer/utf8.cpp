#include "tokenizer/utf8.h"

namespace pocket {

namespace {

// Allowed range of the second byte for a lead byte (Unicode Table 3-7); later bytes are 80..BF.
struct LeadInfo {
  uint8_t length;  // 0: not a lead byte
  uint8_t lo, hi;  // second byte range
};

LeadInfo lead_info(uint8_t b) {
  if (b < 0x80) return {1, 0, 0};
  if (b < 0xC2) return {0, 0, 0};
  if (b < 0xE0) return {2, 0x80, 0xBF};
  if (b == 0xE0) return {3, 0xA0, 0xBF};
  if (b == 0xED) return {3, 0x80, 0x9F};  // no surrogates
  if (b < 0xF0) return {3, 0x80, 0xBF};
  if (b == 0xF0) return {4, 0x90, 0xBF};
  if (b < 0xF4) return {4, 0x80, 0xBF};
  if (b == 0xF4) return {4, 0x80, 0x8F};  // nothing above U+10FFFF
  return {0, 0, 0};
}

}  // namespace

Utf8Scan scan_utf8(const uint8_t* p, size_t n) {
  const LeadInfo li = lead_info(p[0]);
  if (li.length == 0) return {Utf8Scan::kInvalid, 1};
  if (li.length == 1) return {Utf8Scan::kComplete, 1};
  for (size_t k = 1; k < li.length; ++k) {
    if (k >= n) return {Utf8Scan::kIncomplete, n};
    const uint8_t lo = k == 1 ? li.lo : 0x80;
    const uint8_t hi = k == 1 ? li.hi : 0xBF;
    if (p[k] < lo || p[k] > hi) return {Utf8Scan::kInvalid, k};
  }
  return {Utf8Scan::kComplete, li.length};
}

size_t utf8_char_len(std::string_view s, size_t i) {
  const Utf8Scan r = scan_utf8(reinterpret_cast<const uint8_t*>(s.data()) + i, s.size() - i);
  return r.kind == Utf8Scan::kComplete ? r.length : 0;
}

char32_t utf8_decode_at(std::string_view s, size_t i) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data()) + i;
  if (p[0] < 0x80) return p[0];
  if (p[0] < 0xE0) return (char32_t(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
  if (p[0] < 0xF0)
    return (char32_t(p[0] & 0x0F) << 12) | (char32_t(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
  return (char32_t(p[0] & 0x07) << 18) | (char32_t(p[1] & 0x3F) << 12) |
         (char32_t(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
}

void utf8_append(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

size_t utf8_drain(std::string_view in, bool final, std::string* out) {
  const auto* p = reinterpret_cast<const uint8_t*>(in.data());
  size_t i = 0;
  while (i < in.size()) {
    // Copy ASCII runs in one go: the common case for text.
    size_t j = i;
    while (j < in.size() && p[j] < 0x80) ++j;
    out->append(in.data() + i, j - i);
    i = j;
    if (i == in.size()) break;
    const Utf8Scan r = scan_utf8(p + i, in.size() - i);
    if (r.kind == Utf8Scan::kComplete) {
      out->append(in.data() + i, r.length);
    } else if (r.kind == Utf8Scan::kInvalid || final) {
      out->append(kReplacementChar);
    } else {
      break;  // may still complete: keep it for the next call
    }
    i += r.length;
  }
  return i;
}

std::string utf8_lossy(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  utf8_drain(in, /*final=*/true, &out);
  return out;
}

bool is_valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  for (size_t i = 0; i < s.size();) {
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    const Utf8Scan r = scan_utf8(p + i, s.size() - i);
    if (r.kind != Utf8Scan::kComplete) return false;
    i += r.length;
  }
  return true;
}

bool is_unicode_whitespace(char32_t cp) {
  switch (cp) {
    case 0x09:
    case 0x0A:
    case 0x0B:
    case 0x0C:
    case 0x0D:
    case 0x20:
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

}  // namespace pocket
