#include "tokenizer/json_fields.h"

#include "core/error.h"
#include "core/mapped_file.h"

namespace pocket {

nlohmann::json JsonFields::parse_file() const {
  const MappedFile file(file_);
  const auto* begin = reinterpret_cast<const char*>(file.data());
  try {
    return nlohmann::json::parse(begin, begin + file.size());
  } catch (const nlohmann::json::exception& e) {
    fail(ErrorCode::kFormat, file_, ": not valid JSON: ", e.what());
  }
}

void JsonFields::bad(std::string_view field, std::string_view what) const {
  fail(ErrorCode::kFormat, file_, ": ", field.empty() ? "(root)" : field, ": ", what);
}

const nlohmann::json* JsonFields::find(const nlohmann::json& obj, std::string_view field,
                                       std::string_view key) const {
  const nlohmann::json& o = object(obj, field);
  const auto it = o.find(key);
  return it == o.end() ? nullptr : &*it;
}

const nlohmann::json& JsonFields::require(const nlohmann::json& obj, std::string_view field,
                                          std::string_view key) const {
  const nlohmann::json* v = find(obj, field, key);
  if (v == nullptr) bad(json_path(field, key), "missing");
  return *v;
}

const nlohmann::json& JsonFields::object(const nlohmann::json& j, std::string_view field) const {
  if (!j.is_object()) bad(field, "expected an object");
  return j;
}

const nlohmann::json& JsonFields::array(const nlohmann::json& j, std::string_view field) const {
  if (!j.is_array()) bad(field, "expected an array");
  return j;
}

const std::string& JsonFields::string(const nlohmann::json& j, std::string_view field) const {
  if (!j.is_string()) bad(field, "expected a string");
  return j.get_ref<const std::string&>();
}

bool JsonFields::boolean(const nlohmann::json& j, std::string_view field) const {
  if (!j.is_boolean()) bad(field, "expected true or false");
  return j.get<bool>();
}

int64_t JsonFields::integer(const nlohmann::json& j, std::string_view field) const {
  if (j.is_number_unsigned()) {
    const uint64_t v = j.get<uint64_t>();
    if (v > static_cast<uint64_t>(INT64_MAX)) bad(field, "integer too large");
    return static_cast<int64_t>(v);
  }
  if (!j.is_number_integer()) bad(field, "expected an integer");
  return j.get<int64_t>();
}

bool JsonFields::boolean_or(const nlohmann::json& obj, std::string_view field, std::string_view key,
                            bool fallback) const {
  const nlohmann::json* v = find(obj, field, key);
  if (v == nullptr || v->is_null()) return fallback;
  return boolean(*v, json_path(field, key));
}

std::string json_path(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  std::string p(parent);
  p.append(".").append(key);
  return p;
}

std::string json_path(std::string_view parent, size_t index) {
  return cat(parent, "[", index, "]");
}

}  // namespace pocket
