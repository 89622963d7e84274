#include "io/json_guard.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"

namespace pocket {
namespace {

// Deepest nesting of [ and { outside strings (escapes inside strings are skipped).
int max_nesting_depth(std::string_view text) {
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

}  // namespace

nlohmann::json parse_untrusted_json(std::string_view text, std::string_view origin) {
  const int depth = max_nesting_depth(text);
  POCKET_CHECK(depth <= kMaxJsonDepth, ErrorCode::kFormat, origin, ": JSON nested ", depth,
               " levels deep (at most ", kMaxJsonDepth, " allowed)");
  // nlohmann would silently keep the last of two equal keys; a file that names a tensor twice is
  // ambiguous, so each object's keys are tracked while parsing.
  std::vector<std::set<std::string>> open_objects;
  std::string duplicate;
  const nlohmann::json::parser_callback_t track_keys =
      [&](int /*depth*/, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
        using Event = nlohmann::json::parse_event_t;
        if (event == Event::object_start) {
          open_objects.emplace_back();
        } else if (event == Event::object_end) {
          open_objects.pop_back();
        } else if (event == Event::key && duplicate.empty()) {
          const auto& key = parsed.get_ref<const std::string&>();
          if (!open_objects.back().insert(key).second) duplicate = key;
        }
        return true;
      };
  nlohmann::json result;
  try {
    result = nlohmann::json::parse(text.begin(), text.end(), track_keys);
  } catch (const nlohmann::json::exception& e) {
    fail(ErrorCode::kFormat, origin, ": invalid JSON: ", e.what());
  }
  POCKET_CHECK(duplicate.empty(), ErrorCode::kFormat, origin, ": key \"", duplicate,
               "\" appears twice in one JSON object");
  return result;
}

}  // namespace pocket
