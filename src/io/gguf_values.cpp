#include "io/gguf_values.h"

#include <cstring>
#include <limits>

#include "core/error.h"

namespace pocket {
namespace {

template <typename T>
T load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

}  // namespace

std::optional<int64_t> gguf_decode_int(GgufValueType type, const uint8_t* p) {
  switch (type) {
    case GgufValueType::kUint8:
      return load<uint8_t>(p);
    case GgufValueType::kInt8:
      return load<int8_t>(p);
    case GgufValueType::kUint16:
      return load<uint16_t>(p);
    case GgufValueType::kInt16:
      return load<int16_t>(p);
    case GgufValueType::kUint32:
      return load<uint32_t>(p);
    case GgufValueType::kInt32:
      return load<int32_t>(p);
    case GgufValueType::kInt64:
      return load<int64_t>(p);
    case GgufValueType::kUint64: {
      const auto v = load<uint64_t>(p);
      if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
      return static_cast<int64_t>(v);
    }
    default:
      fail(ErrorCode::kInternal, "gguf_decode_int on ", gguf_type_name(type));
  }
}

double gguf_decode_number(GgufValueType type, const uint8_t* p) {
  switch (type) {
    case GgufValueType::kFloat32:
      return load<float>(p);
    case GgufValueType::kFloat64:
      return load<double>(p);
    case GgufValueType::kUint64:
      return static_cast<double>(load<uint64_t>(p));
    default:
      return static_cast<double>(*gguf_decode_int(type, p));
  }
}

}  // namespace pocket
