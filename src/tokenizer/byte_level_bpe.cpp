#include "tokenizer/byte_level_bpe.h"

#include <algorithm>
#include <string>

#include "core/error.h"
#include "tokenizer/byte_level.h"

namespace pocket {

namespace {

constexpr uint64_t kEmpty = ~uint64_t{0};  // never a key: ids are non-negative int32

uint64_t pair_key(int32_t a, int32_t b) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
}

// Min-heap order: lower rank first, then the leftmost position.
bool later(const BpeScratch::RankCandidate& x, const BpeScratch::RankCandidate& y) {
  return x.rank != y.rank ? x.rank > y.rank : x.pos > y.pos;
}

}  // namespace

ByteLevelBpeModel::ByteLevelBpeModel(const TokenizerSpec& spec, const PieceIndex& vocab)
    : unk_id_(spec.unk_id) {
  for (int b = 0; b < 256; ++b) {
    byte_ids_[b] = vocab.find(byte_to_unicode(static_cast<uint8_t>(b)));
  }
  int bits = 4;
  while ((size_t{1} << bits) < spec.merges.size() * 2 + 1) ++bits;
  shift_ = 64 - bits;
  slots_.assign(size_t{1} << bits, Slot{kEmpty, {0, 0}});

  std::string joined;
  for (size_t i = 0; i < spec.merges.size(); ++i) {
    const auto& [a, b] = spec.merges[i];
    const int32_t ia = vocab.find(a);
    const int32_t ib = vocab.find(b);
    joined.assign(a).append(b);
    const int32_t ij = vocab.find(joined);
    if (ia < 0 || ib < 0 || ij < 0) {
      const std::string& missing = ia < 0 ? a : ib < 0 ? b : joined;
      fail(ErrorCode::kFormat, spec.source, ": model.merges[", i, "] refers to '", missing,
           "', which is not in the vocabulary");
    }
    // A repeated pair keeps its last rank, as Hugging Face's map does.
    insert_merge(ia, ib, {static_cast<int32_t>(i), ij});
  }
}

void ByteLevelBpeModel::insert_merge(int32_t a, int32_t b, Merge m) {
  const uint64_t key = pair_key(a, b);
  const uint64_t mask = slots_.size() - 1;
  for (uint64_t i = (key * 0x9E3779B97F4A7C15ull) >> shift_;; i = (i + 1) & mask) {
    if (slots_[i].key == kEmpty || slots_[i].key == key) {
      slots_[i] = {key, m};
      return;
    }
  }
}

const ByteLevelBpeModel::Merge* ByteLevelBpeModel::find_merge(int32_t a, int32_t b) const {
  if (slots_.empty()) return nullptr;  // a default-constructed model
  const uint64_t key = pair_key(a, b);
  const uint64_t mask = slots_.size() - 1;
  for (uint64_t i = (key * 0x9E3779B97F4A7C15ull) >> shift_;; i = (i + 1) & mask) {
    if (slots_[i].key == key) return &slots_[i].merge;
    if (slots_[i].key == kEmpty) return nullptr;
  }
}

void ByteLevelBpeModel::encode_word(std::string_view word, BpeScratch* scratch,
                                    std::vector<int32_t>* out) const {
  auto& syms = scratch->symbols;
  auto& heap = scratch->rank_heap;
  syms.clear();
  heap.clear();
  for (char c : word) {
    int32_t id = byte_ids_[static_cast<uint8_t>(c)];
    if (id < 0) id = unk_id_;  // a vocabulary without all 256 bytes; no unk: the byte is dropped
    if (id < 0) continue;
    const auto n = static_cast<int32_t>(syms.size());
    syms.push_back({id, 1, n - 1, n + 1});
  }
  if (syms.empty()) return;
  syms.back().next = -1;

  auto push_pair = [&](int32_t left) {
    const int32_t right = syms[left].next;
    if (right < 0) return;
    if (const Merge* m = find_merge(syms[left].value, syms[right].value)) {
      heap.push_back({m->rank, left, syms[left].value, syms[right].value, m->id});
      std::push_heap(heap.begin(), heap.end(), later);
    }
  };
  for (int32_t i = 0; i + 1 < static_cast<int32_t>(syms.size()); ++i) push_pair(i);

  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), later);
    const BpeScratch::RankCandidate c = heap.back();
    heap.pop_back();
    auto& left = syms[c.pos];
    if (left.value != c.left || left.next < 0) continue;
    auto& right = syms[left.next];
    if (right.value != c.right) continue;
    // Ids only ever grow into longer pieces, so equal ids mean the pair is unchanged.
    left.value = c.merged;
    left.next = right.next;
    if (right.next >= 0) syms[right.next].prev = c.pos;
    right.value = -1;
    if (left.prev >= 0) push_pair(left.prev);
    push_pair(c.pos);
  }
  for (int32_t i = 0; i >= 0; i = syms[i].next) out->push_back(syms[i].value);
}

}  // namespace pocket
