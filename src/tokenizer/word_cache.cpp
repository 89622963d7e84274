#include "tokenizer/word_cache.h"

#include <mutex>

namespace pocket {

bool WordCache::lookup(std::string_view word, std::vector<int32_t>* out) const {
  if (word.size() > kMaxWordBytes) return false;
  std::shared_lock lock(mutex_);
  const auto it = map_.find(word);
  if (it == map_.end()) return false;
  out->insert(out->end(), it->second.begin(), it->second.end());
  return true;
}

void WordCache::insert(std::string_view word, std::span<const int32_t> ids) {
  if (word.size() > kMaxWordBytes) return;
  std::unique_lock lock(mutex_);
  if (map_.size() >= capacity_) return;
  map_.try_emplace(std::string(word), ids.begin(), ids.end());
}

}  // namespace pocket
