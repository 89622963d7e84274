// Typed access to JSON fields that fails with the file and the field's path in the message
// ("tokenizer.json: model.merges[12]: expected a string"), so a malformed file never crashes
// and always says where it is wrong.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>

namespace pocket {

class JsonFields {
 public:
  explicit JsonFields(std::string file) : file_(std::move(file)) {}

  const std::string& file() const { return file_; }

  // Reads and parses a whole file; Error(kIo) if unreadable, Error(kFormat) if not JSON.
  nlohmann::json parse_file() const;

  [[noreturn]] void bad(std::string_view field, std::string_view what) const;

  // The member, or nullptr when absent (null counts as present).
  const nlohmann::json* find(const nlohmann::json& obj, std::string_view field,
                             std::string_view key) const;
  const nlohmann::json& require(const nlohmann::json& obj, std::string_view field,
                                std::string_view key) const;

  const nlohmann::json& object(const nlohmann::json& j, std::string_view field) const;
  const nlohmann::json& array(const nlohmann::json& j, std::string_view field) const;
  const std::string& string(const nlohmann::json& j, std::string_view field) const;
  bool boolean(const nlohmann::json& j, std::string_view field) const;
  int64_t integer(const nlohmann::json& j, std::string_view field) const;

  // A member that may be absent or null: its value, or `fallback`.
  bool boolean_or(const nlohmann::json& obj, std::string_view field, std::string_view key,
                  bool fallback) const;

 private:
  std::string file_;
};

// "model" + "merges" -> "model.merges"; the root has the empty path.
std::string json_path(std::string_view parent, std::string_view key);
std::string json_path(std::string_view parent, size_t index);

}  // namespace pocket
