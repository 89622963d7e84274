#include "tokenizer/piece_index.h"

namespace pocket {

uint32_t PieceIndex::hash_of(std::string_view s) {
  // FNV-1a, then a final mix so that the low bits (the slot) depend on every byte.
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : s) h = (h ^ static_cast<uint8_t>(c)) * 0x100000001b3ull;
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 32;
  return static_cast<uint32_t>(h);
}

PieceIndex::PieceIndex(const std::vector<std::string>& pieces) : pieces_(&pieces) {
  size_t size = 16;
  while (size < pieces.size() * 2) size *= 2;
  slots_.assign(size, Slot{0, -1});
  mask_ = static_cast<uint32_t>(size - 1);
  for (size_t i = 0; i < pieces.size(); ++i) {
    const uint32_t h = hash_of(pieces[i]);
    for (uint32_t s = h & mask_;; s = (s + 1) & mask_) {
      Slot& slot = slots_[s];
      if (slot.id < 0) {
        slot = {h, static_cast<int32_t>(i)};
        break;
      }
      if (slot.hash == h && pieces[slot.id] == pieces[i]) {
        slot.id = static_cast<int32_t>(i);
        break;
      }
    }
  }
}

int32_t PieceIndex::find(std::string_view piece) const {
  if (slots_.empty()) return -1;
  const uint32_t h = hash_of(piece);
  for (uint32_t s = h & mask_;; s = (s + 1) & mask_) {
    const Slot& slot = slots_[s];
    if (slot.id < 0) return -1;
    if (slot.hash == h && (*pieces_)[slot.id] == piece) return slot.id;
  }
}

}  // namespace pocket
