// A minimal reader of the protobuf wire format, enough for SentencePiece's ModelProto: walk the
// fields of a message, read varints, 32-bit floats and length-delimited bytes, skip the rest.
// Every read is bounds-checked and fails with Error(kFormat) naming `what` and the offset.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace pocket {

class ProtobufReader {
 public:
  enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kBytes = 2, kFixed32 = 5 };

  ProtobufReader(std::string_view data, std::string what, size_t base_offset = 0)
      : data_(data), what_(std::move(what)), base_(base_offset) {}

  // Moves to the next field; false at the end of the message.
  bool next();
  uint32_t field() const { return field_; }
  WireType wire_type() const { return wire_; }

  uint64_t varint();  // kVarint
  int32_t int32() { return static_cast<int32_t>(static_cast<int64_t>(varint())); }
  bool boolean() { return varint() != 0; }
  float fixed32_float();     // kFixed32
  std::string_view bytes();  // kBytes
  ProtobufReader message();  // kBytes, read as a nested message
  void skip();               // any wire type

  size_t offset() const { return base_ + pos_; }

 private:
  [[noreturn]] void bad(std::string_view why) const;
  uint64_t raw_varint();
  void expect(WireType w);

  std::string_view data_;
  std::string what_;
  size_t base_;
  size_t pos_ = 0;
  uint32_t field_ = 0;
  WireType wire_ = kVarint;
};

}  // namespace pocket
