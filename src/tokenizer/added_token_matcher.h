// Finds added tokens (special and user-defined tokens) in text, before the model sees it: the
// leftmost match wins, the longest token among those starting there (Hugging Face's
// AddedVocabulary uses an Aho-Corasick automaton with LeftmostLongest, which is the same thing).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tokenizer/tokenizer_spec.h"

namespace pocket {

class AddedTokenMatcher {
 public:
  struct Match {
    size_t start, end;  // the bytes the token takes, widened by lstrip/rstrip
    int32_t id;
  };

  AddedTokenMatcher() = default;
  explicit AddedTokenMatcher(const std::vector<AddedToken>& tokens);

  bool empty() const { return tokens_.empty(); }

  // Non-overlapping matches in order. Special tokens are skipped when !parse_special.
  void find(std::string_view text, bool parse_special, std::vector<Match>* out) const;

 private:
  // A byte trie; node 0 is the root. Children live in one hash map keyed by (node, byte).
  int32_t child(int32_t node, uint8_t byte) const;

  std::vector<AddedToken> tokens_;
  std::vector<int32_t> terminal_;  // node -> index in tokens_, or -1
  std::unordered_map<uint64_t, int32_t> edges_;
  std::array<bool, 256> first_byte_{};
};

}  // namespace pocket
