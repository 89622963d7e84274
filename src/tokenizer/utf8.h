// UTF-8 helpers shared by the tokenizers and the (streaming) detokenizer.
//
// Invalid input is replaced the way Rust's String::from_utf8_lossy (and so Hugging Face's decode)
// does it: every maximal subpart of an ill-formed sequence becomes one U+FFFD (Unicode 15, 3.9).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace pocket {

inline constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";  // U+FFFD

// What the bytes at the start of a buffer are.
struct Utf8Scan {
  enum Kind { kComplete, kIncomplete, kInvalid } kind;
  // kComplete: length of the character; kIncomplete: bytes available (all a valid prefix);
  // kInvalid: length of the maximal ill-formed subpart (>= 1) to replace with one U+FFFD.
  size_t length;
};

// Classifies the sequence starting at p[0] (n >= 1).
Utf8Scan scan_utf8(const uint8_t* p, size_t n);

// Length of the valid character at s[i], or 0 when the bytes there are not one.
size_t utf8_char_len(std::string_view s, size_t i);

// Decodes the valid character at s[i] (caller checked it with utf8_char_len).
char32_t utf8_decode_at(std::string_view s, size_t i);

void utf8_append(char32_t cp, std::string* out);

// Appends the well-formed text of `in` to `out`, ill-formed parts as U+FFFD. With final=false a
// trailing incomplete-but-valid-so-far sequence is left alone; returns the bytes consumed.
size_t utf8_drain(std::string_view in, bool final, std::string* out);

// from_utf8_lossy: the whole buffer, with replacements.
std::string utf8_lossy(std::string_view in);

bool is_valid_utf8(std::string_view s);

// Unicode White_Space (Rust's char::is_whitespace), used by added-token lstrip/rstrip.
bool is_unicode_whitespace(char32_t cp);

}  // namespace pocket
