// Remembers the ids of recent words: natural text repeats its words, and a lookup costs far less
// than merging the word again (Hugging Face's BPE keeps a similar cache). Shared by all threads
// encoding with one Tokenizer; it stops growing at its capacity.
#pragma once

#include <cstdint>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace pocket {

class WordCache {
 public:
  static constexpr size_t kMaxWordBytes = 64;  // longer words are rare and not worth keeping

  explicit WordCache(size_t capacity = 1 << 16) : capacity_(capacity) {}

  // Appends the ids of `word` to out and returns true when it is cached.
  bool lookup(std::string_view word, std::vector<int32_t>* out) const;
  void insert(std::string_view word, std::span<const int32_t> ids);

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct Equal {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const { return a == b; }
  };

  size_t capacity_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, std::vector<int32_t>, Hash, Equal> map_;
};

}  // namespace pocket
