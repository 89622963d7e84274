// GPT-2's reversible byte <-> character alphabet (Hugging Face's ByteLevel pre-tokenizer and
// decoder): byte-level BPE vocabularies store every byte as a printable character, e.g. the space
// 0x20 as 'Ġ' (U+0120), so that merges never see raw control or whitespace bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pocket {

// The character (UTF-8) that stands for byte b.
std::string_view byte_to_unicode(uint8_t b);

// The byte a character stands for, or -1 when the character is not in the alphabet.
int unicode_to_byte(char32_t cp);

// Maps raw bytes to the alphabet.
std::string byte_level_encode(std::string_view bytes);

// Maps a vocabulary piece back to bytes. Returns false (out untouched) when a character of the
// piece is not in the alphabet: Hugging Face then uses the piece's own UTF-8 bytes.
bool byte_level_decode(std::string_view piece, std::string* out);

}  // namespace pocket
