#include "tokenizer/byte_level.h"

#include <array>

#include "tokenizer/utf8.h"

namespace pocket {

namespace {

struct Alphabet {
  std::array<char32_t, 256> to_cp{};
  std::array<std::string, 256> to_utf8;
  std::array<int16_t, 512> from_cp{};  // every code point of the alphabet is < 0x144

  Alphabet() {
    from_cp.fill(-1);
    // Printable Latin-1 bytes stand for themselves; the rest are moved to 256, 257, ... in order.
    char32_t next = 256;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
      to_cp[b] = printable ? static_cast<char32_t>(b) : next++;
      utf8_append(to_cp[b], &to_utf8[b]);
      from_cp[to_cp[b]] = static_cast<int16_t>(b);
    }
  }
};

const Alphabet& alphabet() {
  static const Alphabet a;
  return a;
}

}  // namespace

std::string_view byte_to_unicode(uint8_t b) {
  return alphabet().to_utf8[b];
}

int unicode_to_byte(char32_t cp) {
  return cp < 512 ? alphabet().from_cp[cp] : -1;
}

std::string byte_level_encode(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) out.append(byte_to_unicode(static_cast<uint8_t>(c)));
  return out;
}

bool byte_level_decode(std::string_view piece, std::string* out) {
  std::string bytes;
  bytes.reserve(piece.size());
  for (size_t i = 0; i < piece.size();) {
    const size_t len = utf8_char_len(piece, i);
    if (len == 0) return false;
    const int b = unicode_to_byte(utf8_decode_at(piece, i));
    if (b < 0) return false;
    bytes.push_back(static_cast<char>(b));
    i += len;
  }
  out->append(bytes);
  return true;
}

}  // namespace pocket
