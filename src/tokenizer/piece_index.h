// piece -> id for a vocabulary, as one flat open-addressing table of (hash, id) slots whose keys
// are the vocabulary's own strings: built and probed several times faster than an
// std::unordered_map of 150k string keys, which matters for load time and SentencePiece merging.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pocket {

class PieceIndex {
 public:
  PieceIndex() = default;
  // `pieces` must outlive the index and stay unmoved in memory (the index keeps a pointer).
  // For a piece listed twice the last id wins (as llama.cpp's map does).
  explicit PieceIndex(const std::vector<std::string>& pieces);

  // The id, or -1.
  int32_t find(std::string_view piece) const;

 private:
  struct Slot {
    uint32_t hash;
    int32_t id;  // -1: empty
  };
  static uint32_t hash_of(std::string_view s);

  const std::vector<std::string>* pieces_ = nullptr;
  std::vector<Slot> slots_;
  uint32_t mask_ = 0;
};

}  // namespace pocket
