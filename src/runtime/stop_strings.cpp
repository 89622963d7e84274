#include "runtime/stop_strings.h"

#include <algorithm>
#include <utility>

#include "core/error.h"

namespace pocket {

size_t partial_match_length(std::string_view text, std::string_view marker) {
  if (marker.empty()) return 0;
  for (size_t len = std::min(text.size(), marker.size() - 1); len > 0; --len) {
    if (text.substr(text.size() - len) == marker.substr(0, len)) return len;
  }
  return 0;
}

std::optional<StopMatch> find_first_stop(std::string_view text,
                                         const std::vector<std::string>& stop_strings) {
  std::optional<StopMatch> best;
  size_t best_end = 0;
  for (size_t i = 0; i < stop_strings.size(); ++i) {
    const size_t pos = text.find(stop_strings[i]);
    if (pos == std::string_view::npos) continue;
    const size_t end = pos + stop_strings[i].size();
    if (!best || end < best_end || (end == best_end && pos < best->position)) {
      best = StopMatch{pos, i};
      best_end = end;
    }
  }
  return best;
}

StopStringMatcher::StopStringMatcher(std::vector<std::string> stop_strings)
    : stops_(std::move(stop_strings)) {
  for (size_t i = 0; i < stops_.size(); ++i) {
    POCKET_CHECK(!stops_[i].empty(), ErrorCode::kInvalidArgument, "stop string ", i,
                 " is empty; it would stop generation before the first token");
  }
}

StopResult StopStringMatcher::push(std::string_view piece) {
  StopResult result;
  if (stopped_) {
    result.stopped = true;
    return result;
  }
  // held_ never contains a complete stop string, and every stop string that could end in this
  // piece starts inside held_ + piece (anything before was released only because it could not).
  held_.append(piece);
  if (const auto match = find_first_stop(held_, stops_)) {
    result.text = held_.substr(0, match->position);
    result.stopped = true;
    result.stop_index = match->index;
    held_.clear();
    stopped_ = true;
    return result;
  }
  size_t keep = 0;
  for (const std::string& stop : stops_) keep = std::max(keep, partial_match_length(held_, stop));
  result.text = held_.substr(0, held_.size() - keep);
  held_.erase(0, held_.size() - keep);
  return result;
}

std::string StopStringMatcher::finish() {
  std::string out = std::move(held_);
  held_.clear();
  return out;
}

void StopStringMatcher::reset() {
  held_.clear();
  stopped_ = false;
}

}  // namespace pocket
