// Stop strings for streamed generation: text is emitted as soon as it can no longer be part of a
// stop string, and generation ends at the first complete one (which is not emitted).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pocket {

// Length of the longest suffix of `text` that is a proper prefix of `marker` (0 if none): the
// bytes a streaming matcher must hold back because the next piece may complete the marker.
size_t partial_match_length(std::string_view text, std::string_view marker);

struct StopMatch {
  size_t position = 0;  // byte offset of the stop string in the text searched
  size_t index = 0;     // which stop string (index into the list given)
};

// The stop string that completes first in `text`: the smallest end offset; on equal ends, the
// longer string (it starts earlier). This is what a stream sees whatever its piece boundaries.
std::optional<StopMatch> find_first_stop(std::string_view text,
                                         const std::vector<std::string>& stop_strings);

struct StopResult {
  std::string text;                  // safe to show now
  bool stopped = false;              // a stop string completed: generation should end
  std::optional<size_t> stop_index;  // which one, when stopped
};

// Feed it the decoded pieces of generated text. Bytes are matched as they are: pieces that end
// inside a UTF-8 character are fine, and held-back text is always cut at the start of a stop
// string, so it never splits a character that the input did not split.
class StopStringMatcher {
 public:
  // Throws Error(kInvalidArgument) for an empty stop string. No stop strings: everything passes.
  explicit StopStringMatcher(std::vector<std::string> stop_strings);

  // Returns the text that can be emitted now. Once stopped, later pushes return nothing.
  StopResult push(std::string_view piece);
  // End of generation without a stop: returns the held-back bytes.
  std::string finish();
  // Forgets held-back text and the stopped state, for a new generation.
  void reset();

  bool stopped() const { return stopped_; }
  const std::vector<std::string>& stop_strings() const { return stops_; }

 private:
  std::vector<std::string> stops_;
  std::string held_;  // a possible start of a stop string
  bool stopped_ = false;
};

}  // namespace pocket
