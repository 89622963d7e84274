// A reader over untrusted bytes that can never step outside them: every read checks the bytes
// left first and throws Error(kFormat) with the byte offset and what was being read.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <type_traits>

namespace pocket {

class ByteCursor {
 public:
  explicit ByteCursor(std::span<const uint8_t> bytes) : bytes_(bytes) {}

  uint64_t offset() const { return pos_; }
  uint64_t size() const { return bytes_.size(); }
  uint64_t remaining() const { return bytes_.size() - pos_; }

  // Reads a little-endian scalar (the formats we parse are little-endian, as are our hosts).
  template <typename T>
  T read(std::string_view what) {
    static_assert(std::is_trivially_copyable_v<T> && std::endian::native == std::endian::little);
    T value;
    std::memcpy(&value, take(sizeof(T), what).data(), sizeof(T));
    return value;
  }

  // Returns the next n bytes and moves past them.
  std::span<const uint8_t> take(uint64_t n, std::string_view what) {
    require(n, what);
    const auto out = bytes_.subspan(pos_, n);
    pos_ += n;
    return out;
  }

  std::string_view take_string(uint64_t n, std::string_view what) {
    const auto b = take(n, what);
    return {reinterpret_cast<const char*>(b.data()), b.size()};
  }

  void skip(uint64_t n, std::string_view what) { take(n, what); }

  // Throws unless n more bytes are available.
  void require(uint64_t n, std::string_view what) const {
    if (n > remaining()) fail_short(n, what);
  }

 private:
  [[noreturn]] void fail_short(uint64_t n, std::string_view what) const;

  std::span<const uint8_t> bytes_;
  uint64_t pos_ = 0;
};

}  // namespace pocket
