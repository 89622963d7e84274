#include "tokenizer/protobuf_reader.h"

#include <cstring>

#include "core/error.h"

namespace pocket {

void ProtobufReader::bad(std::string_view why) const {
  fail(ErrorCode::kFormat, what_, ": protobuf ", why, " at byte ", base_ + pos_);
}

uint64_t ProtobufReader::raw_varint() {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= data_.size()) bad("truncated varint");
    const auto b = static_cast<uint8_t>(data_[pos_++]);
    v |= static_cast<uint64_t>(b & 0x7F) << shift;
    if (!(b & 0x80)) return v;
  }
  bad("varint longer than 10 bytes");
}

bool ProtobufReader::next() {
  if (pos_ >= data_.size()) return false;
  const uint64_t key = raw_varint();
  field_ = static_cast<uint32_t>(key >> 3);
  const auto w = static_cast<uint32_t>(key & 7);
  if (field_ == 0 || (w != kVarint && w != kFixed64 && w != kBytes && w != kFixed32)) {
    bad("invalid field key");
  }
  wire_ = static_cast<WireType>(w);
  return true;
}

void ProtobufReader::expect(WireType w) {
  if (wire_ != w) bad("unexpected wire type for field " + std::to_string(field_));
}

uint64_t ProtobufReader::varint() {
  expect(kVarint);
  return raw_varint();
}

float ProtobufReader::fixed32_float() {
  expect(kFixed32);
  if (data_.size() - pos_ < 4) bad("truncated float");
  uint32_t bits = 0;
  for (int i = 0; i < 4; ++i)
    bits |= static_cast<uint32_t>(static_cast<uint8_t>(data_[pos_ + i])) << (8 * i);
  pos_ += 4;
  float f = 0;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

std::string_view ProtobufReader::bytes() {
  expect(kBytes);
  const uint64_t n = raw_varint();
  if (n > data_.size() - pos_) bad("length runs past the end");
  const std::string_view out = data_.substr(pos_, n);
  pos_ += n;
  return out;
}

ProtobufReader ProtobufReader::message() {
  const std::string_view body = bytes();
  return ProtobufReader(body, what_, base_ + pos_ - body.size());
}

void ProtobufReader::skip() {
  switch (wire_) {
    case kVarint:
      raw_varint();
      return;
    case kBytes:
      bytes();
      return;
    case kFixed64:
      if (data_.size() - pos_ < 8) bad("truncated fixed64");
      pos_ += 8;
      return;
    case kFixed32:
      if (data_.size() - pos_ < 4) bad("truncated fixed32");
      pos_ += 4;
      return;
  }
}

}  // namespace pocket
