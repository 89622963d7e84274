// GgufFile's accessors; parsing and validation live in gguf_parse.cpp.
#include "io/gguf.h"

#include "core/error.h"
#include "io/gguf_values.h"

namespace pocket {
namespace {

std::string describe(GgufValueType type, GgufValueType element_type) {
  if (type != GgufValueType::kArray) return std::string(gguf_type_name(type));
  return cat("array of ", gguf_type_name(element_type));
}

}  // namespace

std::vector<std::string> GgufFile::keys() const {
  std::vector<std::string> out;
  out.reserve(entries_.size());
  for (const Entry& e : entries_) out.emplace_back(e.key);
  return out;
}

const GgufFile::Value* GgufFile::find_value(std::string_view key) const {
  const auto it = index_.find(key);
  return it == index_.end() ? nullptr : &entries_[it->second].value;
}

void GgufFile::fail_type(std::string_view key, const Value& value, std::string_view wanted) const {
  fail(ErrorCode::kFormat, "gguf '", name_, "': key '", key, "' (at byte ", value.offset,
       ") has type ", describe(value.type, value.element_type), ", not ", wanted);
}

GgufValueType GgufFile::type_of(std::string_view key) const {
  const Value* v = find_value(key);
  if (!v) fail(ErrorCode::kInvalidArgument, "gguf '", name_, "': no key '", key, "'");
  return v->type;
}

std::optional<std::string> GgufFile::get_string(std::string_view key) const {
  const Value* v = find_value(key);
  if (!v) return std::nullopt;
  if (v->type != GgufValueType::kString) fail_type(key, *v, "string");
  return std::string(v->text);
}

std::optional<int64_t> GgufFile::get_int(std::string_view key) const {
  const Value* v = find_value(key);
  if (!v) return std::nullopt;
  if (!gguf_is_integer(v->type)) fail_type(key, *v, "an integer");
  const std::optional<int64_t> value = gguf_decode_int(v->type, v->raw.data());
  POCKET_CHECK(value.has_value(), ErrorCode::kOutOfRange, "gguf '", name_, "': key '", key,
               "' holds a uint64 above the int64 range");
  return value;
}

std::optional<double> GgufFile::get_float(std::string_view key) const {
  const Value* v = find_value(key);
  if (!v) return std::nullopt;
  if (!gguf_is_float(v->type) && !gguf_is_integer(v->type)) fail_type(key, *v, "a number");
  return gguf_decode_number(v->type, v->raw.data());
}

std::optional<bool> GgufFile::get_bool(std::string_view key) const {
  const Value* v = find_value(key);
  if (!v) return std::nullopt;
  if (v->type != GgufValueType::kBool) fail_type(key, *v, "bool");
  return v->raw[0] != 0;
}

const GgufFile::Value& GgufFile::require_array(std::string_view key,
                                               std::string_view wanted) const {
  const Value* v = find_value(key);
  if (!v) fail(ErrorCode::kInvalidArgument, "gguf '", name_, "': no key '", key, "'");
  if (v->type != GgufValueType::kArray) fail_type(key, *v, wanted);
  return *v;
}

GgufValueType GgufFile::array_element_type(std::string_view key) const {
  return require_array(key, "an array").element_type;
}

std::span<const std::string_view> GgufFile::string_array_view(std::string_view key) const {
  if (!has(key)) return {};
  const Value& v = require_array(key, "an array of string");
  if (v.element_type != GgufValueType::kString) fail_type(key, v, "an array of string");
  return v.strings;
}

std::vector<std::string> GgufFile::get_string_array(std::string_view key) const {
  const std::span<const std::string_view> views = string_array_view(key);
  return {views.begin(), views.end()};
}

std::vector<float> GgufFile::get_float_array(std::string_view key) const {
  if (!has(key)) return {};
  const Value& v = require_array(key, "an array of numbers");
  if (!gguf_is_float(v.element_type) && !gguf_is_integer(v.element_type)) {
    fail_type(key, v, "an array of numbers");
  }
  const uint64_t size = *gguf_fixed_size(v.element_type);
  std::vector<float> out(v.count);
  for (uint64_t i = 0; i < v.count; ++i) {
    out[i] = static_cast<float>(gguf_decode_number(v.element_type, v.raw.data() + i * size));
  }
  return out;
}

std::vector<int64_t> GgufFile::get_int_array(std::string_view key) const {
  if (!has(key)) return {};
  const Value& v = require_array(key, "an array of integers");
  if (!gguf_is_integer(v.element_type)) fail_type(key, v, "an array of integers");
  const uint64_t size = *gguf_fixed_size(v.element_type);
  std::vector<int64_t> out(v.count);
  for (uint64_t i = 0; i < v.count; ++i) {
    const std::optional<int64_t> value = gguf_decode_int(v.element_type, v.raw.data() + i * size);
    POCKET_CHECK(value.has_value(), ErrorCode::kOutOfRange, "gguf '", name_, "': key '", key,
                 "' element ", i, " is a uint64 above the int64 range");
    out[i] = *value;
  }
  return out;
}

const TensorView* GgufFile::find_tensor(std::string_view name) const {
  const auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

}  // namespace pocket
