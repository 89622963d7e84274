// Parsing of untrusted JSON (safetensors headers, index files) into nlohmann::json, with the
// failure modes of a hostile file turned into pocket::Error.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace pocket {

// Nesting deeper than any real header needs; refusing it up front keeps a hostile file from
// exhausting the stack in code that walks the tree recursively.
inline constexpr int kMaxJsonDepth = 64;

// Parses `text`; Error(kFormat) naming `origin` for invalid JSON or nesting beyond kMaxJsonDepth.
nlohmann::json parse_untrusted_json(std::string_view text, std::string_view origin);

}  // namespace pocket
