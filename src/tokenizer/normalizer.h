// Unicode normalization of the text before pre-tokenization (Hugging Face's NFC normalizer).
#pragma once

#include <string>
#include <string_view>

namespace pocket {

// NFC of valid UTF-8 text. ASCII stretches are copied untouched (they are already NFC and no
// composition can join an ASCII character to what precedes it), so English text costs little.
std::string nfc_normalize(std::string_view text);

}  // namespace pocket
